import { describe, expect, it } from "vitest";
import { D, ago, kubectlHeaders, one } from "./test-helpers.js";

const G = "rbac.authorization.k8s.io";

describe("RBAC printers", () => {
  it("rolebindings: NAME ROLE AGE, and USERS GROUPS SERVICEACCOUNTS wide", () => {
    const t = one(G, "RoleBinding", {
      metadata: { name: "devs-view", namespace: "team", creationTimestamp: ago(2 * D) },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: "alice", apiGroup: G },
        { kind: "User", name: "bob", apiGroup: G },
        { kind: "Group", name: "devs", apiGroup: G },
        { kind: "ServiceAccount", name: "ci", namespace: "team" },
      ],
    });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "ROLE", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]);
    expect(t.rows[0].cells).toEqual(["devs-view", "ClusterRole/view", "2d", "alice, bob", "devs", "team/ci"]);
  });

  it("clusterrolebindings: the same columns, described for cluster bindings", () => {
    const t = one(G, "ClusterRoleBinding", { metadata: { name: "cluster-admin", creationTimestamp: ago(0) }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "cluster-admin" } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "ROLE", "AGE"]);
    expect(t.columnDefinitions[3].description).toBe("Users in the clusterRoleBinding");
    expect(t.rows[0].cells).toEqual(["cluster-admin", "ClusterRole/cluster-admin", "0s", "", "", ""]);
  });

  it("roles and clusterroles: NAME CREATED AT (upstream has no printer for them)", () => {
    const t = one(G, "ClusterRole", { metadata: { name: "view", creationTimestamp: "2025-06-01T11:00:00Z" } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "CREATED AT"]);
    expect(t.rows[0].cells).toEqual(["view", "2025-06-01T11:00:00Z"]);
  });
});
