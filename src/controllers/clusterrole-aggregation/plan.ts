// The ClusterRole aggregation controller's decision (upstream's
// pkg/controller/clusterroleaggregation): a ClusterRole with an aggregationRule gets the rules of
// every other ClusterRole its selectors match, in name order, each rule once.
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import type { PolicyRule } from "../../apis/rbac/v1/policy.js";
import { selectorMatches } from "../../apis/validation.js";
import { canonicalJson } from "../../lib/canonical-json.js";

export const hasAggregationRule = (role: ClusterRole | undefined): boolean => (role?.aggregationRule?.clusterRoleSelectors?.length ?? 0) > 0;

const byName = (a: ClusterRole, b: ClusterRole): number => {
  const x = a.metadata.name ?? "";
  const y = b.metadata.name ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The rules `role` aggregates from `all` (undefined when it has no aggregationRule). */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  if (!role.aggregationRule) return undefined;
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const selector of role.aggregationRule.clusterRoleSelectors ?? []) {
    const matching = all.filter((r) => r.metadata.name !== role.metadata.name && selectorMatches(selector, r.metadata.labels)).sort(byName);
    for (const r of matching) {
      for (const rule of r.rules ?? []) {
        const key = canonicalJson(rule, { dropEmpty: true });
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(rule);
      }
    }
  }
  return out;
}

/** Semantic equality of rule lists (nil and empty are the same, as equality.Semantic). */
export function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean {
  return canonicalJson(a ?? [], { dropEmpty: true }) === canonicalJson(b ?? [], { dropEmpty: true });
}

/**
 * Aggregates a set of ClusterRoles to a fixed point (aggregated roles may select aggregated
 * roles: admin selects edit, which selects view), as repeated controller passes would.
 */
export function aggregateAll(roles: readonly ClusterRole[]): ClusterRole[] {
  let current = roles.map((r) => structuredClone(r));
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    current = current.map((r) => {
      const rules = aggregatedRules(r, current);
      if (rules === undefined || sameRules(rules, r.rules)) return r;
      changed = true;
      return { ...r, rules };
    });
    if (!changed) break;
  }
  return current;
}
