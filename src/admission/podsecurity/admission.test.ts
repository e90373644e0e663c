import { describe, expect, it } from "vitest";
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { KubeObject } from "../../apis/types.js";
import { isSignificantPodUpdate, validateNamespaceLabels, validatePod, validatePodController } from "./admission.js";
import { evaluatePod, forbiddenDetail } from "./evaluate.js";
import { existingPodWarnings, tightenedEnforce } from "./namespace-update.js";
import { LATEST, policyToEvaluate } from "./policy.js";

const pod = (spec: Record<string, unknown> = {}, name = "x"): KubeObject & { spec: PodSpec } => ({
  metadata: { name },
  spec: { containers: [{ name: "c", image: "nginx" }], ...spec } as unknown as PodSpec,
});

const RESTRICTED_NGINX =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

const restrictedOk = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [{ name: "c", image: "nginx", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
};

describe("policy labels", () => {
  it("parse levels and versions, defaulting to privileged:latest", () => {
    const { policy, errors } = policyToEvaluate({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.24" });
    expect(errors).toEqual([]);
    expect(policy).toEqual({ enforce: { level: "baseline", version: LATEST }, audit: { level: "privileged", version: LATEST }, warn: { level: "restricted", version: 24 } });
  });

  it("fail closed for enforce and open for warn and audit, with upstream's field errors", () => {
    const { policy, errors } = policyToEvaluate({ "pod-security.kubernetes.io/enforce": "strict", "pod-security.kubernetes.io/audit": "x", "pod-security.kubernetes.io/enforce-version": "1.2" });
    expect(policy.enforce).toEqual({ level: "restricted", version: LATEST });
    expect(policy.audit.level).toBe("privileged");
    expect(errors.map((e) => `${e.field}: ${e.detail}`)).toEqual([
      "metadata.labels[pod-security.kubernetes.io/enforce]: must be one of privileged, baseline, restricted",
      'metadata.labels[pod-security.kubernetes.io/enforce-version]: must be "latest" or "v1.x"',
      "metadata.labels[pod-security.kubernetes.io/audit]: must be one of privileged, baseline, restricted",
    ]);
  });
});

describe("evaluation order", () => {
  it("lists baseline findings before restricted ones, each in check ID order", () => {
    const r = evaluatePod({ level: "restricted", version: LATEST }, {}, pod({ hostNetwork: true }).spec);
    expect(forbiddenDetail(r)).toBe(`host namespaces (hostNetwork=true), ${RESTRICTED_NGINX}`);
  });

  it("uses the restricted check in place of the baseline one it overrides", () => {
    const spec = pod({ volumes: [{ name: "h", hostPath: { path: "/" } }] }).spec;
    expect(forbiddenDetail(evaluatePod({ level: "baseline", version: LATEST }, {}, spec))).toBe('hostPath volumes (volume "h")');
    expect(forbiddenDetail(evaluatePod({ level: "restricted", version: LATEST }, {}, spec))).toContain('restricted volume types (volume "h" uses restricted volume type "hostPath")');
    expect(forbiddenDetail(evaluatePod({ level: "restricted", version: LATEST }, {}, spec))).not.toContain("hostPath volumes");
  });

  it("applies a check only from its policy version on", () => {
    const spec = pod({ securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } }, containers: restrictedOk.containers }).spec;
    expect(evaluatePod({ level: "restricted", version: 22 }, {}, spec).allowed).toBe(true);
    expect(forbiddenDetail(evaluatePod({ level: "restricted", version: 23 }, {}, spec))).toBe("runAsUser=0 (pod must not set runAsUser=0)");
  });
});

describe("validatePod", () => {
  const restricted = { "pod-security.kubernetes.io/enforce": "restricted" };

  it("refuses with upstream's message and records the enforced policy", () => {
    const d = validatePod(restricted, pod(), undefined, undefined);
    expect(d.forbidden).toBe(`violates PodSecurity "restricted:latest": ${RESTRICTED_NGINX}`);
    expect(d.auditAnnotations).toEqual({ "pod-security.kubernetes.io/enforce-policy": "restricted:latest" });
    expect(d.warnings).toEqual([]);
    expect(validatePod(restricted, pod(restrictedOk), undefined, undefined).forbidden).toBeUndefined();
  });

  it("warns and audits at their own levels without refusing", () => {
    const d = validatePod({ "pod-security.kubernetes.io/warn": "baseline", "pod-security.kubernetes.io/audit": "restricted" }, pod({ hostPID: true }), undefined, undefined);
    expect(d.forbidden).toBeUndefined();
    expect(d.warnings).toEqual(['would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)']);
    expect(d.auditAnnotations["pod-security.kubernetes.io/audit-violations"]).toBe(`would violate PodSecurity "restricted:latest": host namespaces (hostPID=true), ${RESTRICTED_NGINX}`);
  });

  it("skips privileged namespaces, ignored subresources and insignificant updates", () => {
    expect(validatePod({}, pod({ hostPID: true }), undefined, undefined)).toEqual({ warnings: [], auditAnnotations: {} });
    expect(validatePod(restricted, pod(), pod(), "status")).toEqual({ warnings: [], auditAnnotations: {} });
    const old = pod();
    const relabelled = { ...pod(), metadata: { name: "x", labels: { a: "b" } } };
    expect(isSignificantPodUpdate(relabelled, old)).toBe(false);
    expect(validatePod(restricted, relabelled, old, undefined).forbidden).toBeUndefined();
    const newImage = pod({ containers: [{ name: "c", image: "nginx:2" }] });
    expect(validatePod(restricted, newImage, old, undefined).forbidden).toContain("violates PodSecurity");
  });

  it("reports a namespace it could not read", () => {
    expect(validatePod(undefined, pod(), undefined, undefined).lookupFailed).toBe(true);
  });
});

describe("validatePodController", () => {
  it("only warns and audits for workload templates", () => {
    const d = validatePodController({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" }, { spec: pod().spec }, undefined);
    expect(d.forbidden).toBeUndefined();
    expect(d.warnings).toEqual([`would violate PodSecurity "restricted:latest": ${RESTRICTED_NGINX}`]);
    expect(validatePodController({ "pod-security.kubernetes.io/warn": "restricted" }, { spec: pod().spec }, "scale").warnings).toEqual([]);
  });
});

describe("namespace labels", () => {
  const ns = (labels: Record<string, string>): KubeObject => ({ metadata: { name: "n", labels } });
  it("must be valid on create, and on update unless they were already invalid the same way", () => {
    expect(validateNamespaceLabels(ns({ "pod-security.kubernetes.io/enforce": "restricted" }), undefined)).toEqual([]);
    expect(validateNamespaceLabels(ns({ "pod-security.kubernetes.io/enforce": "bogus" }), undefined)).toHaveLength(1);
    const bad = ns({ "pod-security.kubernetes.io/enforce": "bogus" });
    expect(validateNamespaceLabels(bad, bad)).toEqual([]);
  });
});

describe("a stricter enforce label checks the existing pods", () => {
  const enforce = (level: string, version?: string) => ({ "pod-security.kubernetes.io/enforce": level, ...(version ? { "pod-security.kubernetes.io/enforce-version": version } : {}) });

  it("only when the level gets stricter or the version changes", () => {
    expect(tightenedEnforce({}, enforce("restricted"))).toEqual({ level: "restricted", version: LATEST });
    expect(tightenedEnforce(enforce("restricted"), enforce("baseline"))).toBeUndefined();
    expect(tightenedEnforce(enforce("restricted"), enforce("restricted"))).toBeUndefined();
    expect(tightenedEnforce(enforce("baseline"), enforce("privileged"))).toBeUndefined();
    expect(tightenedEnforce(enforce("restricted", "v1.20"), enforce("baseline"))).toEqual({ level: "baseline", version: LATEST });
  });

  it("warns once per set of reasons, naming the first pod and counting the others", () => {
    const owned = (name: string) => ({ ...pod({}, name), metadata: { name, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u1", controller: true }] } });
    const warnings = existingPodWarnings("ns", { level: "baseline", version: LATEST }, [
      owned("web-2"),
      pod({ hostNetwork: true }, "net-b"),
      pod({ hostNetwork: true }, "net-a"),
      pod({ hostPID: true }, "pid"),
      pod({ containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] }, "priv"),
      pod({}, "fine"),
    ]);
    expect(warnings).toEqual(['existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"', "net-a (and 2 other pods): host namespaces", "priv: privileged"]);
  });
});
