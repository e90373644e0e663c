// PodTopologySpread (score): favours nodes whose domains hold fewer matching pods, for the pod's
// ScheduleAnyway constraints or, when it has no constraints at all, upstream's system defaults
// (hostname maxSkew 3, zone maxSkew 5) over the pods of the same controller. Each domain's count is
// weighted by log(number of domains + 2); the sums are then inverted onto 0..100.
import { MAX_NODE_SCORE, type PreScoreResult, type ScorePlugin } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";
import {
  LABEL_HOSTNAME,
  type SpreadConstraint,
  countMatchingPods,
  matchNodeInclusionPolicies,
  nodeHasAllTopologyKeys,
  podConstraints,
  systemDefaultConstraints,
} from "../topology-spread.js";

export interface TopologySpreadScoreState {
  constraints: SpreadConstraint[];
  /** Feasible nodes missing a topology key of the pod's own constraints: scored 0. */
  ignored: Set<string>;
  /** Per constraint (not hostname): topology value → matching pods. */
  counts: Array<Map<string, number>>;
  weights: number[];
}

const has = (labels: Readonly<Record<string, string>>, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

export function topologySpreadPreScore(pod: PodFacts, feasible: readonly NodeInfo[], all: readonly NodeInfo[]): PreScoreResult<TopologySpreadScoreState> {
  if (all.length === 0) return { skip: true };
  const own = (pod.topologySpreadConstraints?.length ?? 0) > 0;
  const constraints = own ? podConstraints(pod, "ScheduleAnyway") : systemDefaultConstraints(pod);
  if (constraints.length === 0) return { skip: true };
  // Only the pod's own constraints need every key on a node: with the system defaults a node
  // without a zone label still gets hostname spreading.
  const requireAll = own;
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of feasible) {
    const labels = ni.node!.labels;
    if (requireAll && !nodeHasAllTopologyKeys(labels, constraints)) {
      ignored.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey !== LABEL_HOSTNAME) counts[i].set(labels[c.topologyKey] ?? "", 0);
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : counts[i].size) + 2));
  for (const ni of all) {
    const node = ni.node!;
    if (requireAll && !nodeHasAllTopologyKeys(node.labels, constraints)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME || !matchNodeInclusionPolicies(c, pod, node)) return;
      const v = node.labels[c.topologyKey] ?? "";
      const n = counts[i].get(v);
      if (n !== undefined) counts[i].set(v, n + countMatchingPods(ni, c, pod.namespace));
    });
  }
  return { state: { constraints, ignored, counts, weights } };
}

export function topologySpreadScore(pod: PodFacts, ni: NodeInfo, s: TopologySpreadScoreState): number {
  if (s.ignored.has(ni.name)) return 0;
  const labels = ni.node!.labels;
  let score = 0;
  s.constraints.forEach((c, i) => {
    if (!has(labels, c.topologyKey)) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatchingPods(ni, c, pod.namespace) : (s.counts[i].get(labels[c.topologyKey]) ?? 0);
    score += cnt * s.weights[i] + (c.maxSkew - 1);
  });
  return Math.round(score);
}

/** NormalizeScore: fewer matching pods is better; ignored nodes get 0. */
export function topologySpreadNormalize(scores: number[], feasible: readonly NodeInfo[], s: TopologySpreadScoreState): void {
  let min = Infinity;
  let max = 0;
  feasible.forEach((ni, i) => {
    if (s.ignored.has(ni.name)) return;
    if (scores[i] < min) min = scores[i];
    if (scores[i] > max) max = scores[i];
  });
  feasible.forEach((ni, i) => {
    if (s.ignored.has(ni.name)) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.floor((MAX_NODE_SCORE * (max + min - scores[i])) / max);
  });
}

export const podTopologySpreadScore: ScorePlugin<TopologySpreadScoreState> = {
  name: "PodTopologySpread",
  weight: 2,
  preScore: topologySpreadPreScore,
  score: topologySpreadScore,
  normalize: topologySpreadNormalize,
};
