// The scheduling framework's extension points as plain objects (upstream's framework.Plugin
// interfaces): PreFilter computes per-cycle state over all nodes and may narrow the nodes or reject
// the pod outright; Filter judges one node and returns the reasons it failed; PreScore, Score and
// NormalizeScore rank the feasible nodes on 0..MAX_NODE_SCORE before weights are applied.
import type { PodFacts } from "./facts.js";
import type { NodeInfo } from "./node-info.js";

export const MAX_NODE_SCORE = 100;

/** The reasons a node failed a filter; undefined when it passed. */
export type FilterResult = readonly string[] | undefined;

export type PreFilterResult<S> =
  /** The plugin has nothing to check for this pod (Skip): its Filter is not run. */
  | { skip: true }
  /** State for Filter; nodeNames narrows the nodes worth evaluating (PreFilterResult.NodeNames). */
  | { state: S; nodeNames?: ReadonlySet<string> }
  /** The pod fits no node at all (UnschedulableAndUnresolvable at PreFilter). */
  | { rejected: string };

export interface FilterPlugin<S = unknown> {
  readonly name: string;
  preFilter?(pod: PodFacts, nodes: readonly NodeInfo[]): PreFilterResult<S>;
  filter(pod: PodFacts, node: NodeInfo, state: S): FilterResult;
}

export type PreScoreResult<S> = { skip: true } | { state: S };

export interface ScorePlugin<S = unknown> {
  readonly name: string;
  readonly weight: number;
  /** Runs once per cycle over the feasible nodes (and every node, for counting). */
  preScore?(pod: PodFacts, feasible: readonly NodeInfo[], all: readonly NodeInfo[]): PreScoreResult<S>;
  score(pod: PodFacts, node: NodeInfo, state: S): number;
  /** Rewrites `scores` (parallel to `feasible`) in place onto 0..MAX_NODE_SCORE. */
  normalize?(scores: number[], feasible: readonly NodeInfo[], state: S): void;
}

/**
 * helper.DefaultNormalizeScore: scales so the highest score becomes MAX_NODE_SCORE; `reverse`
 * makes lower raw scores better. All-zero scores become MAX (reverse) or stay 0.
 */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
