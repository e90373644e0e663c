// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint that cordoning implies.
import { TAINT_NODE_UNSCHEDULABLE, toleratedBy } from "../../apis/core/v1/taints.js";
import type { FilterPlugin, FilterResult } from "../framework.js";

export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
const REJECT: readonly string[] = [ERR_REASON_UNSCHEDULABLE];
const UNSCHEDULABLE_TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" };

export const nodeUnschedulable: FilterPlugin<void> = {
  name: "NodeUnschedulable",
  filter(pod, ni): FilterResult {
    if (!ni.node?.unschedulable) return undefined;
    return toleratedBy(pod.tolerations, UNSCHEDULABLE_TAINT) ? undefined : REJECT;
  },
};
