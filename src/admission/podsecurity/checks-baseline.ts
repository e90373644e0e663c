// The Baseline Pod Security Standard (k8s.io/pod-security-admission/policy/check_*.go): known
// privilege escalations are refused — host namespaces, privileged containers, added
// capabilities, hostPath volumes, host ports, custom AppArmor/SELinux/seccomp/procMount,
// unsafe sysctls, Windows host processes, host fields in probes and lifecycle handlers.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { ObjectMetaLike } from "../../apis/types.js";
import {
  type Check,
  type CheckResult,
  containersOf,
  containersPhrase,
  joinQuote,
  pluralize,
  podSecurityContext,
  sortedSet,
} from "./check.js";

const hostNamespaces = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const found: string[] = [];
  if (spec.hostNetwork) found.push("hostNetwork=true");
  if (spec.hostPID) found.push("hostPID=true");
  if (spec.hostIPC) found.push("hostIPC=true");
  return found.length ? { reason: "host namespaces", detail: found.join(", ") } : undefined;
};

const privileged = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad = containersOf(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  return bad.length ? { reason: "privileged", detail: `${containersPhrase(bad)} must not set securityContext.privileged=true` } : undefined;
};

const DEFAULT_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

const capabilitiesBaseline = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of containersOf(spec)) {
    const added = (c.securityContext?.capabilities?.add ?? []).filter((x) => !DEFAULT_CAPABILITIES.has(x));
    if (added.length) {
      bad.push(c.name);
      caps.push(...added);
    }
  }
  if (!bad.length) return undefined;
  return { reason: "non-default capabilities", detail: `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` };
};

const hostPathVolumes = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined).map((v) => v.name);
  return bad.length ? { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}` } : undefined;
};

const hostPorts = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
    if (used.length) {
      bad.push(c.name);
      ports.push(...used);
    }
  }
  if (!bad.length) return undefined;
  const list = sortedSet(ports);
  return {
    reason: "hostPort",
    detail: `${containersPhrase(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}`,
  };
};

const allowedAppArmorType = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile = (meta: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  const values: string[] = [];
  const podType = podSecurityContext(spec)?.appArmorProfile;
  if (podType && !allowedAppArmorType(podType.type)) {
    setters.push("pod");
    values.push(podType.type ?? "");
  }
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.appArmorProfile;
    if (p && !allowedAppArmorType(p.type)) {
      bad.push(c.name);
      values.push(p.type ?? "");
    }
  }
  if (bad.length) setters.push(containersPhrase(bad));
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === "" || v === "runtime/default" || v.startsWith("localhost/"))) annotations.push(`${k}=${JSON.stringify(v)}`);
  }
  const badValues = sortedSet(values);
  if (annotations.length) {
    annotations.sort();
    badValues.push(...annotations);
    setters.push(pluralize("annotation", "annotations", annotations.length));
  }
  if (!setters.length) return undefined;
  return {
    reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badValues.length),
    detail: `${setters.join(" and ")} must not set AppArmor profile type to ${joinQuote(badValues)}`,
  };
};

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);

const seLinuxOptions = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (o: { type?: string; user?: string; role?: string }) => {
    let ok = true;
    if (!SELINUX_TYPES.has(o.type ?? "")) {
      ok = false;
      badTypes.push(o.type ?? "");
    }
    if (o.user) (ok = false), (setUser = true);
    if (o.role) (ok = false), (setRole = true);
    return ok;
  };
  const podOpts = podSecurityContext(spec)?.seLinuxOptions;
  if (podOpts && !valid(podOpts)) setters.push("pod");
  const bad = containersOf(spec).filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions)).map((c) => c.name);
  if (bad.length) setters.push(containersPhrase(bad));
  if (!setters.length) return undefined;
  const data: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length) data.push(`${pluralize("type", "types", types.length)} ${joinQuote(types)}`);
  if (setUser) data.push("user may not be set");
  if (setRole) data.push("role may not be set");
  return { reason: "seLinuxOptions", detail: `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}` };
};

const procMount = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containersOf(spec)) {
    const pm = c.securityContext?.procMount;
    if (pm !== undefined && pm !== "Default") {
      bad.push(c.name);
      types.push(pm);
    }
  }
  return bad.length ? { reason: "procMount", detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}` } : undefined;
};

const validSeccomp = (t: string | undefined) => t === "Localhost" || t === "RuntimeDefault";

const seccompProfileBaseline = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  const values: string[] = [];
  const pod = podSecurityContext(spec)?.seccompProfile;
  if (pod && !validSeccomp(pod.type)) {
    setters.push("pod");
    values.push(pod.type ?? "");
  }
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p && !validSeccomp(p.type)) {
      bad.push(c.name);
      values.push(p.type ?? "");
    }
  }
  if (bad.length) setters.push(containersPhrase(bad));
  if (!setters.length) return undefined;
  return { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
};

const SAFE_SYSCTLS_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SAFE_SYSCTLS_1_27 = [...SAFE_SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_SYSCTLS_1_29 = [...SAFE_SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SAFE_SYSCTLS_1_32 = [...SAFE_SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

const sysctls =
  (allowed: string[]) =>
  (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
    const safe = new Set(allowed);
    const bad = (podSecurityContext(spec)?.sysctls ?? []).map((s) => s.name ?? "").filter((n) => !safe.has(n));
    return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
  };

const windowsHostProcess = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const setters: string[] = [];
  if (podSecurityContext(spec)?.windowsOptions?.hostProcess === true) setters.push("pod");
  const bad = containersOf(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name);
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length ? { reason: "hostProcess", detail: `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
};

const hostProbesAndHostLifecycle = (_m: ObjectMetaLike, spec: PodSpec): CheckResult | undefined => {
  const bad: string[] = [];
  const hosts: string[] = [];
  for (const c of containersOf(spec)) {
    const handlers = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop];
    const found = handlers.flatMap((h) => [h?.httpGet?.host, h?.tcpSocket?.host]).filter((h): h is string => !!h);
    if (found.length) {
      bad.push(c.name);
      hosts.push(...found);
    }
  }
  if (!bad.length) return undefined;
  const names = sortedSet(bad);
  const list = sortedSet(hosts);
  return {
    reason: "probe or lifecycle host",
    detail: `${containersPhrase(names)} ${pluralize("uses", "use", names.length)} ${pluralize("probe or lifecycle host", "probe or lifecycle hosts", list.length)} ${joinQuote(list)}`,
  };
};

export const BASELINE_CHECKS: Check[] = [
  { id: "appArmorProfile", level: "baseline", versions: [{ minimumVersion: 0, check: appArmorProfile }] },
  { id: "capabilities_baseline", level: "baseline", versions: [{ minimumVersion: 0, check: capabilitiesBaseline }] },
  { id: "hostNamespaces", level: "baseline", versions: [{ minimumVersion: 0, check: hostNamespaces }] },
  { id: "hostPathVolumes", level: "baseline", versions: [{ minimumVersion: 0, check: hostPathVolumes }] },
  { id: "hostPorts", level: "baseline", versions: [{ minimumVersion: 0, check: hostPorts }] },
  { id: "hostProbesAndHostLifecycle", level: "baseline", versions: [{ minimumVersion: 34, check: hostProbesAndHostLifecycle }] },
  { id: "privileged", level: "baseline", versions: [{ minimumVersion: 0, check: privileged }] },
  { id: "procMount", level: "baseline", versions: [{ minimumVersion: 0, check: procMount }] },
  { id: "seLinuxOptions", level: "baseline", versions: [{ minimumVersion: 0, check: seLinuxOptions }] },
  // Before v1.19 the seccomp policy lived in alpha annotations, which no supported client writes.
  { id: "seccompProfile_baseline", level: "baseline", versions: [{ minimumVersion: 19, check: seccompProfileBaseline }] },
  {
    id: "sysctls",
    level: "baseline",
    versions: [
      { minimumVersion: 0, check: sysctls(SAFE_SYSCTLS_1_0) },
      { minimumVersion: 27, check: sysctls(SAFE_SYSCTLS_1_27) },
      { minimumVersion: 29, check: sysctls(SAFE_SYSCTLS_1_29) },
      { minimumVersion: 32, check: sysctls(SAFE_SYSCTLS_1_32) },
    ],
  },
  { id: "windowsHostProcess", level: "baseline", versions: [{ minimumVersion: 0, check: windowsHostProcess }] },
];
