// The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac), evaluated where the data
// lives: a namespaced request asks its namespace's store first (its Roles, and which ClusterRoles
// its RoleBindings grant), then the cluster store (ClusterRoleBindings, plus those ClusterRoles);
// a cluster-scoped or non-resource request asks the cluster store alone. So a request costs at most
// one RPC per store involved, each answered from that store's in-memory index.
import type { PolicyRule } from "../../apis/rbac/v1/policy.js";
import { clusterStore, namespaceStore } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { RequestAttributes } from "../attributes.js";
import type { Decision } from "../authorize.js";
import type { UserInfo } from "../user.js";
import type { RbacAnswer, RbacUser } from "./binding-index.js";
import type { RuleAttributes } from "./rule-matching.js";

const subjectOf = (u: UserInfo): RbacUser => ({ username: u.username, groups: [...u.groups] });

function ruleAttributes(a: RequestAttributes): RuleAttributes {
  return { verb: a.verb, isResourceRequest: a.isResourceRequest, path: a.path, apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource, name: a.name };
}

/** utilerrors.NewAggregate(errs).Error(): one message, or `[a, b]` without duplicates. */
export function aggregateErrors(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

/** Both stores' answers for a user in a namespace ("" for cluster-wide), in upstream's visiting order. */
async function visit(env: Env, user: UserInfo, namespace: string, attributes?: RuleAttributes): Promise<{ allowedBy?: string; rules: PolicyRule[]; errors: string[] }> {
  const u = subjectOf(user);
  let local: RbacAnswer | undefined;
  if (namespace) {
    local = await namespaceStore(env, namespace).rbacEvaluate({ user: u, scope: "namespace", namespace, attributes });
    if (local.allowedBy) return { allowedBy: local.allowedBy, rules: [], errors: [] };
  }
  const cluster = await clusterStore(env).rbacEvaluate({ user: u, scope: "cluster", namespace, attributes, grants: local?.grants ?? [] });
  // Upstream visits the ClusterRoleBindings first, then the namespace's RoleBindings.
  return {
    allowedBy: cluster.allowedBy,
    rules: [...cluster.rules, ...(local?.rules ?? [])],
    errors: [...cluster.errors, ...(local?.errors ?? []), ...cluster.grantErrors],
  };
}

export async function rbacAuthorizer(a: RequestAttributes, env: Env): Promise<Decision> {
  const r = await visit(env, a.user, a.namespace, ruleAttributes(a));
  if (r.allowedBy) return { decision: "allow", reason: `RBAC: allowed by ${r.allowedBy}` };
  return r.errors.length ? { decision: "noOpinion", reason: `RBAC: ${aggregateErrors(r.errors)}` } : { decision: "noOpinion" };
}

/** Upstream's RulesFor: every rule that applies to the user in the namespace, and the resolution errors. */
export async function rbacRulesFor(env: Env, user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; errors: string[] }> {
  const r = await visit(env, user, namespace);
  return { rules: r.rules, errors: r.errors };
}
