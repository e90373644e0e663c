// The compact extracts of Pods and Nodes the scheduler works from: what the filters and scores
// read, computed once per object version, so the cache never keeps whole objects (1,000 nodes
// and 10,000 pods must fit well under a Durable Object's 128 MB).
import type { PodSpec } from "../apis/core/v1/podspec.js";
import { type Taint, type Toleration, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from "../apis/core/v1/taints.js";
import type { KubeObject } from "../apis/types.js";
import { type AffinityTerm, affinityTermsFromWire } from "./affinity-term.js";
import { type HostPort, sanitizeHostPort } from "./host-ports.js";
import type { NodeSelectorTerm, PreferredSchedulingTerm } from "./node-selector.js";
import { type Allocatable, type Resources, nodeAllocatable, podNonZeroRequests, podResourceRequests } from "./resources.js";
import { type TopologySpreadConstraint, spreadConstraintsFromWire } from "./topology-spread.js";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface PodFacts {
  /** "namespace/name". */
  key: string;
  namespace: string;
  name: string;
  uid: string;
  nodeName?: string;
  schedulerName: string;
  priority: number;
  /** metadata.creationTimestamp in ms since the epoch (0 when unset). */
  creationTimestamp: number;
  phase: string;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  /** spec.schedulingGates is non-empty: the pod waits outside the active queue (SchedulingGates PreEnqueue). */
  schedulingGated?: true;
  /** What NodeResourcesFit checks and the node accounts: containers without a request count 0. */
  requests: Resources;
  /** What scoring counts: 100m / 200Mi for each container without a cpu / memory request. */
  nonZeroRequests: { milliCPU: number; memory: number };
  hostPorts?: HostPort[];
  labels: Readonly<Record<string, string>>;
  /** uid of the controller ownerReference. */
  ownerUid?: string;
  nodeSelector?: Readonly<Record<string, string>>;
  /** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms; [] when present but empty (matches nothing). */
  requiredNodeAffinity?: NodeSelectorTerm[];
  preferredNodeAffinity?: PreferredSchedulingTerm[];
  tolerations?: Toleration[];
  requiredAffinityTerms?: AffinityTerm[];
  requiredAntiAffinityTerms?: AffinityTerm[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
}

export type ConditionStatus = "True" | "False" | "Unknown";

export interface NodeFacts {
  name: string;
  labels: Readonly<Record<string, string>>;
  allocatable: Allocatable;
  /**
   * spec.taints plus the NoSchedule taint the node lifecycle controller puts on a node that is
   * not Ready (node.kubernetes.io/not-ready for False, node.kubernetes.io/unreachable for
   * Unknown), present here even before the controller has written it.
   */
  taints: Taint[];
  unschedulable: boolean;
  ready: ConditionStatus;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** Shares frozen empty maps and drops nothing else: labels are kept as given. */
function labelsOf(v: unknown): Readonly<Record<string, string>> {
  return v && typeof v === "object" && Object.keys(v).length > 0 ? (v as Record<string, string>) : EMPTY;
}

function timeMs(v: unknown): number {
  if (typeof v !== "string") return 0;
  const t = Date.parse(v);
  return Number.isNaN(t) ? 0 : t;
}

interface AffinityWire {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] | null } | null;
    preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
  } | null;
  podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown } | null;
  podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown } | null;
}

type ContainerPortWire = { hostPort?: number; hostIP?: string; protocol?: string };
type ContainerWire = { ports?: ContainerPortWire[]; restartPolicy?: string };

/** schedutil.GetHostPorts: host ports of the containers and of restartable (sidecar) init containers. */
function hostPortsOf(spec: { containers?: ContainerWire[]; initContainers?: ContainerWire[] }): HostPort[] | undefined {
  const out: HostPort[] = [];
  const collect = (c: ContainerWire) => {
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) out.push(sanitizeHostPort(p.hostIP, p.protocol, p.hostPort!));
  };
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === "Always") collect(c);
  for (const c of spec.containers ?? []) collect(c);
  return out.length > 0 ? out : undefined;
}

/** A Pod (as stored, or as a watch event carries it) reduced to what scheduling reads. */
export function podFacts(pod: KubeObject): PodFacts {
  const meta = pod.metadata;
  const spec = (pod.spec ?? {}) as PodSpec & { affinity?: AffinityWire | null };
  const status = (pod.status ?? {}) as { phase?: string };
  const namespace = meta.namespace ?? "default";
  const name = meta.name ?? "";
  const labels = labelsOf(meta.labels);
  const facts: PodFacts = {
    key: `${namespace}/${name}`,
    namespace,
    name,
    uid: meta.uid ?? "",
    schedulerName: spec.schedulerName || DEFAULT_SCHEDULER_NAME,
    priority: spec.priority ?? 0,
    creationTimestamp: timeMs(meta.creationTimestamp),
    phase: status.phase ?? "Pending",
    terminating: !!meta.deletionTimestamp,
    requests: podResourceRequests(spec),
    nonZeroRequests: podNonZeroRequests(spec),
    labels,
  };
  if (spec.nodeName) facts.nodeName = spec.nodeName;
  if (spec.schedulingGates?.length) facts.schedulingGated = true;
  const ports = hostPortsOf(spec as { containers?: ContainerWire[]; initContainers?: ContainerWire[] });
  if (ports) facts.hostPorts = ports;
  const owner = meta.ownerReferences?.find((r) => r.controller);
  if (owner?.uid) facts.ownerUid = owner.uid;
  if (spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0) facts.nodeSelector = spec.nodeSelector;
  if (spec.tolerations?.length) facts.tolerations = spec.tolerations as Toleration[];

  const affinity = spec.affinity ?? undefined;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) facts.requiredNodeAffinity = required.nodeSelectorTerms ?? [];
  const preferred = affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (preferred?.length) facts.preferredNodeAffinity = preferred;
  const podAffinity = affinityTermsFromWire(namespace, affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
  if (podAffinity) facts.requiredAffinityTerms = podAffinity;
  const podAntiAffinity = affinityTermsFromWire(namespace, affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
  if (podAntiAffinity) facts.requiredAntiAffinityTerms = podAntiAffinity;
  const spread = spreadConstraintsFromWire(spec.topologySpreadConstraints, labels);
  if (spread) facts.topologySpreadConstraints = spread;
  return facts;
}

/** The Ready condition's status; a node without one is Unknown. */
function readyOf(conditions: unknown): ConditionStatus {
  const ready = Array.isArray(conditions) ? (conditions as Array<{ type?: string; status?: string }>).find((c) => c.type === "Ready") : undefined;
  return ready?.status === "True" ? "True" : ready?.status === "False" ? "False" : "Unknown";
}

/** The lifecycle controller's taint for a node that is not Ready, appended if the node lacks it. */
function withReadinessTaint(taints: Taint[], ready: ConditionStatus): Taint[] {
  if (ready === "True") return taints;
  const key = ready === "False" ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE;
  if (taints.some((t) => t.key === key && t.effect === "NoSchedule")) return taints;
  return [...taints, { key, effect: "NoSchedule" }];
}

/** A Node reduced to what scheduling reads. */
export function nodeFacts(node: KubeObject): NodeFacts {
  const spec = (node.spec ?? {}) as { unschedulable?: boolean; taints?: Taint[] };
  const status = node.status as { allocatable?: Record<string, unknown>; capacity?: Record<string, unknown>; conditions?: unknown } | undefined;
  const ready = readyOf(status?.conditions);
  const taints = (spec.taints ?? []).map((t) => (t.value ? { key: t.key, value: t.value, effect: t.effect } : { key: t.key, effect: t.effect }));
  return {
    name: node.metadata.name ?? "",
    labels: labelsOf(node.metadata.labels),
    allocatable: nodeAllocatable(status),
    taints: withReadinessTaint(taints, ready),
    unschedulable: !!spec.unschedulable,
    ready,
  };
}
