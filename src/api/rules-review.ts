// authorization.k8s.io/v1 SelfSubjectRulesReview: "what may I do in this namespace?" for
// `kubectl auth can-i --list`. Create-only, nothing stored: the answer is the RBAC rules that
// apply to the requesting user there (upstream's RuleResolver), split into resource and
// non-resource rules. No other authorizer resolves rules, so the answer is complete.
import type { PolicyRule } from "../apis/rbac/v1/policy.js";
import { aggregateErrors, rbacRulesFor } from "../auth/rbac/authorizer.js";
import { badRequest } from "../lib/status.js";
import { readReview } from "./access-review.js";
import { authorizeVirtual } from "./auth.js";
import type { Ctx } from "./context.js";

export const SELF_SUBJECT_RULES_REVIEW = {
  group: "authorization.k8s.io",
  version: "v1",
  plural: "selfsubjectrulesreviews",
  singular: "selfsubjectrulesreview",
  kind: "SelfSubjectRulesReview",
  namespaced: false,
  verbs: ["create"],
};

/** getResourceRules / getNonResourceRules: a rule with resources, with URLs, or (rarely) both. */
export function splitRules(rules: readonly PolicyRule[]): { resourceRules: unknown[]; nonResourceRules: unknown[] } {
  const resourceRules: unknown[] = [];
  const nonResourceRules: unknown[] = [];
  for (const r of rules) {
    if (r.resources?.length) {
      const out: Record<string, unknown> = { verbs: r.verbs ?? [] };
      if (r.apiGroups?.length) out.apiGroups = r.apiGroups;
      out.resources = r.resources;
      if (r.resourceNames?.length) out.resourceNames = r.resourceNames;
      resourceRules.push(out);
    }
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
  }
  return { resourceRules, nonResourceRules };
}

export async function createSelfSubjectRulesReview(c: Ctx): Promise<Response> {
  await authorizeVirtual(c, SELF_SUBJECT_RULES_REVIEW);
  const { spec } = await readReview<{ namespace?: string }>(c, SELF_SUBJECT_RULES_REVIEW.kind);
  const namespace = spec.namespace ?? "";
  if (!namespace) throw badRequest("no namespace on request");
  const { rules, errors } = await rbacRulesFor(c.env, c.get("user"), namespace);
  const status: Record<string, unknown> = { ...splitRules(rules), incomplete: false };
  if (errors.length) status.evaluationError = aggregateErrors(errors);
  const body = { kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec: {}, status };
  return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json" } });
}
