// NodePorts: every host port the pod asks for must be free on the node for its protocol and IP
// (0.0.0.0 conflicts with any IP).
import type { FilterPlugin, FilterResult, PreFilterResult } from "../framework.js";

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REJECT: readonly string[] = [ERR_REASON_PORTS];

export const nodePorts: FilterPlugin<void> = {
  name: "NodePorts",
  preFilter(pod): PreFilterResult<void> {
    return pod.hostPorts ? { state: undefined } : { skip: true };
  },
  filter(pod, ni): FilterResult {
    for (const p of pod.hostPorts ?? []) if (ni.usedPorts.conflicts(p)) return REJECT;
    return undefined;
  },
};
