// Pod (anti-)affinity terms, processed once per pod as upstream's framework.AffinityTerm: the
// namespaces the term selects (the pod's own when none are named), its label selector and its
// topology key. Shared by the InterPodAffinity filter and the cache's bookkeeping.
import { type LabelSelectorLike, selectorMatches } from "../apis/validation.js";

export interface AffinityTerm {
  /** Namespaces named by the term, or the owning pod's namespace when it names none and has no namespaceSelector. */
  namespaces: readonly string[];
  /** The term's namespaceSelector; undefined selects no namespace beyond `namespaces`. */
  namespaceSelector?: LabelSelectorLike;
  /** undefined (a nil labelSelector) matches no pod. */
  selector?: LabelSelectorLike;
  topologyKey: string;
}

/** The label every namespace carries (NamespaceDefaultLabelName); the only namespace label the scheduler sees. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

interface PodAffinityTermWire {
  labelSelector?: LabelSelectorLike | null;
  namespaces?: string[] | null;
  namespaceSelector?: LabelSelectorLike | null;
  topologyKey?: string;
}

/** newAffinityTerm: resolves the namespaces against the owning pod's namespace. */
export function affinityTermFromWire(ownerNamespace: string, raw: unknown): AffinityTerm {
  const t = (raw ?? {}) as PodAffinityTermWire;
  const named = t.namespaces ?? [];
  const term: AffinityTerm = {
    namespaces: named.length === 0 && t.namespaceSelector == null ? [ownerNamespace] : [...named],
    topologyKey: t.topologyKey ?? "",
  };
  if (t.namespaceSelector != null) term.namespaceSelector = t.namespaceSelector;
  if (t.labelSelector != null) term.selector = t.labelSelector;
  return term;
}

/** Terms of a `requiredDuringSchedulingIgnoredDuringExecution` list; undefined when there are none. */
export function affinityTermsFromWire(ownerNamespace: string, raw: unknown): AffinityTerm[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw.map((t) => affinityTermFromWire(ownerNamespace, t));
}

/**
 * AffinityTerm.Matches: the pod is in one of the term's namespaces (or one its namespaceSelector
 * selects, judged by the namespace's name label) and its labels match the selector.
 */
export function termMatchesPod(term: AffinityTerm, pod: { namespace: string; labels: Readonly<Record<string, string>> }): boolean {
  const inNamespace =
    term.namespaces.includes(pod.namespace) ||
    (term.namespaceSelector !== undefined && selectorMatches(term.namespaceSelector, { [NAMESPACE_NAME_LABEL]: pod.namespace }));
  return inNamespace && selectorMatches(term.selector, pod.labels as Record<string, string>);
}

/** podMatchesAllAffinityTerms: false for no terms. */
export function podMatchesAllTerms(terms: readonly AffinityTerm[] | undefined, pod: { namespace: string; labels: Readonly<Record<string, string>> }): boolean {
  if (!terms || terms.length === 0) return false;
  return terms.every((t) => termMatchesPod(t, pod));
}
