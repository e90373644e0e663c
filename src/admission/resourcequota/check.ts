// Upstream's quota CheckRequest (apiserver/pkg/admission/plugin/resourcequota/controller.go),
// pure: given the namespace's quotas and one create or update, either refuse it with upstream's
// message or say what each matching quota's status.used becomes.
import type { KubeObject } from "../../apis/types.js";
import {
  type ResourceList,
  addLists,
  isZero,
  lessThanOrEqual,
  mask,
  negativeNames,
  prettyPrint,
  subtractNonNegative,
} from "../resource-list.js";
import type { Evaluator, ScopeSelector } from "./evaluators.js";

/** One quota as admission sees it: the limits it enforces and what is used. */
export interface QuotaState {
  name: string;
  hard: ResourceList;
  used: ResourceList;
  scopes: ScopeSelector[];
}

export interface QuotaRequest {
  operation: "CREATE" | "UPDATE";
  subresource?: string;
  object: KubeObject;
  /** The stored object an update replaces. */
  old?: KubeObject;
  now: number;
}

export type QuotaDecision =
  | { allowed: true; /** quota name → its new status.used, for the quotas the request charges */ charges: Map<string, ResourceList> }
  | { allowed: false; message: string };

/** Upstream's generic.Matches: the quota limits something the evaluator accounts, and every scope matches. */
export function quotaMatches(e: Evaluator, q: Pick<QuotaState, "hard" | "scopes">, obj: KubeObject): boolean {
  if (e.matchingResources(Object.keys(q.hard)).length === 0) return false;
  return q.scopes.every((s) => e.matchesScope(s, obj));
}

export function checkRequest(e: Evaluator, quotas: QuotaState[], req: QuotaRequest): QuotaDecision {
  const none: QuotaDecision = { allowed: true, charges: new Map() };
  if (!e.handles(req.operation, req.subresource)) return none;
  const interesting: QuotaState[] = [];
  for (const q of quotas) {
    if (!quotaMatches(e, q, req.object)) continue;
    const restricted = e.matchingResources(Object.keys(q.hard));
    const err = e.constraints(restricted, req.object);
    if (err) return { allowed: false, message: `failed quota: ${q.name}: ${err}` };
    const unknown = restricted.filter((r) => !(r in q.used));
    if (unknown.length) return { allowed: false, message: `status unknown for quota: ${q.name}, resources: ${[...restricted].sort().join(",")}` };
    interesting.push(q);
  }
  if (!interesting.length) return none;
  let delta = e.usage(req.object, req.now);
  const negative = negativeNames(delta);
  if (negative.length) return { allowed: false, message: `quota usage is negative for resource(s): ${negative.sort().join(",")}` };
  if (req.operation === "UPDATE" && req.old?.metadata.resourceVersion) delta = subtractNonNegative(delta, e.usage(req.old, req.now));
  if (isZero(delta)) return none;
  const charges = new Map<string, ResourceList>();
  for (const q of interesting) {
    const requested = mask(delta, Object.keys(q.hard));
    const newUsage = addLists(q.used, requested);
    const { ok, exceeded } = lessThanOrEqual(mask(newUsage, Object.keys(requested)), q.hard);
    if (!ok) {
      return {
        allowed: false,
        message: `exceeded quota: ${q.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(q.used, exceeded))}, limited: ${prettyPrint(mask(q.hard, exceeded))}`,
      };
    }
    charges.set(q.name, newUsage);
  }
  return { allowed: true, charges };
}
