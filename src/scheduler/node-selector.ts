// Node selector terms as upstream's component-helpers/scheduling/corev1/nodeaffinity reads them:
// the pod's required node affinity (terms ORed, requirements ANDed), its nodeSelector map, and the
// weighted preferred terms. A term that fails to parse (bad operator, wrong value count) matches
// no node, as upstream's LazyErrorNodeSelector treats it.

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** What a node offers to a selector: its name (the only selectable field) and its labels. */
export interface SelectableNode {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The field upstream's node field selectors support (extractNodeFields). */
export const OBJECT_NAME_FIELD = "metadata.name";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): undefined when s is not a base-10 int64. */
function parseInt64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** Whether a requirement parses (labels.NewRequirement's value-count and integer checks). */
function validLabelRequirement(r: NodeSelectorRequirement): boolean {
  const n = r.values?.length ?? 0;
  switch (r.operator) {
    case "In":
    case "NotIn":
      return n > 0;
    case "Exists":
    case "DoesNotExist":
      return n === 0;
    case "Gt":
    case "Lt":
      return n === 1 && parseInt64(r.values![0]) !== undefined;
    default:
      return false;
  }
}

/** labels.Requirement.Matches for node selector operators. Assumes the requirement is valid. */
function labelRequirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "In":
      return has && r.values!.includes(value!);
    case "NotIn":
      return !has || !r.values!.includes(value!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      const got = parseInt64(value);
      if (got === undefined) return false;
      const want = parseInt64(r.values![0])!;
      return r.operator === "Gt" ? got > want : got < want;
    }
    default:
      return false;
  }
}

/** Field requirements: In / NotIn with exactly one value (nodeSelectorRequirementsAsFieldSelector). */
function validFieldRequirement(r: NodeSelectorRequirement): boolean {
  return (r.operator === "In" || r.operator === "NotIn") && r.values?.length === 1;
}

function fieldRequirementMatches(r: NodeSelectorRequirement, node: SelectableNode): boolean {
  const value = r.key === OBJECT_NAME_FIELD ? node.name : "";
  return r.operator === "In" ? value === r.values![0] : value !== r.values![0];
}

/** nodeSelectorTerm.match: an empty or unparsable term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: SelectableNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  if (!exprs.every(validLabelRequirement) || !fields.every(validFieldRequirement)) return false;
  return exprs.every((r) => labelRequirementMatches(r, node.labels)) && fields.every((r) => fieldRequirementMatches(r, node));
}

/** A NodeSelector: its terms are ORed. An empty list matches nothing. */
export function nodeSelectorMatches(terms: readonly NodeSelectorTerm[], node: SelectableNode): boolean {
  return terms.some((t) => termMatches(t, node));
}

/** The parts of a pod that RequiredNodeAffinity reads. */
export interface RequiredNodeAffinity {
  nodeSelector?: Readonly<Record<string, string>>;
  /** undefined: no required node affinity; [] (present but empty) matches nothing. */
  requiredNodeAffinity?: readonly NodeSelectorTerm[];
}

/** RequiredNodeAffinity.Match: spec.nodeSelector AND the required terms. */
export function requiredNodeAffinityMatches(pod: RequiredNodeAffinity, node: SelectableNode): boolean {
  if (pod.nodeSelector) {
    for (const [k, v] of Object.entries(pod.nodeSelector)) if (node.labels[k] !== v) return false;
  }
  return pod.requiredNodeAffinity === undefined || nodeSelectorMatches(pod.requiredNodeAffinity, node);
}

/** PreferredSchedulingTerms.Score: the sum of the weights of the terms the node matches. */
export function preferredTermsScore(terms: readonly PreferredSchedulingTerm[], node: SelectableNode): number {
  let score = 0;
  for (const t of terms) if (t.weight !== 0 && termMatches(t.preference, node)) score += t.weight;
  return score;
}
