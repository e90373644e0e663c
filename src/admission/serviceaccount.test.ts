import { describe, expect, it } from "vitest";
import type { PodSpec } from "../apis/core/v1/podspec.js";
import type { ServiceAccount } from "../apis/core/v1/serviceaccount.js";
import { API_TOKEN_MOUNT_PATH, admitPodServiceAccount, randomSuffix, shouldAutomount, tokenVolume } from "./serviceaccount.js";

const sa = (name: string, extra: Partial<ServiceAccount> = {}): ServiceAccount => ({ metadata: { name }, ...extra }) as ServiceAccount;
const podOf = (spec: Partial<PodSpec> = {}, annotations?: Record<string, string>) => ({
  metadata: { namespace: "ns", ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: "c", image: "x" }], ...spec } as PodSpec,
});
const lookupOf = (...accounts: ServiceAccount[]) => (n: string) => accounts.find((a) => a.metadata.name === n);
const fixed = () => 0; // "bbbbb"

describe("ServiceAccount admission", () => {
  it("defaults the account and mounts the token volume in every container", () => {
    const pod = podOf({ initContainers: [{ name: "i", image: "x" }] as PodSpec["containers"] });
    expect(admitPodServiceAccount(pod, "ns", lookupOf(sa("default")), fixed)).toEqual({ ok: true, mutated: true });
    expect(pod.spec.serviceAccountName).toBe("default");
    expect(pod.spec.volumes).toEqual([tokenVolume("kube-api-access-bbbbb")]);
    const mount = { name: "kube-api-access-bbbbb", readOnly: true, mountPath: API_TOKEN_MOUNT_PATH };
    expect(pod.spec.containers![0].volumeMounts).toEqual([mount]);
    expect(pod.spec.initContainers![0].volumeMounts).toEqual([mount]);
    expect(tokenVolume("v").projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: "token" } });
  });

  it("refuses a missing account, but not a missing default one (created asynchronously)", () => {
    const d = admitPodServiceAccount(podOf({ serviceAccountName: "ci" }), "ns", lookupOf());
    expect(d).toEqual({ ok: false, message: 'error looking up service account ns/ci: serviceaccount "ci" not found' });
    const pod = podOf();
    expect(admitPodServiceAccount(pod, "ns", lookupOf()).ok).toBe(true);
    expect(pod.spec.volumes).toHaveLength(1);
  });

  it("the pod's automountServiceAccountToken wins over the account's", () => {
    expect(shouldAutomount(undefined, {} as PodSpec)).toBe(true);
    expect(shouldAutomount({ automountServiceAccountToken: false }, {} as PodSpec)).toBe(false);
    expect(shouldAutomount({ automountServiceAccountToken: false }, { automountServiceAccountToken: true } as PodSpec)).toBe(true);
    expect(shouldAutomount({ automountServiceAccountToken: true }, { automountServiceAccountToken: false } as PodSpec)).toBe(false);
    const off = podOf({ automountServiceAccountToken: false });
    expect(admitPodServiceAccount(off, "ns", lookupOf(sa("default")))).toEqual({ ok: true, mutated: true });
    expect(off.spec.volumes).toBeUndefined();
    expect(off.spec.containers![0].volumeMounts).toBeUndefined();
  });

  it("respects existing mounts of the path and an existing token volume", () => {
    const own = podOf({
      serviceAccountName: "default",
      volumes: [{ name: "mine", emptyDir: {} }] as PodSpec["volumes"],
      containers: [{ name: "c", image: "x", volumeMounts: [{ name: "mine", mountPath: API_TOKEN_MOUNT_PATH }] }] as PodSpec["containers"],
    });
    expect(admitPodServiceAccount(own, "ns", lookupOf(sa("default")))).toEqual({ ok: true, mutated: false });
    expect(own.spec.volumes).toHaveLength(1);
    const reused = podOf({ volumes: [tokenVolume("kube-api-access-abcde")] as PodSpec["volumes"] });
    admitPodServiceAccount(reused, "ns", lookupOf(sa("default")));
    expect(reused.spec.volumes).toHaveLength(1);
    expect(reused.spec.containers![0].volumeMounts).toEqual([{ name: "kube-api-access-abcde", readOnly: true, mountPath: API_TOKEN_MOUNT_PATH }]);
  });

  it("copies the account's image pull secrets when the pod has none; leaves mirror pods alone", () => {
    const pod = podOf({ serviceAccountName: "ci" });
    admitPodServiceAccount(pod, "ns", lookupOf(sa("ci", { imagePullSecrets: [{ name: "reg" }], automountServiceAccountToken: false })));
    expect(pod.spec.imagePullSecrets).toEqual([{ name: "reg" }]);
    expect(pod.spec.volumes).toBeUndefined();
    const mirror = podOf({}, { "kubernetes.io/config.mirror": "x" });
    expect(admitPodServiceAccount(mirror, "ns", lookupOf())).toEqual({ ok: true, mutated: false });
    expect(mirror.spec.volumes).toBeUndefined();
  });

  it("draws 5 characters from upstream's alphabet", () => {
    expect(randomSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
