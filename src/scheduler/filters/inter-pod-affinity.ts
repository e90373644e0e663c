// InterPodAffinity (filter): required pod affinity and anti-affinity in both directions, as
// upstream's interpodaffinity plugin. PreFilter counts, per topology pair (label key and value),
// the existing pods matching the incoming pod's terms and the existing pods whose anti-affinity
// terms match the incoming pod; Filter then looks the node's own topology values up. Any node
// label works as a topology key.
import { podMatchesAllTerms, termMatchesPod } from "../affinity-term.js";
import type { FilterPlugin, FilterResult, PreFilterResult } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

type PairCounts = Map<string, number>;

export interface InterPodAffinityState {
  /** Existing pods whose required anti-affinity terms match the incoming pod. */
  existingAntiAffinity: PairCounts;
  /** Existing pods matching all the incoming pod's required affinity terms. */
  affinity: PairCounts;
  /** Existing pods matching one of the incoming pod's required anti-affinity terms. */
  antiAffinity: PairCounts;
}

const pairKey = (key: string, value: string) => `${key}\x00${value}`;

/** topologyToMatchedTermCount.update: counts only on nodes that carry the topology key. */
function bump(m: PairCounts, ni: NodeInfo, topologyKey: string): void {
  const labels = ni.node!.labels;
  if (!Object.prototype.hasOwnProperty.call(labels, topologyKey)) return;
  const k = pairKey(topologyKey, labels[topologyKey]);
  m.set(k, (m.get(k) ?? 0) + 1);
}

export function interPodAffinityPreFilter(pod: PodFacts, nodes: readonly NodeInfo[]): PreFilterResult<InterPodAffinityState> {
  const affinityTerms = pod.requiredAffinityTerms;
  const antiTerms = pod.requiredAntiAffinityTerms;
  const withExisting = nodes.filter((ni) => ni.podsWithRequiredAntiAffinity > 0);
  if (withExisting.length === 0 && !affinityTerms && !antiTerms) return { skip: true };
  const state: InterPodAffinityState = { existingAntiAffinity: new Map(), affinity: new Map(), antiAffinity: new Map() };
  for (const ni of withExisting) {
    for (const existing of ni.pods.values()) {
      for (const t of existing.requiredAntiAffinityTerms ?? []) if (termMatchesPod(t, pod)) bump(state.existingAntiAffinity, ni, t.topologyKey);
    }
  }
  if (affinityTerms || antiTerms) {
    for (const ni of nodes) {
      for (const existing of ni.pods.values()) {
        if (affinityTerms && podMatchesAllTerms(affinityTerms, existing)) for (const t of affinityTerms) bump(state.affinity, ni, t.topologyKey);
        for (const t of antiTerms ?? []) if (termMatchesPod(t, existing)) bump(state.antiAffinity, ni, t.topologyKey);
      }
    }
  }
  return { state };
}

/** satisfyPodAffinity, including upstream's exception for the first pod of a self-affine group. */
function satisfiesAffinity(pod: PodFacts, s: InterPodAffinityState, labels: Readonly<Record<string, string>>): boolean {
  const terms = pod.requiredAffinityTerms;
  if (!terms) return true;
  let podsExist = true;
  for (const t of terms) {
    if (!Object.prototype.hasOwnProperty.call(labels, t.topologyKey)) return false;
    if ((s.affinity.get(pairKey(t.topologyKey, labels[t.topologyKey])) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinity.size === 0 && podMatchesAllTerms(terms, pod);
}

function satisfiesAntiAffinity(pod: PodFacts, s: InterPodAffinityState, labels: Readonly<Record<string, string>>): boolean {
  if (s.antiAffinity.size === 0) return true;
  for (const t of pod.requiredAntiAffinityTerms ?? []) {
    if (!Object.prototype.hasOwnProperty.call(labels, t.topologyKey)) continue;
    if ((s.antiAffinity.get(pairKey(t.topologyKey, labels[t.topologyKey])) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesExistingAntiAffinity(s: InterPodAffinityState, labels: Readonly<Record<string, string>>): boolean {
  if (s.existingAntiAffinity.size === 0) return true;
  for (const [k, v] of Object.entries(labels)) if ((s.existingAntiAffinity.get(pairKey(k, v)) ?? 0) > 0) return false;
  return true;
}

export const interPodAffinity: FilterPlugin<InterPodAffinityState> = {
  name: "InterPodAffinity",
  preFilter: interPodAffinityPreFilter,
  filter(pod, ni, s): FilterResult {
    const labels = ni.node!.labels;
    if (!satisfiesAffinity(pod, s, labels)) return [ERR_REASON_AFFINITY];
    if (!satisfiesAntiAffinity(pod, s, labels)) return [ERR_REASON_ANTI_AFFINITY];
    if (!satisfiesExistingAntiAffinity(s, labels)) return [ERR_REASON_EXISTING_ANTI_AFFINITY];
    return undefined;
  },
};
