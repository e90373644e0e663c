// NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in equal
// fractions after placing the pod: (1 - std of the fractions) * 100. Uses actual requests, and
// skips best-effort pods (no cpu or memory request) as upstream does since 1.32.
import { MAX_NODE_SCORE, type PreScoreResult, type ScorePlugin } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";

/** balancedResourceScorer over (requested, allocatable) pairs. */
export function balancedResourceScore(pairs: ReadonlyArray<readonly [number, number]>): number {
  const fractions: number[] = [];
  for (const [req, alloc] of pairs) {
    if (alloc === 0) continue;
    fractions.push(Math.min(req / alloc, 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function balancedAllocationScore(pod: PodFacts, ni: NodeInfo): number {
  const alloc = ni.node!.allocatable;
  return balancedResourceScore([
    [ni.requested.milliCPU + pod.requests.milliCPU, alloc.milliCPU],
    [ni.requested.memory + pod.requests.memory, alloc.memory],
  ]);
}

export const balancedAllocation: ScorePlugin<void> = {
  name: "NodeResourcesBalancedAllocation",
  weight: 1,
  preScore(pod): PreScoreResult<void> {
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? { skip: true } : { state: undefined };
  },
  score: (pod, ni) => balancedAllocationScore(pod, ni),
};
