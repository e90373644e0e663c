// Taint-based eviction (upstream's pkg/controller/tainteviction processPodOnNode): a pod on a
// node with NoExecute taints is deleted at once when one of them is not tolerated, otherwise
// once the shortest tolerationSeconds of the tolerations in use has passed since it was first
// seen tolerating them; tolerations without tolerationSeconds hold forever.
import type { Pod } from "../../apis/core/v1/pod.js";
import { type Taint, type Toleration, toleratesTaint } from "../../apis/core/v1/taints.js";
import type { PodDisruptionCondition, PodEviction, PodEvictionMemory, PodOnNode } from "./types.js";

export const TAINT_EVICTION_REASON = "TaintManagerEviction";

export function disruptionCondition(): PodDisruptionCondition {
  return { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" };
}

/** The pod as taint eviction reads it; undefined while it is not bound to a node. */
export function podOnNode(pod: Pod): PodOnNode | undefined {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const p: PodOnNode = { namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "", nodeName };
  if (pod.spec.tolerations) p.tolerations = pod.spec.tolerations;
  if (pod.metadata.deletionTimestamp) p.deletionTimestamp = pod.metadata.deletionTimestamp;
  return p;
}

/** The key of a pod's memory: its uid, so a pod recreated under the same name starts afresh. */
export function podKey(p: Pick<PodOnNode, "namespace" | "name" | "uid">): string {
  return p.uid || `${p.namespace}/${p.name}`;
}

/**
 * v1helper.GetMatchingTolerations: whether every taint is tolerated, and for each taint the first
 * toleration that does (the one whose tolerationSeconds counts, even if a later one is shorter).
 */
export function getMatchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** getMinTolerationTime in seconds: -1 when every toleration in use holds forever; <= 0 counts as 0. */
export function minTolerationSeconds(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min;
}

function eviction(p: PodOnNode): PodEviction {
  return {
    namespace: p.namespace,
    name: p.name,
    uid: p.uid,
    nodeName: p.nodeName,
    reason: TAINT_EVICTION_REASON,
    message: `Marking for deletion Pod ${p.namespace}/${p.name}`,
    condition: disruptionCondition(),
  };
}

/** Without memory of the node (first pass, or memory lost): the clock started with its oldest NoExecute taint. */
function startWithoutMemory(noExecute: readonly Taint[], now: number): number {
  let start = now;
  for (const t of noExecute) {
    const at = Date.parse(t.timeAdded ?? "");
    if (!Number.isNaN(at)) start = Math.min(start, at);
  }
  return start;
}

export interface NodeEvictionInput {
  nodeName: string;
  /** The node's spec.taints as they are after this pass's updates. */
  taints: readonly Taint[];
  pods: readonly PodOnNode[];
  /** Pod memory from the previous pass. */
  memory: Readonly<Record<string, PodEvictionMemory>>;
  /** Whether the previous pass knew the node: a pod newly seen then starts its clock now. */
  nodeKnown: boolean;
  now: number;
}

export interface NodeEvictionResult {
  evictions: PodEviction[];
  /** Memory to keep for this node's pods (those counting down, or due and not yet gone). */
  memory: Record<string, PodEvictionMemory>;
  /** The earliest future time one of them becomes due. */
  nextDueAt?: number;
}

/** processPodOnNode for every pod of one node. */
export function planTaintEviction(input: NodeEvictionInput): NodeEvictionResult {
  const { nodeName, now } = input;
  const out: NodeEvictionResult = { evictions: [], memory: {} };
  const noExecute = input.taints.filter((t) => t.effect === "NoExecute");
  if (noExecute.length === 0) return out;
  const pods = [...input.pods].sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1));
  for (const pod of pods) {
    if (pod.nodeName !== nodeName || pod.deletionTimestamp) continue;
    const { allTolerated, used } = getMatchingTolerations(noExecute, pod.tolerations);
    if (!allTolerated) {
      out.evictions.push(eviction(pod));
      continue;
    }
    const seconds = minTolerationSeconds(used);
    if (seconds < 0) continue;
    const key = podKey(pod);
    const saved = input.memory[key];
    const since = saved && saved.nodeName === nodeName ? saved.since : input.nodeKnown ? now : startWithoutMemory(noExecute, now);
    out.memory[key] = { nodeName, since };
    const due = since + seconds * 1000;
    if (now >= due) out.evictions.push(eviction(pod));
    else out.nextDueAt = Math.min(out.nextDueAt ?? Infinity, due);
  }
  return out;
}
