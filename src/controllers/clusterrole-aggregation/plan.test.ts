import { describe, expect, it } from "vitest";
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import { aggregateAll, aggregatedRules, sameRules } from "./plan.js";

const role = (name: string, labels: Record<string, string>, rules?: ClusterRole["rules"], aggregateFrom?: string): ClusterRole => ({
  metadata: { name, labels },
  ...(rules ? { rules } : {}),
  ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: "true" } }] } } : {}),
});
const get = (r: string) => ({ verbs: ["get"], apiGroups: [""], resources: [r] });

describe("ClusterRole aggregation", () => {
  it("unions the matching roles' rules in name order, each rule once, never the role itself", () => {
    const monitoring = role("monitoring", { agg: "true" }, undefined, "agg");
    const all = [monitoring, role("z-pods", { agg: "true" }, [get("pods"), get("nodes")]), role("a-nodes", { agg: "true" }, [get("nodes")]), role("other", {}, [get("secrets")])];
    expect(aggregatedRules(monitoring, all)).toEqual([get("nodes"), get("pods")]);
    expect(aggregatedRules(role("plain", {}), all)).toBeUndefined();
    expect(aggregatedRules(role("none", {}, undefined, "nothing"), all)).toEqual([]);
  });

  it("reaches a fixed point through aggregated roles that select aggregated roles", () => {
    const roles = aggregateAll([
      role("admin", {}, undefined, "to-admin"),
      role("edit", { "to-admin": "true" }, undefined, "to-edit"),
      role("view", { "to-edit": "true" }, undefined, "to-view"),
      role("base-view", { "to-view": "true" }, [get("pods")]),
    ]);
    expect(roles.find((r) => r.metadata.name === "admin")!.rules).toEqual([get("pods")]);
  });

  it("compares rules as equality.Semantic does (nil and empty alike)", () => {
    expect(sameRules(undefined, [])).toBe(true);
    expect(sameRules([get("pods")], [{ ...get("pods"), resourceNames: [] }])).toBe(true);
    expect(sameRules([get("pods")], [get("nodes")])).toBe(false);
  });
});
