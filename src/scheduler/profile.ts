// The default scheduler profile: the filter plugins in upstream's order (the framework stops at a
// node's first failing filter) and the score plugins with their default weights. Volume, image
// and preferred inter-pod affinity plugins are not part of edgeplane's scheduler.
import { interPodAffinity } from "./filters/inter-pod-affinity.js";
import { nodeAffinity } from "./filters/node-affinity.js";
import { nodePorts } from "./filters/node-ports.js";
import { nodeResourcesFit } from "./filters/node-resources-fit.js";
import { nodeUnschedulable } from "./filters/node-unschedulable.js";
import { podTopologySpread } from "./filters/pod-topology-spread.js";
import { taintToleration } from "./filters/taint-toleration.js";
import type { FilterPlugin, ScorePlugin } from "./framework.js";
import { balancedAllocation } from "./scores/balanced-allocation.js";
import { leastAllocated } from "./scores/least-allocated.js";
import { nodeAffinityScore } from "./scores/node-affinity.js";
import { podTopologySpreadScore } from "./scores/pod-topology-spread.js";
import { taintTolerationScore } from "./scores/taint-toleration.js";

export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

export const defaultProfile: Profile = {
  filters: [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, podTopologySpread, interPodAffinity],
  scores: [taintTolerationScore, nodeAffinityScore, leastAllocated, podTopologySpreadScore, balancedAllocation],
};
