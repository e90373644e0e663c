// NodeResourcesFit (score, LeastAllocated strategy): favours nodes with more cpu and memory left
// after placing the pod, each resource scored (allocatable - requested) * 100 / allocatable and
// averaged by weight (cpu 1, memory 1). Requests are the non-zero ones: a container without a
// request counts as 100m cpu / 200Mi memory, so best-effort pods still spread.
import { MAX_NODE_SCORE, type ScorePlugin } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";

/** leastRequestedScore. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(pod: PodFacts, ni: NodeInfo): number {
  const alloc = ni.node!.allocatable;
  const pairs: Array<[number, number]> = [
    [ni.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU, alloc.milliCPU],
    [ni.nonZeroRequested.memory + pod.nonZeroRequests.memory, alloc.memory],
  ];
  let score = 0;
  let weights = 0;
  for (const [req, cap] of pairs) {
    if (cap === 0) continue;
    score += leastRequestedScore(req, cap);
    weights += 1;
  }
  return weights === 0 ? 0 : Math.floor(score / weights);
}

export const leastAllocated: ScorePlugin<void> = {
  name: "NodeResourcesFit",
  weight: 1,
  score: (pod, ni) => leastAllocatedScore(pod, ni),
};
