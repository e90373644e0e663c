import { describe, expect, it } from "vitest";
import { newMemoryStore } from "../../storage/memory.js";
import { RbacIndex } from "./binding-index.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.js";
import { ensureBootstrapPolicy } from "./bootstrap.js";
import type { RuleAttributes } from "./rule-matching.js";

const res = (verb: string, resource: string, apiGroup = ""): RuleAttributes => ({ verb, isResourceRequest: true, path: "", apiGroup, resource, subresource: "", name: "" });

describe("system:node-proxier", () => {
  it("is upstream's role for kube-proxy", () => {
    expect(bootstrapClusterRoles().find((r) => r.metadata.name === "system:node-proxier")!.rules).toEqual([
      { apiGroups: [""], resources: ["endpoints", "services"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ]);
    expect(bootstrapClusterRoleBindings().find((b) => b.metadata.name === "system:node-proxier")).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node-proxier" },
      subjects: [
        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:kube-proxy" },
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:nodes" },
      ],
    });
  });

  it("lets every node (the agent is its kube-proxy) list and watch Services, Endpoints and EndpointSlices cluster-wide", () => {
    const storage = newMemoryStore();
    ensureBootstrapPolicy(storage);
    const index = new RbacIndex(storage);
    const node = { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
    const ask = (a: RuleAttributes) => index.evaluate({ user: node, scope: "cluster", namespace: "", attributes: a }).allowedBy;
    const via = 'ClusterRoleBinding "system:node-proxier" of ClusterRole "system:node-proxier" to Group "system:nodes"';
    expect(ask(res("watch", "endpointslices", "discovery.k8s.io"))).toBe(via);
    expect(ask(res("list", "endpoints"))).toBe(via);
    expect(ask(res("list", "services"))).toBe(via);
    expect(ask(res("create", "endpointslices", "discovery.k8s.io"))).toBeUndefined();
    expect(ask(res("get", "endpointslices", "discovery.k8s.io"))).toBeUndefined();
  });
});
