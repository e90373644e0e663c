// Builders of Node and Pod objects (in their stored wire shape) and a seeded random source, for
// the scheduler's tests. Not used by the scheduler itself.
import type { KubeObject } from "../apis/types.js";

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  /** Further allocatable resources (extended resources). */
  allocatable?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: boolean;
  /** The Ready condition's status; null leaves the condition out. Default "True". */
  ready?: "True" | "False" | "Unknown" | null;
}

export function makeNode(name: string, o: NodeOptions = {}): KubeObject {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110", ...o.allocatable };
  if (o.ephemeralStorage) allocatable["ephemeral-storage"] = o.ephemeralStorage;
  const ready = o.ready === undefined ? "True" : o.ready;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-node-${name}`, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { capacity: allocatable, allocatable, conditions: ready === null ? [] : [{ type: "Ready", status: ready }] },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  ephemeralStorage?: string;
  /** Further requests (extended resources). */
  requests?: Record<string, string>;
  nodeName?: string;
  labels?: Record<string, string>;
  /** uid of a controller ownerReference (a ReplicaSet). */
  owner?: string;
  priority?: number;
  created?: string;
  phase?: string;
  deleting?: boolean;
  nodeSelector?: Record<string, string>;
  affinity?: Record<string, unknown>;
  tolerations?: Array<Record<string, unknown>>;
  hostPorts?: Array<{ hostPort: number; protocol?: string; hostIP?: string }>;
  topologySpreadConstraints?: Array<Record<string, unknown>>;
  /** Replaces the single generated container. */
  containers?: Array<Record<string, unknown>>;
  initContainers?: Array<Record<string, unknown>>;
  overhead?: Record<string, string>;
  schedulerName?: string;
}

export function makePod(name: string, o: PodOptions = {}): KubeObject {
  const requests: Record<string, string> = { ...o.requests };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  if (o.ephemeralStorage) requests["ephemeral-storage"] = o.ephemeralStorage;
  const container: Record<string, unknown> = { name: "c", image: "busybox", resources: Object.keys(requests).length ? { requests } : {} };
  if (o.hostPorts) container.ports = o.hostPorts.map((p) => ({ containerPort: p.hostPort, ...p }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `uid-${o.namespace ?? "default"}-${name}`,
      labels: o.labels,
      creationTimestamp: o.created ?? "2024-01-01T00:00:00Z",
      deletionTimestamp: o.deleting ? "2024-01-01T01:00:00Z" : undefined,
      ownerReferences: o.owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: o.owner, controller: true }] : undefined,
    },
    spec: {
      containers: o.containers ?? [container],
      initContainers: o.initContainers,
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: o.affinity,
      tolerations: o.tolerations,
      topologySpreadConstraints: o.topologySpreadConstraints,
      priority: o.priority,
      overhead: o.overhead,
      schedulerName: o.schedulerName ?? "default-scheduler",
    },
    status: { phase: o.phase ?? (o.nodeName ? "Running" : "Pending") },
  };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
