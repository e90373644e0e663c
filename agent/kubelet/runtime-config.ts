// What the runtime is asked for from a pod's spec (upstream's generatePodSandboxConfig and
// generateContainerConfig): the sandbox with its host ports, each container with its resources
// (millicores, bytes), user and group, termination message path, and the labels the kubelet
// reads back after a restart. Pure.
import { parseQuantity } from "../../src/admission/quantity.js";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Container } from "../../src/apis/core/v1/podspec.js";
import {
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerResources,
  type Mount,
  type PodSandboxConfig,
  type PortMapping,
} from "../runtimes/runtime.js";
import { containerHash, type ContainerToStart } from "./pod-actions.js";
import { LABEL_CONTAINER_HASH, LABEL_CONTAINER_RESTART_COUNT } from "./pod-status.js";

export function podLabels(pod: Pod): Record<string, string> {
  return { [LABEL_POD_NAME]: pod.metadata.name ?? "", [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? "", [LABEL_POD_UID]: pod.metadata.uid ?? "" };
}

/** Host ports of the pod's containers (upstream maps only the regular containers' ports). */
export function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || !p.containerPort) continue;
      const protocol = p.protocol === "UDP" || p.protocol === "SCTP" ? p.protocol : "TCP";
      out.push({ protocol, containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return out;
}

export function sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
  const ports = portMappings(pod);
  return {
    name: pod.metadata.name ?? "",
    namespace: pod.metadata.namespace ?? "",
    uid: pod.metadata.uid ?? "",
    attempt,
    hostname: pod.spec.hostname ?? pod.metadata.name ?? "",
    hostNetwork: !!pod.spec.hostNetwork,
    labels: { ...pod.metadata.labels, ...podLabels(pod) },
    annotations: { ...pod.metadata.annotations },
    ...(ports.length ? { portMappings: ports } : {}),
  };
}

const millis = (q: unknown) => (q === undefined ? 0 : Number((parseQuantity(q as string).nanos + 999_999n) / 1_000_000n));
const bytes = (q: unknown) => (q === undefined ? 0 : Number((parseQuantity(q as string).nanos + 999_999_999n) / 1_000_000_000n));

/** limits.cpu and requests.cpu in millicores (a request defaults to the limit), limits.memory in bytes. */
export function containerResources(c: Pick<Container, "resources">): ContainerResources | undefined {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const out: ContainerResources = {};
  try {
    const cpuLimit = millis(limits.cpu);
    const cpuRequest = millis(requests.cpu) || cpuLimit;
    const memory = bytes(limits.memory);
    if (cpuLimit) out.cpuLimitMillis = cpuLimit;
    if (cpuRequest) out.cpuRequestMillis = cpuRequest;
    if (memory) out.memoryLimitBytes = memory;
  } catch {
    return undefined; // validation refuses bad quantities before a pod gets here
  }
  return Object.keys(out).length ? out : undefined;
}

/** runAsUser and runAsGroup, the container's over the pod's. */
export function containerUser(pod: Pod, c: Pick<Container, "securityContext">): ContainerConfig["user"] {
  const podCtx = (pod.spec.securityContext ?? {}) as { runAsUser?: number; runAsGroup?: number };
  const ctx = (c.securityContext ?? {}) as { runAsUser?: number; runAsGroup?: number };
  const uid = ctx.runAsUser ?? podCtx.runAsUser;
  const gid = ctx.runAsGroup ?? podCtx.runAsGroup;
  if (uid === undefined && gid === undefined) return undefined;
  return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
}

export interface PreparedContainer {
  env: Array<{ name: string; value: string }>;
  mounts: Mount[];
  command?: string[];
  args?: string[];
}

export function containerConfig(pod: Pod, start: ContainerToStart, prepared: PreparedContainer): ContainerConfig {
  const c = start.spec;
  const resources = containerResources(c);
  const user = containerUser(pod, c);
  return {
    name: c.name,
    image: c.image ?? "",
    command: prepared.command ?? c.command,
    args: prepared.args ?? c.args,
    env: prepared.env,
    workingDir: c.workingDir,
    mounts: prepared.mounts,
    ...(resources ? { resources } : {}),
    ...(c.terminationMessagePath ? { terminationMessagePath: c.terminationMessagePath } : {}),
    ...(user ? { user } : {}),
    ...(c.securityContext?.readOnlyRootFilesystem ? { readOnlyRootfs: true } : {}),
    ...(c.securityContext?.allowPrivilegeEscalation === false ? { noNewPrivileges: true } : {}),
    kind: start.kind,
    labels: { ...podLabels(pod), [LABEL_CONTAINER_NAME]: c.name, [LABEL_CONTAINER_RESTART_COUNT]: String(start.restartCount), [LABEL_CONTAINER_HASH]: containerHash(c) },
    annotations: {},
  };
}
