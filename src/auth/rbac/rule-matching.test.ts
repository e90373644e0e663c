import { describe, expect, it } from "vitest";
import type { PolicyRule } from "../../apis/rbac/v1/policy.js";
import { ruleAllows, type RuleAttributes } from "./rule-matching.js";

const res = (verb: string, resource: string, extra: Partial<RuleAttributes> = {}): RuleAttributes => ({
  verb,
  isResourceRequest: true,
  path: "",
  apiGroup: "",
  resource,
  subresource: "",
  name: "",
  ...extra,
});
const url = (verb: string, path: string): RuleAttributes => ({ verb, isResourceRequest: false, path, apiGroup: "", resource: "", subresource: "", name: "" });

describe("RuleAllows", () => {
  const pods: PolicyRule = { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] };

  it("verbs, groups and resources must all match", () => {
    expect(ruleAllows(res("get", "pods"), pods)).toBe(true);
    expect(ruleAllows(res("delete", "pods"), pods)).toBe(false);
    expect(ruleAllows(res("get", "services"), pods)).toBe(false);
    expect(ruleAllows(res("get", "pods", { apiGroup: "apps" }), pods)).toBe(false);
  });

  it('"*" matches every verb, group and resource', () => {
    const all: PolicyRule = { verbs: ["*"], apiGroups: ["*"], resources: ["*"] };
    expect(ruleAllows(res("escalate", "clusterroles", { apiGroup: "rbac.authorization.k8s.io" }), all)).toBe(true);
    expect(ruleAllows(res("get", "pods", { subresource: "log" }), all)).toBe(true);
    // A resource rule never allows a non-resource URL.
    expect(ruleAllows(url("get", "/healthz"), all)).toBe(false);
  });

  it("a subresource needs `resource/subresource` or `*/subresource`", () => {
    expect(ruleAllows(res("get", "pods", { subresource: "log" }), pods)).toBe(false);
    expect(ruleAllows(res("get", "pods", { subresource: "log" }), { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] })).toBe(true);
    const scale: PolicyRule = { verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] };
    expect(ruleAllows(res("update", "deployments", { apiGroup: "apps", subresource: "scale" }), scale)).toBe(true);
    expect(ruleAllows(res("update", "deployments", { apiGroup: "apps", subresource: "status" }), scale)).toBe(false);
    expect(ruleAllows(res("update", "deployments", { apiGroup: "apps" }), scale)).toBe(false);
  });

  it("resourceNames restrict to those names (and so never allow a list)", () => {
    const named: PolicyRule = { verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"] };
    expect(ruleAllows(res("get", "configmaps", { name: "app" }), named)).toBe(true);
    expect(ruleAllows(res("get", "configmaps", { name: "other" }), named)).toBe(false);
    expect(ruleAllows(res("list", "configmaps"), named)).toBe(false);
  });

  it("non-resource URLs: exact, `*` and a trailing `*` prefix", () => {
    const rule: PolicyRule = { verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] };
    expect(ruleAllows(url("get", "/healthz"), rule)).toBe(true);
    expect(ruleAllows(url("get", "/healthz/etcd"), rule)).toBe(false);
    expect(ruleAllows(url("get", "/apis/apps/v1"), rule)).toBe(true);
    expect(ruleAllows(url("get", "/apis"), rule)).toBe(false);
    expect(ruleAllows(url("post", "/healthz"), rule)).toBe(false);
    expect(ruleAllows(url("get", "/anything"), { verbs: ["*"], nonResourceURLs: ["*"] })).toBe(true);
    expect(ruleAllows(res("get", "pods"), { verbs: ["*"], nonResourceURLs: ["*"] })).toBe(false);
  });
});
