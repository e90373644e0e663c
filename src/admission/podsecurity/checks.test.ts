// Each Pod Security Standards check, as upstream's check_*_test.go cases: the reason and the
// detail it reports for a violating pod, nothing for a compliant one.
import { describe, expect, it } from "vitest";
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { ObjectMetaLike } from "../../apis/types.js";
import type { Check } from "./check.js";
import { BASELINE_CHECKS } from "./checks-baseline.js";
import { RESTRICTED_CHECKS } from "./checks-restricted.js";

const check = (id: string) => {
  const c = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS].find((x: Check) => x.id === id)!;
  const latest = c.versions[c.versions.length - 1].check;
  return (spec: Record<string, unknown>, meta: ObjectMetaLike = {}) => latest(meta, spec as unknown as PodSpec);
};
const containers = (...scs: Array<Record<string, unknown> | undefined>) => ({
  containers: scs.map((securityContext, i) => ({ name: `c${i}`, image: "x", securityContext })),
});

describe("baseline checks", () => {
  it("hostNamespaces", () => {
    expect(check("hostNamespaces")({ hostNetwork: true, hostIPC: true })).toEqual({ reason: "host namespaces", detail: "hostNetwork=true, hostIPC=true" });
    expect(check("hostNamespaces")({ hostPID: false })).toBeUndefined();
  });

  it("privileged", () => {
    expect(check("privileged")(containers({ privileged: true }, { privileged: false }, { privileged: true }))).toEqual({
      reason: "privileged",
      detail: 'containers "c0", "c2" must not set securityContext.privileged=true',
    });
  });

  it("capabilities_baseline", () => {
    expect(check("capabilities_baseline")(containers({ capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_ADMIN"] } }))).toEqual({
      reason: "non-default capabilities",
      detail: 'container "c0" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add',
    });
    expect(check("capabilities_baseline")(containers({ capabilities: { add: ["NET_BIND_SERVICE"] } }))).toBeUndefined();
  });

  it("hostPathVolumes and hostPorts", () => {
    expect(check("hostPathVolumes")({ volumes: [{ name: "a", hostPath: { path: "/" } }, { name: "b", emptyDir: {} }] })).toEqual({ reason: "hostPath volumes", detail: 'volume "a"' });
    const ports = { containers: [{ name: "c", ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 80 }] }] };
    expect(check("hostPorts")(ports)).toEqual({ reason: "hostPort", detail: 'container "c" uses hostPorts 80, 8080' });
  });

  it("appArmorProfile, seLinuxOptions, procMount, seccompProfile", () => {
    expect(check("appArmorProfile")({ securityContext: { appArmorProfile: { type: "Unconfined" } } })).toEqual({
      reason: "forbidden AppArmor profile",
      detail: 'pod must not set AppArmor profile type to "Unconfined"',
    });
    expect(check("seLinuxOptions")(containers({ seLinuxOptions: { type: "spc_t", user: "root" } }))).toEqual({
      reason: "seLinuxOptions",
      detail: 'container "c0" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set',
    });
    expect(check("procMount")(containers({ procMount: "Unmasked" }))).toEqual({ reason: "procMount", detail: 'container "c0" must not set securityContext.procMount to "Unmasked"' });
    expect(check("seccompProfile_baseline")({ securityContext: { seccompProfile: { type: "Unconfined" } }, ...containers({ seccompProfile: { type: "Unconfined" } }) })).toEqual({
      reason: "seccompProfile",
      detail: 'pod and container "c0" must not set securityContext.seccompProfile.type to "Unconfined"',
    });
  });

  it("sysctls, windowsHostProcess, probe and lifecycle hosts", () => {
    expect(check("sysctls")({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_syncookies" }, { name: "kernel.msgmax" }] } })).toEqual({ reason: "forbidden sysctls", detail: "kernel.msgmax" });
    expect(check("windowsHostProcess")({ securityContext: { windowsOptions: { hostProcess: true } } })).toEqual({
      reason: "hostProcess",
      detail: "pod must not set securityContext.windowsOptions.hostProcess=true",
    });
    expect(check("hostProbesAndHostLifecycle")({ containers: [{ name: "c", livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } }] })).toEqual({
      reason: "probe or lifecycle host",
      detail: 'container "c" uses probe or lifecycle host "10.0.0.1"',
    });
  });
});

describe("restricted checks", () => {
  it("allowPrivilegeEscalation", () => {
    expect(check("allowPrivilegeEscalation")(containers(undefined, { allowPrivilegeEscalation: false }))).toEqual({
      reason: "allowPrivilegeEscalation != false",
      detail: 'container "c0" must set securityContext.allowPrivilegeEscalation=false',
    });
    expect(check("allowPrivilegeEscalation")({ os: { name: "windows" }, ...containers(undefined) })).toBeUndefined();
  });

  it("capabilities_restricted", () => {
    expect(check("capabilities_restricted")(containers(undefined, { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_RAW"] } }))).toEqual({
      reason: "unrestricted capabilities",
      detail: 'container "c0" must set securityContext.capabilities.drop=["ALL"]; container "c1" must not include "NET_RAW" in securityContext.capabilities.add',
    });
  });

  it("restrictedVolumes", () => {
    expect(check("restrictedVolumes")({ volumes: [{ name: "a", hostPath: {} }, { name: "b", configMap: { name: "x" } }, { name: "c", nfs: {} }] })).toEqual({
      reason: "restricted volume types",
      detail: 'volumes "a", "c" use restricted volume types "hostPath", "nfs"',
    });
  });

  it("runAsNonRoot and runAsUser", () => {
    expect(check("runAsNonRoot")(containers(undefined))).toEqual({ reason: "runAsNonRoot != true", detail: 'pod or container "c0" must set securityContext.runAsNonRoot=true' });
    expect(check("runAsNonRoot")({ securityContext: { runAsNonRoot: true }, ...containers(undefined) })).toBeUndefined();
    expect(check("runAsNonRoot")({ securityContext: { runAsNonRoot: false }, ...containers({ runAsNonRoot: false }) })).toEqual({
      reason: "runAsNonRoot != true",
      detail: 'pod and container "c0" must not set securityContext.runAsNonRoot=false',
    });
    expect(check("runAsUser")({ securityContext: { runAsUser: 0 }, ...containers({ runAsUser: 1000 }) })).toEqual({ reason: "runAsUser=0", detail: "pod must not set runAsUser=0" });
  });

  it("seccompProfile_restricted", () => {
    expect(check("seccompProfile_restricted")(containers(undefined, { seccompProfile: { type: "RuntimeDefault" } }))).toEqual({
      reason: "seccompProfile",
      detail: 'pod or container "c0" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    });
    expect(check("seccompProfile_restricted")({ securityContext: { seccompProfile: { type: "Localhost" } }, ...containers(undefined) })).toBeUndefined();
  });
});
