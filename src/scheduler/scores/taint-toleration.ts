// TaintToleration (score): counts the node's PreferNoSchedule taints the pod does not tolerate
// (only tolerations with effect PreferNoSchedule or empty count); fewer is better, the node with
// none gets 100.
import { type Taint, type Toleration, toleratedBy } from "../../apis/core/v1/taints.js";
import { type PreScoreResult, type ScorePlugin, defaultNormalizeScore } from "../framework.js";

/** countIntolerableTaintsPreferNoSchedule. */
export function intolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const t of taints) if (t.effect === "PreferNoSchedule" && !toleratedBy(tolerations, t)) n++;
  return n;
}

export const taintTolerationScore: ScorePlugin<Toleration[]> = {
  name: "TaintToleration",
  weight: 3,
  preScore(pod): PreScoreResult<Toleration[]> {
    return { state: (pod.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule") };
  },
  score: (_pod, ni, tolerations) => intolerablePreferNoSchedule(ni.node!.taints, tolerations),
  normalize: (scores) => defaultNormalizeScore(scores, true),
};
