// Pod predicates the workload controllers share (upstream's controller_utils.go and
// api/v1/pod/util.go): which pods count, which are ready or available, which to delete first.
import type { Pod } from "../../apis/core/v1/pod.js";

type OwnerReference = NonNullable<Pod["metadata"]["ownerReferences"]>[number];

/** PodDeletionCost annotation: pods with a lower cost are deleted first. */
export const POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when absent or unparseable. */
export function timeMs(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** metav1.GetControllerOf: the owner reference with controller=true. */
export function controllerOf(obj: { metadata: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** controller.IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** controller.FilterActivePods. */
export function filterActivePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === "True";
}

/**
 * podutil.IsPodAvailable: ready, and ready for at least minReadySeconds as measured from the
 * Ready condition's lastTransitionTime (strictly before now, as upstream's Time.Before).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = timeMs(readyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** Go's map lookup of podPhaseToOrdinal: a phase not in the map (or none) is 0. */
const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const ordinal = (pod: Pod) => phaseOrdinal[pod.status?.phase ?? ""] ?? 0;

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function readyTime(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  return c?.status === "True" ? timeMs(c.lastTransitionTime) : undefined;
}

function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** afterOrZero: a zero time sorts first, otherwise the later time does. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** logarithmicRankDiff: compare ages on a log2 scale of nanoseconds, as LogarithmicScaleDown does. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const dNanos = (now - t) * 1e6;
    return dNanos > 0 ? Math.floor(Math.log2(dNanos)) : -1;
  };
  return rank(t1) - rank(t2);
}

function compareTimes(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, now: number | undefined): boolean {
  if (now === undefined || ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logarithmicRankDiff(ta, tb, now);
  if (diff === 0) return (a.metadata.uid ?? "") < (b.metadata.uid ?? "");
  return diff < 0;
}

/**
 * ActivePodsWithRanks.Less with the PodDeletionCost and LogarithmicScaleDown gates on (their
 * defaults): true when `a` should be deleted before `b`.
 *  1. unassigned < assigned  2. Pending < Unknown < Running  3. not ready < ready
 *  4. lower pod-deletion-cost first  5. more colocated related pods (rank) first
 *  6. ready for less time first  7. more container restarts first  8. newer first
 * Times in 6 and 8 compare on a log scale with the UID as tie-break, so equivalent pods are
 * deleted in a pseudo-random order.
 */
export function activePodLess(a: Pod, b: Pod, rankA: number, rankB: number, now?: number): boolean {
  const nodeA = a.spec.nodeName ?? "";
  const nodeB = b.spec.nodeName ?? "";
  if (nodeA !== nodeB && (nodeA === "" || nodeB === "")) return nodeA === "";
  if (ordinal(a) !== ordinal(b)) return ordinal(a) < ordinal(b);
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return !readyA;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA < costB;
  if (rankA !== rankB) return rankA > rankB;
  if (readyA && readyB) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) return compareTimes(a, b, ta, tb, now);
  }
  if (maxContainerRestarts(a) !== maxContainerRestarts(b)) return maxContainerRestarts(a) > maxContainerRestarts(b);
  const ca = timeMs(a.metadata.creationTimestamp);
  const cb = timeMs(b.metadata.creationTimestamp);
  if (ca !== cb) return compareTimes(a, b, ca, cb, now);
  return false;
}

/**
 * getPodsToDelete: the `count` pods to delete first. Each pod's rank is the number of active
 * related pods (the ReplicaSet's own and its siblings' under the same Deployment) on its node.
 */
export function podsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], count: number, now?: number): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec.nodeName ?? "";
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? "") ?? 0 }));
  ranked.sort((x, y) => (activePodLess(x.pod, y.pod, x.rank, y.rank, now) ? -1 : activePodLess(y.pod, x.pod, y.rank, x.rank, now) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
