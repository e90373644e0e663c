// The Node a kubelet registers and the status it reports, as pure functions of the node's
// configuration and the clock (upstream's kubelet_node_status.go and nodestatus setters):
// labels, capacity and allocatable, addresses, nodeInfo, the four conditions, and when the
// status on the server needs a new post.
import { canonicalJson } from "../../src/lib/canonical-json.js";
import type { Machine } from "./machine.js";

export const KUBELET_VERSION = "v1.32.0-edgeplane";
export const KUBELET_PORT = 10250;
export const DEFAULT_MAX_PODS = 110;
/** A status older than this is posted again even if nothing changed (the heartbeat). */
export const NODE_STATUS_REPORT_MS = 60_000;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeConfig {
  name: string;
  /** Labels from --labels (the kubelet's well-known ones are added). */
  labels: Record<string, string>;
  taints: Taint[];
  /** Resource name → quantity, already merged with the machine's. */
  capacity: Record<string, string>;
  internalIP: string;
  hostname: string;
  podCIDR: string;
  machine: Machine;
  /** e.g. simulated://0.1.0 */
  containerRuntimeVersion: string;
  /** Annotations the agent owns on its Node (the service proxy's relay port); null: removed if present. */
  annotations?: Record<string, string | null>;
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What the kubelet owns in a Node's status. */
export interface OwnedNodeStatus {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  addresses: Array<{ type: string; address: string }>;
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: Record<string, string>;
}

const CONDITIONS: Array<Omit<NodeCondition, "lastHeartbeatTime" | "lastTransitionTime">> = [
  { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
  { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/** RFC 3339 with seconds, as metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The machine's resources as a ResourceList (the kubelet's cadvisor-derived capacity). */
export function machineCapacity(m: Machine): Record<string, string> {
  const out: Record<string, string> = { cpu: String(m.cpus), memory: `${Math.floor(m.memoryBytes / 1024)}Ki`, pods: String(DEFAULT_MAX_PODS) };
  if (m.diskBytes > 0) out["ephemeral-storage"] = `${Math.floor(m.diskBytes / 1024)}Ki`;
  return out;
}

/** The labels the kubelet puts on its Node (upstream's well-known labels) and the user's. */
export function nodeLabels(cfg: NodeConfig): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": cfg.machine.arch,
    "beta.kubernetes.io/os": cfg.machine.os,
    "kubernetes.io/arch": cfg.machine.arch,
    "kubernetes.io/hostname": cfg.hostname,
    "kubernetes.io/os": cfg.machine.os,
    ...cfg.labels,
  };
}

/** The four conditions at `now`, keeping each previous lastTransitionTime whose status did not change. */
export function nodeConditions(now: number, previous: NodeCondition[] = []): NodeCondition[] {
  const ts = rfc3339(now);
  return CONDITIONS.map((c) => {
    const old = previous.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : ts;
    return { ...c, lastHeartbeatTime: ts, lastTransitionTime };
  });
}

export function ownedNodeStatus(cfg: NodeConfig, now: number, previous: NodeCondition[] = []): OwnedNodeStatus {
  const m = cfg.machine;
  return {
    capacity: { ...cfg.capacity },
    // No reservations (kube-reserved, system-reserved, eviction thresholds): all of it is allocatable.
    allocatable: { ...cfg.capacity },
    conditions: nodeConditions(now, previous),
    addresses: [
      { type: "InternalIP", address: cfg.internalIP },
      { type: "Hostname", address: cfg.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: cfg.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: m.os,
      architecture: m.arch,
    },
  };
}

/** The agent's annotations that are set (null ones are only removed from an existing Node). */
const ownedAnnotations = (cfg: NodeConfig): Record<string, string> =>
  Object.fromEntries(Object.entries(cfg.annotations ?? {}).filter((e): e is [string, string] => e[1] !== null));

/** The Node to register (POST /api/v1/nodes). */
export function newNode(cfg: NodeConfig, now: number): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: cfg.name,
      labels: nodeLabels(cfg),
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true", ...ownedAnnotations(cfg) },
    },
    // spec.podCIDR is the control plane's to give (node IPAM); the agent's own is a fallback.
    spec: { ...(cfg.taints.length ? { taints: cfg.taints } : {}) },
    status: ownedNodeStatus(cfg, now),
  };
}

interface NodeLike {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: { taints?: Taint[]; podCIDR?: string };
  status?: Partial<OwnedNodeStatus>;
}

/**
 * The merge patch that brings an existing Node's labels, taints and pod CIDR up to date (after
 * a 409 on registration), or undefined when it is. Taints others added (the node lifecycle
 * controller's, `kubectl taint`) are kept; a pod CIDR already set is never changed.
 */
export function nodeMetaPatch(existing: NodeLike, cfg: NodeConfig): Record<string, unknown> | undefined {
  const patch: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {};
  const want = nodeLabels(cfg);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) if (existing.metadata?.labels?.[k] !== v) labels[k] = v;
  if (Object.keys(labels).length) patch.metadata = { labels };
  const annotations: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(cfg.annotations ?? {})) if ((existing.metadata?.annotations?.[k] ?? null) !== v) annotations[k] = v;
  if (Object.keys(annotations).length) patch.metadata = { ...patch.metadata, annotations };
  const taints = [...(existing.spec?.taints ?? [])];
  let taintsChanged = false;
  for (const t of cfg.taints) {
    const i = taints.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i < 0) taints.push(t);
    else if ((taints[i].value ?? "") !== (t.value ?? "")) taints[i] = t;
    else continue;
    taintsChanged = true;
  }
  if (taintsChanged) patch.spec = { taints };
  if (!patch.metadata && !patch.spec) return undefined;
  // The resourceVersion makes the patch fail with 409 if the Node changed since it was read.
  patch.metadata = { ...patch.metadata, resourceVersion: existing.metadata?.resourceVersion };
  return patch;
}

/** Why the status on the server needs a new post now, or undefined when it does not. */
export function statusUpdateReason(node: NodeLike, cfg: NodeConfig, now: number): string | undefined {
  const st = node.status ?? {};
  const conditions = st.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  if (!ready) return "the Ready condition is missing";
  if (ready.status !== "True") return `the Ready condition is ${ready.status}`;
  for (const c of CONDITIONS) {
    const cur = conditions.find((x) => x.type === c.type);
    if (!cur || cur.status !== c.status || cur.reason !== c.reason) return `the ${c.type} condition changed`;
  }
  const beat = Date.parse(ready.lastHeartbeatTime ?? "");
  if (!Number.isFinite(beat) || now - beat >= NODE_STATUS_REPORT_MS) return "the last heartbeat is too old";
  const want = ownedNodeStatus(cfg, now, conditions);
  for (const key of ["capacity", "allocatable", "addresses", "daemonEndpoints", "nodeInfo"] as const) {
    if (canonicalJson(st[key] ?? null) !== canonicalJson(want[key])) return `${key} changed`;
  }
  return undefined;
}
