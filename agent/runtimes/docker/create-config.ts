// CRI configs as `POST /containers/create` bodies: the sandbox's infra container (holding the
// pod's network and IPC namespaces, ports and DNS) and app containers joining it, with Kubernetes'
// command/args meaning and the kubelet's CPU and memory arithmetic.
import type { ContainerConfig, ContainerResources, PodSandboxConfig, PortMapping } from "../runtime.js";
import { containerLabels, sandboxLabels } from "./labels.js";

/** Podman with runc cannot start a container without explicit rlimits on these machines (see MACHINES.md); Docker accepts them too. */
export const ULIMITS = [
  { Name: "nofile", Soft: 1024, Hard: 1024 },
  { Name: "nproc", Soft: 1024, Hard: 1024 },
];

const MIN_SHARES = 2;
const SHARES_PER_CPU = 1024;
const QUOTA_PERIOD = 100_000;
const MIN_QUOTA_PERIOD = 1000;

/** upstream's milliCPUToShares. */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU <= 0) return MIN_SHARES;
  return Math.max(MIN_SHARES, Math.floor((milliCPU * SHARES_PER_CPU) / 1000));
}

/** upstream's milliCPUToQuota (period 100ms). */
export function milliCPUToQuota(milliCPU: number): { CpuQuota: number; CpuPeriod: number } {
  return { CpuQuota: Math.max(MIN_QUOTA_PERIOD, Math.floor((milliCPU * QUOTA_PERIOD) / 1000)), CpuPeriod: QUOTA_PERIOD };
}

export function resourcesHostConfig(r: ContainerResources = {}): Record<string, number> {
  // As the kubelet: shares from the request, or from the limit when only that is set.
  const out: Record<string, number> = { CpuShares: milliCPUToShares(r.cpuRequestMillis ?? r.cpuLimitMillis ?? 0) };
  if (r.cpuLimitMillis !== undefined && r.cpuLimitMillis > 0) Object.assign(out, milliCPUToQuota(r.cpuLimitMillis));
  if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) {
    out.Memory = r.memoryLimitBytes;
    out.MemorySwap = r.memoryLimitBytes; // no swap beyond the limit, as the kubelet
  }
  return out;
}

/**
 * Kubernetes' meaning: `command` replaces the image's ENTRYPOINT (and drops its CMD), `args`
 * replace its CMD. An empty list is the same as none.
 */
export function commandAndArgs(config: Pick<ContainerConfig, "command" | "args">): { Entrypoint?: string[]; Cmd?: string[] } {
  const out: { Entrypoint?: string[]; Cmd?: string[] } = {};
  if (config.command?.length) {
    out.Entrypoint = config.command;
    out.Cmd = config.args ?? [];
  } else if (config.args?.length) {
    out.Cmd = config.args;
  }
  return out;
}

/** `uid:gid` for the engine; with only a gid, the image's user keeps its identity. */
export function userSpec(user: ContainerConfig["user"], imageUser = ""): string | undefined {
  if (!user || (user.uid === undefined && user.gid === undefined)) return undefined;
  const uid = user.uid !== undefined ? String(user.uid) : imageUser.split(":")[0] || "0";
  return user.gid !== undefined ? `${uid}:${user.gid}` : uid;
}

const protocolOf = (p: PortMapping) => p.protocol.toLowerCase();

function ports(mappings: PortMapping[] = []) {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of mappings) {
    if (!p.hostPort) continue;
    const key = `${p.containerPort}/${protocolOf(p)}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIP ?? "", HostPort: String(p.hostPort) });
  }
  return { exposed, bindings };
}

export interface SandboxCreateOptions {
  nodeName: string;
  image: string;
  command: string[];
  /** The network the pod joins (ignored for hostNetwork). */
  network: string;
}

export function sandboxCreateBody(config: PodSandboxConfig, o: SandboxCreateOptions): Record<string, unknown> {
  const { exposed, bindings } = ports(config.hostNetwork ? [] : config.portMappings);
  const hostConfig: Record<string, unknown> = {
    NetworkMode: config.hostNetwork ? "host" : o.network,
    // App containers join its IPC namespace, which Docker allows only when it is shareable.
    IpcMode: "shareable",
    PortBindings: bindings,
    Ulimits: ULIMITS,
    RestartPolicy: { Name: "no" },
  };
  if (config.dns) {
    hostConfig.Dns = config.dns.servers;
    hostConfig.DnsSearch = config.dns.searches;
    hostConfig.DnsOptions = config.dns.options;
  }
  return {
    Image: o.image,
    Entrypoint: o.command.slice(0, 1),
    Cmd: o.command.slice(1),
    // A hostNetwork pod has the node's name, as upstream.
    ...(config.hostNetwork || !config.hostname ? {} : { Hostname: config.hostname }),
    Labels: sandboxLabels(o.nodeName, config),
    ExposedPorts: exposed,
    HostConfig: hostConfig,
  };
}

export interface ContainerCreateOptions {
  nodeName: string;
  sandboxId: string;
  sandbox: PodSandboxConfig;
  /**
   * Sets the pod's hostname on the container too. Docker gives a container that joins another's
   * network that container's hostname (and refuses one of its own); Podman does not, but accepts one.
   */
  hostname?: string;
  /** The image's USER, for a runAsGroup without runAsUser. */
  imageUser?: string;
}

export function containerCreateBody(config: ContainerConfig, o: ContainerCreateOptions): Record<string, unknown> {
  const binds: string[] = [];
  const mounts: Array<Record<string, unknown>> = [];
  for (const m of config.mounts ?? []) {
    // A path with ':' or ',' cannot be said in the Binds syntax.
    if (/[:,]/.test(m.hostPath + m.containerPath)) mounts.push({ Type: "bind", Source: m.hostPath, Target: m.containerPath, ReadOnly: m.readOnly });
    else binds.push(`${m.hostPath}:${m.containerPath}:${m.readOnly ? "ro" : "rw"}`);
  }
  const body: Record<string, unknown> = {
    Image: config.image,
    ...commandAndArgs(config),
    Env: (config.env ?? []).map((e) => `${e.name}=${e.value}`),
    Labels: containerLabels(o.nodeName, o.sandboxId, o.sandbox, config),
    HostConfig: {
      NetworkMode: `container:${o.sandboxId}`,
      IpcMode: `container:${o.sandboxId}`,
      Binds: binds,
      ...(mounts.length ? { Mounts: mounts } : {}),
      Ulimits: ULIMITS,
      RestartPolicy: { Name: "no" },
      ...resourcesHostConfig(config.resources),
      ...(config.readOnlyRootfs ? { ReadonlyRootfs: true } : {}),
      ...(config.noNewPrivileges ? { SecurityOpt: ["no-new-privileges"] } : {}),
    },
  };
  if (config.workingDir) body.WorkingDir = config.workingDir;
  const user = userSpec(config.user, o.imageUser);
  if (user) body.User = user;
  if (o.hostname) body.Hostname = o.hostname;
  return body;
}
