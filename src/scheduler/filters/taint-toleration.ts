// TaintToleration (filter): a node whose NoSchedule or NoExecute taint the pod does not tolerate
// is rejected, reporting the first such taint. The node's taints include the not-ready /
// unreachable taint its Ready condition implies (see nodeFacts).
import { type Taint, firstUntolerated, taintString } from "../../apis/core/v1/taints.js";
import type { FilterPlugin, FilterResult } from "../framework.js";

const DO_NOT_SCHEDULE = ["NoSchedule", "NoExecute"];

/** The reason string upstream reports for an untolerated taint. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint ${taintString(taint)}`;
}

export const taintToleration: FilterPlugin<void> = {
  name: "TaintToleration",
  filter(pod, ni): FilterResult {
    const taint = firstUntolerated(ni.node?.taints, pod.tolerations, DO_NOT_SCHEDULE);
    return taint ? [untoleratedTaintReason(taint)] : undefined;
  },
};
