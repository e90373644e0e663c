// PodTopologySpread (filter): for each of the pod's DoNotSchedule constraints, placing the pod in
// the node's domain must keep (matching pods there + 1 if the pod matches itself) - (the fewest
// matching pods in any eligible domain) within maxSkew. Domains are counted over every node that
// carries all the constraints' topology keys and passes the inclusion policies.
import type { FilterPlugin, FilterResult, PreFilterResult } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";
import {
  type SpreadConstraint,
  constraintMatchesPod,
  countMatchingPods,
  matchNodeInclusionPolicies,
  nodeHasAllTopologyKeys,
  podConstraints,
} from "../topology-spread.js";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export interface TopologySpreadFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: topology value → matching pods. */
  matchNum: Array<Map<string, number>>;
  /** Per constraint: the fewest matching pods over its domains (Infinity when there are none). */
  minMatch: number[];
}

export function topologySpreadPreFilter(pod: PodFacts, nodes: readonly NodeInfo[]): PreFilterResult<TopologySpreadFilterState> {
  const constraints = podConstraints(pod, "DoNotSchedule");
  if (constraints.length === 0) return { skip: true };
  const matchNum = constraints.map(() => new Map<string, number>());
  for (const ni of nodes) {
    const node = ni.node!;
    if (!nodeHasAllTopologyKeys(node.labels, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!matchNodeInclusionPolicies(c, pod, node)) return;
      const v = node.labels[c.topologyKey];
      matchNum[i].set(v, (matchNum[i].get(v) ?? 0) + countMatchingPods(ni, c, pod.namespace));
    });
  }
  const minMatch = matchNum.map((m) => {
    let min = Infinity;
    for (const n of m.values()) if (n < min) min = n;
    return min;
  });
  return { state: { constraints, matchNum, minMatch } };
}

export const podTopologySpread: FilterPlugin<TopologySpreadFilterState> = {
  name: "PodTopologySpread",
  preFilter: topologySpreadPreFilter,
  filter(pod, ni, s): FilterResult {
    const labels = ni.node!.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return [ERR_REASON_NODE_LABEL_NOT_MATCH];
      // With fewer eligible domains than minDomains the global minimum counts as 0.
      const min = s.matchNum[i].size < c.minDomains ? 0 : s.minMatch[i];
      const self = constraintMatchesPod(c, pod) ? 1 : 0;
      const skew = (s.matchNum[i].get(labels[c.topologyKey]) ?? 0) + self - min;
      if (skew > c.maxSkew) return [ERR_REASON_CONSTRAINTS_NOT_MATCH];
    }
    return undefined;
  },
};
