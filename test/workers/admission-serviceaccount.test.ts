// ServiceAccount admission on pod create: the default account, the projected token volume
// mounted in every container, and upstream's opt-out matrix ("Service account tokens auto mount
// optionally": the pod's automountServiceAccountToken wins, then the account's, else mount).
import { describe, expect, it } from "vitest";
import { get, newNs, pod, post } from "./helpers.js";

const MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const sa = (name: string, automount?: boolean) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
const podFor = (name: string, spec: Record<string, unknown>) => {
  const p = pod(name);
  return { ...p, spec: { ...p.spec, ...spec } };
};
const mounted = (p: any) => (p.spec.containers[0].volumeMounts ?? []).some((m: any) => m.mountPath === MOUNT_PATH);

describe("ServiceAccount admission", () => {
  it("a pod gets the default account and the kube-api-access volume, mounted in every container", async () => {
    const ns = await newNs("sa");
    const p = podFor("web", { initContainers: [{ name: "init", image: "busybox" }] });
    const r = await post(`/api/v1/namespaces/${ns}/pods`, p);
    expect(r.status).toBe(201);
    const spec = r.body.spec;
    expect(spec.serviceAccountName).toBe("default");
    expect(spec.volumes).toHaveLength(1);
    const vol = spec.volumes[0];
    expect(vol.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(vol.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
    const mount = { name: vol.name, readOnly: true, mountPath: MOUNT_PATH };
    expect(spec.containers[0].volumeMounts).toEqual([mount]);
    expect(spec.initContainers[0].volumeMounts).toEqual([mount]);
    expect((await get(`/api/v1/namespaces/${ns}/pods/web`)).body.spec.volumes).toEqual(spec.volumes);
  });

  it("mounts the token only when neither the pod nor (the pod unset) its account opts out", async () => {
    const ns = await newNs("sa");
    await post(`/api/v1/namespaces/${ns}/serviceaccounts`, sa("nomount", false));
    await post(`/api/v1/namespaces/${ns}/serviceaccounts`, sa("mount", true));
    await post(`/api/v1/namespaces/${ns}/serviceaccounts`, sa("plain"));
    // upstream's cases: pod nil/true/false × account default/true/false.
    const cases: Array<[string, boolean | undefined, string, boolean]> = [
      ["1a", undefined, "plain", true],
      ["1b", undefined, "mount", true],
      ["1c", undefined, "nomount", false],
      ["2a", true, "plain", true],
      ["2b", true, "mount", true],
      ["2c", true, "nomount", true],
      ["3a", false, "plain", false],
      ["3b", false, "mount", false],
      ["3c", false, "nomount", false],
    ];
    for (const [id, podSetting, account, want] of cases) {
      const r = await post(`/api/v1/namespaces/${ns}/pods`, podFor(`p-${id}`, { serviceAccountName: account, ...(podSetting === undefined ? {} : { automountServiceAccountToken: podSetting }) }));
      expect(r.status, id).toBe(201);
      expect(mounted(r.body), id).toBe(want);
      expect((r.body.spec.volumes ?? []).some((v: any) => v.name.startsWith("kube-api-access-")), id).toBe(want);
    }
  });

  it("keeps a mount of its own at the token path; refuses a pod whose account does not exist", async () => {
    const ns = await newNs("sa");
    const own = podFor("own", { volumes: [{ name: "mine", emptyDir: {} }], containers: [{ name: "c", image: "x", volumeMounts: [{ name: "mine", mountPath: MOUNT_PATH }] }] });
    const r = await post(`/api/v1/namespaces/${ns}/pods`, own);
    expect(r.status).toBe(201);
    expect(r.body.spec.volumes.map((v: any) => v.name)).toEqual(["mine"]);
    expect(r.body.spec.containers[0].volumeMounts).toEqual([{ name: "mine", mountPath: MOUNT_PATH }]);
    const missing = await post(`/api/v1/namespaces/${ns}/pods`, podFor("ghost", { serviceAccountName: "ghost" }));
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ reason: "Forbidden", message: `pods "ghost" is forbidden: error looking up service account ${ns}/ghost: serviceaccount "ghost" not found` });
  });
});
