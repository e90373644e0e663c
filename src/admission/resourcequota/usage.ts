// Upstream's quota.CalculateUsage: what a quota's hard resources add up to over the objects of
// one namespace, per evaluator, honouring the quota's scopes. The quota controller writes it to
// status.used; admission computes it in place for a quota whose status does not cover it yet.
import { kinds } from "../../apis/index.js";
import type { ResourceQuota } from "../../apis/core/v1/resourcequota.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { ZERO, count } from "../quantity.js";
import { type ResourceList, addLists, fromWire, mask } from "../resource-list.js";
import { type Evaluator, evaluatorFor, scopeSelectorsOf } from "./evaluators.js";

export interface UsageSource {
  /** Every object of a kind in the namespace. */
  list(def: KindDef): KubeObject[];
  /** How many objects of a kind there are (no need to read them). */
  count(def: KindDef): number;
}

let evaluators: Evaluator[] | undefined;
/** One evaluator per served namespaced kind. */
export function allEvaluators(): Evaluator[] {
  evaluators ??= kinds.map(evaluatorFor).filter((e): e is Evaluator => e !== undefined);
  return evaluators;
}

/** The resources of `hard` that some served kind accounts (the others are never charged). */
export function trackedResources(hard: string[]): string[] {
  const out = new Set<string>();
  for (const e of allEvaluators()) for (const n of e.matchingResources(hard)) out.add(n);
  return [...out];
}

export function calculateUsage(spec: ResourceQuota["spec"], source: UsageSource, now: number): ResourceList {
  const hardNames = Object.keys(fromWire(spec?.hard));
  const scopes = scopeSelectorsOf(spec);
  let used: ResourceList = {};
  for (const e of allEvaluators()) {
    const names = e.matchingResources(hardNames);
    if (!names.length) continue;
    let stats: ResourceList = Object.fromEntries(names.map((n) => [n, ZERO]));
    if (e.countOnly) {
      // Object counts match no scope (upstream's MatchesNoScopeFunc).
      if (!scopes.length) {
        const n = source.count(e.def);
        stats = addLists(stats, Object.fromEntries(Object.keys(e.usage({ metadata: {} }, now)).map((k) => [k, count(n)])));
      }
    } else {
      for (const obj of source.list(e.def)) {
        if (scopes.every((s) => e.matchesScope(s, obj))) stats = addLists(stats, e.usage(obj, now));
      }
    }
    used = addLists(used, stats);
  }
  return mask(used, hardNames);
}
