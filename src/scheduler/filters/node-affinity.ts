// NodeAffinity (filter): the node must match spec.nodeSelector and the required node affinity.
// PreFilter narrows the walk to the node names every term pins with matchFields metadata.name In,
// as upstream does; terms pinning disjoint names conflict and the pod fits nowhere.
import type { FilterPlugin, FilterResult, PreFilterResult } from "../framework.js";
import type { PodFacts } from "../facts.js";
import { OBJECT_NAME_FIELD, requiredNodeAffinityMatches } from "../node-selector.js";

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";
const REJECT: readonly string[] = [ERR_REASON_POD];

/** The node names the required terms pin, if every term pins some (undefined: no narrowing). */
function pinnedNodeNames(pod: PodFacts): Set<string> | undefined | "conflict" {
  const terms = pod.requiredNodeAffinity;
  if (!terms || terms.length === 0) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== OBJECT_NAME_FIELD || r.operator !== "In") continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    // A term without a name pin lets every node through: terms are ORed.
    if (!termNames) return undefined;
    if (termNames.size === 0) return "conflict";
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

export const nodeAffinity: FilterPlugin<void> = {
  name: "NodeAffinity",
  preFilter(pod): PreFilterResult<void> {
    if (!pod.nodeSelector && pod.requiredNodeAffinity === undefined) return { skip: true };
    const pinned = pinnedNodeNames(pod);
    if (pinned === "conflict") return { rejected: ERR_REASON_CONFLICT };
    return pinned ? { state: undefined, nodeNames: pinned } : { state: undefined };
  },
  filter(pod, ni): FilterResult {
    return ni.node && requiredNodeAffinityMatches(pod, ni.node) ? undefined : REJECT;
  },
};
