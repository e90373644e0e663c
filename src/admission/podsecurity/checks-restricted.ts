// The Restricted Pod Security Standard (k8s.io/pod-security-admission/policy/check_*.go):
// hardening best practice on top of Baseline — no privilege escalation, ALL capabilities
// dropped, only ephemeral/config volume types, non-root users, a seccomp profile.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import { volumeSourceKeys } from "../../apis/core/v1/podspec.js";
import type { ObjectMetaLike } from "../../apis/types.js";
import { type Check, type CheckPod, type CheckResult, containersOf, containersPhrase, isWindows, joinQuote, pluralize, podSecurityContext, sortedSet } from "./check.js";

/** From v1.25, pods with spec.os.name=windows are exempt (their API validation forbids these fields). */
const exceptWindows =
  (check: CheckPod): CheckPod =>
  (meta, spec) =>
    isWindows(spec) ? undefined : check(meta, spec);

const allowPrivilegeEscalation = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length ? { reason: "allowPrivilegeEscalation != false", detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const capabilitiesRestricted = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  for (const c of containersOf(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!(caps.drop ?? []).includes("ALL")) missingDropAll.push(c.name);
    const added = (caps.add ?? []).filter((x) => x !== "NET_BIND_SERVICE");
    if (added.length) {
      addingForbidden.push(c.name);
      forbiddenCaps.push(...added);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length) details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`);
  return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
};

const ALLOWED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
/** The types upstream names in its message; any other is "unknown". */
const NAMED_VOLUMES = new Set([
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs",
  "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
]);

const restrictedVolumes = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const v of spec.volumes ?? []) {
    const rec = v as Record<string, unknown>;
    const set = volumeSourceKeys.filter((k) => rec[k] !== undefined);
    if (set.some((k) => ALLOWED_VOLUMES.has(k))) continue;
    bad.push(v.name);
    const type = set.find((k) => !ALLOWED_VOLUMES.has(k));
    types.push(type && NAMED_VOLUMES.has(type) ? type : "unknown");
  }
  if (!bad.length) return undefined;
  const list = sortedSet(types);
  return {
    reason: "restricted volume types",
    detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", list.length)} ${joinQuote(list)}`,
  };
};

const runAsNonRoot = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  let podNonRoot = false;
  const pod = podSecurityContext(spec)?.runAsNonRoot;
  if (pod === false) setters.push("pod");
  else if (pod === true) podNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicit.push(c.name);
    else if (v === undefined && !podNonRoot) implicit.push(c.name);
  }
  if (explicit.length) setters.push(containersPhrase(explicit));
  if (setters.length) return { reason: "runAsNonRoot != true", detail: `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: "runAsNonRoot != true", detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

const runAsUser = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  if (podSecurityContext(spec)?.runAsUser === 0) setters.push("pod");
  const bad = containersOf(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length ? { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0` } : undefined;
};

const validSeccomp = (t: string | undefined) => t === "Localhost" || t === "RuntimeDefault";

const seccompProfileRestricted = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  const values: string[] = [];
  let podSet = false;
  const pod = podSecurityContext(spec)?.seccompProfile;
  if (pod) {
    if (!validSeccomp(pod.type)) {
      setters.push("pod");
      values.push(pod.type ?? "");
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        values.push(p.type ?? "");
      }
    } else if (!podSet) implicit.push(c.name);
  }
  if (explicit.length) setters.push(containersPhrase(explicit));
  if (setters.length) return { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
  if (implicit.length) return { reason: "seccompProfile", detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  return undefined;
};

export const RESTRICTED_CHECKS: Check[] = [
  {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    versions: [
      { minimumVersion: 8, check: allowPrivilegeEscalation },
      { minimumVersion: 25, check: exceptWindows(allowPrivilegeEscalation) },
    ],
  },
  {
    id: "capabilities_restricted",
    level: "restricted",
    versions: [
      { minimumVersion: 22, check: capabilitiesRestricted, overrides: ["capabilities_baseline"] },
      { minimumVersion: 25, check: exceptWindows(capabilitiesRestricted), overrides: ["capabilities_baseline"] },
    ],
  },
  { id: "restrictedVolumes", level: "restricted", versions: [{ minimumVersion: 0, check: restrictedVolumes, overrides: ["hostPathVolumes"] }] },
  { id: "runAsNonRoot", level: "restricted", versions: [{ minimumVersion: 0, check: runAsNonRoot }] },
  { id: "runAsUser", level: "restricted", versions: [{ minimumVersion: 23, check: runAsUser }] },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    versions: [
      { minimumVersion: 19, check: seccompProfileRestricted, overrides: ["seccompProfile_baseline"] },
      { minimumVersion: 25, check: exceptWindows(seccompProfileRestricted), overrides: ["seccompProfile_baseline"] },
    ],
  },
];
