// Topology spread constraints as the PodTopologySpread plugin reads them (podtopologyspread/common.go):
// a pod's own constraints with matchLabelKeys folded into the selector and the inclusion policies
// defaulted, upstream's system default constraints (hostname maxSkew 3, zone maxSkew 5,
// ScheduleAnyway) for pods without any, and the counting of matching pods on a node.
import type { Toleration } from "../apis/core/v1/taints.js";
import { firstUntolerated } from "../apis/core/v1/taints.js";
import { type LabelSelectorLike, selectorMatches } from "../apis/validation.js";
import type { NodeFacts, PodFacts } from "./facts.js";
import type { NodeInfo } from "./node-info.js";
import { requiredNodeAffinityMatches } from "./node-selector.js";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";
export const LABEL_TOPOLOGY_REGION = "topology.kubernetes.io/region";

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  /** The labelSelector with matchLabelKeys merged in; undefined (nil) matches no pod. */
  selector?: LabelSelectorLike;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

/** A constraint ready to count with: a label selector, or (system defaults) the pod's controller. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
  selector?: LabelSelectorLike;
  /** Set for the system defaults: count pods with this controller uid (upstream's DefaultSelector). */
  ownerUid?: string;
}

interface ConstraintWire {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelectorLike | null;
  matchLabelKeys?: string[] | null;
  minDomains?: number | null;
  nodeAffinityPolicy?: string | null;
  nodeTaintsPolicy?: string | null;
}

/** mergeLabelSetWithSelector: the pod's values for matchLabelKeys become extra requirements. */
function mergeMatchLabelKeys(selector: LabelSelectorLike | undefined, keys: readonly string[], podLabels: Readonly<Record<string, string>>): LabelSelectorLike | undefined {
  const extra = keys.filter((k) => Object.prototype.hasOwnProperty.call(podLabels, k));
  if (extra.length === 0) return selector;
  const exprs = extra.map((k) => ({ key: k, operator: "In", values: [podLabels[k]] }));
  // A nil selector has no requirements to keep: the merged selector is the label set alone.
  if (!selector) return { matchExpressions: exprs };
  return { matchLabels: selector.matchLabels, matchExpressions: [...(selector.matchExpressions ?? []), ...exprs] };
}

/** The pod's spec.topologySpreadConstraints, processed; undefined when it has none. */
export function spreadConstraintsFromWire(raw: unknown, podLabels: Readonly<Record<string, string>>): TopologySpreadConstraint[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw.map((r: ConstraintWire) => ({
    maxSkew: r.maxSkew ?? 1,
    topologyKey: r.topologyKey ?? "",
    whenUnsatisfiable: r.whenUnsatisfiable ?? "DoNotSchedule",
    selector: mergeMatchLabelKeys(r.labelSelector ?? undefined, r.matchLabelKeys ?? [], podLabels),
    minDomains: r.minDomains ?? 1,
    nodeAffinityPolicy: r.nodeAffinityPolicy ?? "Honor",
    nodeTaintsPolicy: r.nodeTaintsPolicy ?? "Ignore",
  }));
}

/** filterTopologySpreadConstraints: the pod's constraints with the given whenUnsatisfiable. */
export function podConstraints(pod: PodFacts, action: "DoNotSchedule" | "ScheduleAnyway"): SpreadConstraint[] {
  return (pod.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === action);
}

/**
 * buildDefaultConstraints with the system defaults. The selector is the pod's controller:
 * pods without a controller owner get no default spreading (an empty DefaultSelector).
 */
export function systemDefaultConstraints(pod: PodFacts): SpreadConstraint[] {
  if (!pod.ownerUid) return [];
  const base = { minDomains: 1, nodeAffinityPolicy: "Honor", nodeTaintsPolicy: "Ignore", ownerUid: pod.ownerUid };
  return [
    { ...base, topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
    { ...base, topologyKey: LABEL_TOPOLOGY_ZONE, maxSkew: 5 },
  ];
}

/** Whether the constraint's selector matches a pod's labels (the incoming pod's self-match). */
export function constraintMatchesPod(c: SpreadConstraint, pod: PodFacts): boolean {
  if (c.ownerUid !== undefined) return pod.ownerUid === c.ownerUid;
  return selectorMatches(c.selector, pod.labels as Record<string, string>);
}

/** countPodsMatchSelector: pods of the namespace, not terminating, matching the constraint. */
export function countMatchingPods(ni: NodeInfo, c: SpreadConstraint, namespace: string): number {
  if (c.ownerUid !== undefined) return ni.ownerCount(c.ownerUid);
  let n = 0;
  for (const p of ni.pods.values()) {
    if (p.terminating || p.namespace !== namespace) continue;
    if (selectorMatches(c.selector, p.labels as Record<string, string>)) n++;
  }
  return n;
}

/** nodeLabelsMatchSpreadConstraints: the node carries every constraint's topology key. */
export function nodeHasAllTopologyKeys(labels: Readonly<Record<string, string>>, cs: readonly SpreadConstraint[]): boolean {
  return cs.every((c) => Object.prototype.hasOwnProperty.call(labels, c.topologyKey));
}

const DO_NOT_SCHEDULE = ["NoSchedule", "NoExecute"];

/** matchNodeInclusionPolicies: nodeAffinityPolicy Honor needs the pod's required affinity, nodeTaintsPolicy Honor tolerated taints. */
export function matchNodeInclusionPolicies(c: SpreadConstraint, pod: PodFacts, node: NodeFacts): boolean {
  if (c.nodeAffinityPolicy === "Honor" && !requiredNodeAffinityMatches(pod, node)) return false;
  if (c.nodeTaintsPolicy === "Honor" && firstUntolerated(node.taints, pod.tolerations as Toleration[] | undefined, DO_NOT_SCHEDULE)) return false;
  return true;
}
