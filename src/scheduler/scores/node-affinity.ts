// NodeAffinity (score): the sum of the weights of the pod's preferred node affinity terms the
// node matches, scaled so the best node gets 100.
import { type PreScoreResult, type ScorePlugin, defaultNormalizeScore } from "../framework.js";
import { preferredTermsScore } from "../node-selector.js";

export const nodeAffinityScore: ScorePlugin<void> = {
  name: "NodeAffinity",
  weight: 2,
  preScore(pod): PreScoreResult<void> {
    return pod.preferredNodeAffinity ? { state: undefined } : { skip: true };
  },
  score: (pod, ni) => preferredTermsScore(pod.preferredNodeAffinity ?? [], ni.node!),
  normalize: (scores) => defaultNormalizeScore(scores, false),
};
