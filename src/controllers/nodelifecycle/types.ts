// The node lifecycle controller's inputs, outputs, options and memory (upstream's
// pkg/controller/nodelifecycle Controller fields and pkg/controller/tainteviction queue), as plain
// JSON-able values: the caller persists `state` between passes and performs the writes.
import type { Lease } from "../../apis/coordination/v1/lease.js";
import type { Node } from "../../apis/core/v1/node.js";
import type { Taint, Toleration } from "../../apis/core/v1/taints.js";

export type NodeCondition = NonNullable<NonNullable<Node["status"]>["conditions"]>[number];

/** kube-controller-manager's node lifecycle flags, in milliseconds where upstream has durations. */
export interface NodeLifecycleOptions {
  /** --node-monitor-grace-period: how long a node may stay silent before it is marked Unknown. */
  nodeMonitorGracePeriodMs: number;
  /** --node-startup-grace-period: the same for a node that never posted a Ready condition. */
  nodeStartupGracePeriodMs: number;
  /** --node-eviction-rate: NoExecute taintings per second per zone in a healthy zone. */
  evictionLimiterQPS: number;
  /** --secondary-node-eviction-rate: the rate in a partially disrupted large zone. */
  secondaryEvictionLimiterQPS: number;
  /** --large-cluster-size-threshold: above this many nodes a disrupted zone keeps the secondary rate. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold: the not-ready fraction (of more than 2 nodes) that disrupts a zone. */
  unhealthyZoneThreshold: number;
}

export const DEFAULT_NODE_LIFECYCLE_OPTIONS: Readonly<NodeLifecycleOptions> = Object.freeze({
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
  evictionLimiterQPS: 0.1,
  secondaryEvictionLimiterQPS: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
});

/** --node-monitor-period: how often the caller should run a pass even when nothing changed. */
export const NODE_MONITOR_PERIOD_MS = 5_000;
/** Where the node agents renew their heartbeat Leases (v1.NamespaceNodeLease). */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** A pod as taint eviction reads it (see podOnNode in eviction.ts to build one from a Pod). */
export interface PodOnNode {
  namespace: string;
  name: string;
  uid: string;
  /** spec.nodeName: the node the pod is bound to. */
  nodeName: string;
  tolerations?: readonly Toleration[];
  /** metadata.deletionTimestamp: a terminating pod is left alone. */
  deletionTimestamp?: string;
}

export interface NodeLifecycleInput {
  /** The controller's clock, milliseconds since the epoch. Node clocks are never read. */
  now: number;
  nodes: readonly Node[];
  /** The Leases of kube-node-lease (others are ignored); one per node, named after it. */
  leases: readonly Lease[];
  /** Pods bound to nodes (spec.nodeName set). */
  pods: readonly PodOnNode[];
  /** The `state` returned by the previous pass; absent on the first pass (or after it was lost). */
  state?: NodeLifecycleState;
  options?: Partial<NodeLifecycleOptions>;
}

/** The Ready condition as last seen (or last written by us), compared to notice the kubelet posting. */
export interface ObservedReady {
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** upstream's nodeHealthData plus the node's place in its zone's tainting queue. */
export interface NodeHealth {
  /** Our time when we last saw the node post (Ready heartbeat or lease renewTime changed). */
  probeTimestamp: number;
  /** Our time when we last saw the Ready condition transition. */
  readyTransitionTimestamp: number;
  /** The Ready condition as last seen; absent while the node never posted one. */
  ready?: ObservedReady;
  /** The node's Lease as last seen; absent while it has none. */
  lease?: { renewTime?: string };
  /** Since when the node waits in its zone's NoExecute tainting queue (RateLimitedTimedQueue). */
  taintQueuedAt?: number;
}

/** upstream's ZoneState. */
export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

/** A zone's disruption state and NoExecute tainting limiter: a token bucket with burst 1. */
export interface ZoneMemory {
  state: ZoneState;
  /** Taintings per second; 0 stops them. */
  qps: number;
  /** With burst 1 the bucket is one time: when its token is (or was) available again. */
  tokenAt: number;
}

/** A pod whose NoExecute taints it tolerates for a while (upstream's TimedWorker CreatedAt). */
export interface PodEvictionMemory {
  nodeName: string;
  /** Our time when the pod was first seen on the node with tolerated NoExecute taints. */
  since: number;
}

export interface NodeLifecycleState {
  nodes: Record<string, NodeHealth>;
  zones: Record<string, ZoneMemory>;
  /** Keyed by pod uid (namespace/name when it has none). */
  pods: Record<string, PodEvictionMemory>;
}

export function emptyNodeLifecycleState(): NodeLifecycleState {
  return { nodes: {}, zones: {}, pods: {} };
}

/** Write nodes/<name>/status with these conditions (every other status field unchanged). */
export interface NodeStatusUpdate {
  name: string;
  /** Precondition: the node as read; on conflict the kubelet posted meanwhile, skip (the next pass decides again). */
  resourceVersion?: string;
  /** The full new status.conditions. */
  conditions: NodeCondition[];
}

/**
 * Change nodes/<name> spec.taints. `taints` is the full new list as computed from the node read;
 * `add`/`remove` are the same change as edits, which applyTaintUpdate replays onto a fresher
 * node inside a read-modify-write (as upstream's AddOrUpdateTaintOnNode / RemoveTaintOffNode
 * retry on conflict), so a taint someone else set meanwhile survives.
 */
export interface NodeTaintUpdate {
  name: string;
  /** The node's resourceVersion as read (a status update in the same plan changes it). */
  resourceVersion?: string;
  /** The full new spec.taints. */
  taints: Taint[];
  /** Taints to set, replacing one of the same key and effect. */
  add: Taint[];
  /** Key and effect of taints to drop. */
  remove: Pick<Taint, "key" | "effect">[];
}

/** The DisruptionTarget condition upstream adds to the pod's status before deleting it. */
export interface PodDisruptionCondition {
  type: "DisruptionTarget";
  status: "True";
  reason: "DeletionByTaintManager";
  message: string;
}

/** Delete this pod (uid as precondition), after recording the event and setting the condition. */
export interface PodEviction {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  /** The event's reason ("TaintManagerEviction", type Normal, involving the pod). */
  reason: "TaintManagerEviction";
  /** The event's message: "Marking for deletion Pod <ns>/<name>". */
  message: string;
  condition: PodDisruptionCondition;
}

export interface NodeLifecyclePlan {
  nodeStatusUpdates: NodeStatusUpdate[];
  taintUpdates: NodeTaintUpdate[];
  evictions: PodEviction[];
  /** The earliest time something becomes due (a node's grace period, a zone token, a pod's toleration). */
  nextWakeAt?: number;
  /** Each zone's state after this pass (zone key as zoneKey: "region:\0:zone", "" for none). */
  zoneStates: Record<string, ZoneState>;
  /** Whether every zone is fully disrupted: NoExecute taints are withheld everywhere. */
  allZonesDisrupted: boolean;
  /** Pass this back as `state` next time. */
  state: NodeLifecycleState;
}
