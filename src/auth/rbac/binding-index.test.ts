import { describe, expect, it } from "vitest";
import { clusterRoleBindingDef } from "../../apis/rbac/v1/clusterrolebinding.js";
import { clusterRoleDef } from "../../apis/rbac/v1/clusterrole.js";
import { roleBindingDef } from "../../apis/rbac/v1/rolebinding.js";
import { roleDef } from "../../apis/rbac/v1/role.js";
import type { KindDef } from "../../apis/types.js";
import { GenericStore } from "../../registry/generic-store.js";
import { newMemoryStore } from "../../storage/memory.js";
import { RbacIndex, type RbacQuery } from "./binding-index.js";
import type { RuleAttributes } from "./rule-matching.js";

const G = "rbac.authorization.k8s.io";
const get = (resource: string, apiGroup = ""): RuleAttributes => ({ verb: "get", isResourceRequest: true, path: "", apiGroup, resource, subresource: "", name: "" });
const alice = { username: "alice", groups: ["devs", "system:authenticated"] };
const sa = { username: "system:serviceaccount:team:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"] };

function namespaceStore() {
  const storage = newMemoryStore();
  const store = new GenericStore(storage, "team");
  const create = <T extends object>(def: T, obj: unknown) => store.create(def as unknown as KindDef, obj);
  return { storage, store, create };
}

const role = (name: string, rules: unknown[]) => ({ apiVersion: `${G}/v1`, kind: "Role", metadata: { name }, rules });
const rb = (name: string, roleRef: { kind: string; name: string }, subjects: unknown[]) => ({ apiVersion: `${G}/v1`, kind: "RoleBinding", metadata: { name }, roleRef: { apiGroup: G, ...roleRef }, subjects });
const q = (user: RbacQuery["user"], attributes?: RuleAttributes): RbacQuery => ({ user, scope: "namespace", namespace: "team", attributes });

describe("a namespace store's RBAC index", () => {
  it("allows by a Role bound to the user, a group, or a service account named without its namespace", () => {
    const { storage, create } = namespaceStore();
    create(roleDef, role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]));
    create(roleBindingDef, rb("by-user", { kind: "Role", name: "reader" }, [{ kind: "User", name: "alice" }]));
    create(roleBindingDef, rb("by-sa", { kind: "Role", name: "reader" }, [{ kind: "ServiceAccount", name: "builder" }]));
    const index = new RbacIndex(storage);
    expect(index.evaluate(q(alice, get("pods"))).allowedBy).toBe('RoleBinding "by-user/team" of Role "reader" to User "alice"');
    expect(index.evaluate(q(sa, get("pods"))).allowedBy).toBe('RoleBinding "by-sa/team" of Role "reader" to ServiceAccount "builder/team"');
    expect(index.evaluate(q({ username: "bob", groups: ["devs"] }, get("pods"))).allowedBy).toBeUndefined();
    expect(index.evaluate(q(alice, get("secrets")))).toEqual({ rules: [], grants: [], errors: [], grantErrors: [] });
  });

  it("hands ClusterRoles of RoleBindings to the cluster store, and reports missing Roles as upstream", () => {
    const { storage, create } = namespaceStore();
    create(roleBindingDef, rb("view", { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "devs" }]));
    create(roleBindingDef, rb("gone", { kind: "Role", name: "gone" }, [{ kind: "Group", name: "devs" }]));
    const answer = new RbacIndex(storage).evaluate(q(alice, get("pods")));
    expect(answer.grants).toEqual([{ name: "view", source: 'RoleBinding "view/team" of ClusterRole "view" to Group "devs"' }]);
    expect(answer.errors).toEqual(['role.rbac.authorization.k8s.io "gone" not found']);
  });

  it("follows the store's writes after it is built: new bindings, changed subjects, deleted roles", () => {
    const { storage, store, create } = namespaceStore();
    const index = new RbacIndex(storage);
    expect(index.evaluate(q(alice)).rules).toEqual([]);
    create(roleDef, role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]));
    create(roleBindingDef, rb("b", { kind: "Role", name: "reader" }, [{ kind: "User", name: "alice" }]));
    expect(index.evaluate(q(alice)).rules).toEqual([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]);
    store.patch(roleBindingDef as unknown as KindDef, "b", "merge", { subjects: [{ kind: "User", name: "carol" }] }, undefined);
    expect(index.evaluate(q(alice)).rules).toEqual([]);
    expect(index.evaluate(q({ username: "carol", groups: [] }, get("pods"))).allowedBy).toBeDefined();
    store.delete(roleDef as unknown as KindDef, "reader");
    expect(index.evaluate(q({ username: "carol", groups: [] }, get("pods"))).errors).toEqual(['role.rbac.authorization.k8s.io "reader" not found']);
  });
});

describe("the cluster store's RBAC index", () => {
  it("evaluates ClusterRoleBindings, then the ClusterRoles RoleBindings grant", () => {
    const storage = newMemoryStore();
    const store = new GenericStore(storage, "");
    store.create(clusterRoleDef as unknown as KindDef, { metadata: { name: "node-reader" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["nodes"] }] });
    store.create(clusterRoleDef as unknown as KindDef, { metadata: { name: "pod-reader" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] });
    store.create(clusterRoleBindingDef as unknown as KindDef, { metadata: { name: "nodes" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "node-reader" }, subjects: [{ kind: "Group", name: "devs", apiGroup: G }] });
    store.create(clusterRoleBindingDef as unknown as KindDef, { metadata: { name: "dangling" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "x" }, subjects: [{ kind: "User", name: "alice", apiGroup: G }] });
    // A ServiceAccount subject of a ClusterRoleBinding must name its namespace: one that does not never applies.
    const index = new RbacIndex(storage);
    const cq = (attributes?: RuleAttributes, grants: RbacQuery["grants"] = []): RbacQuery => ({ user: alice, scope: "cluster", namespace: "team", attributes, grants });
    expect(index.evaluate(cq(get("nodes"))).allowedBy).toBe('ClusterRoleBinding "nodes" of ClusterRole "node-reader" to Group "devs"');
    const denied = index.evaluate(cq(get("pods")));
    expect(denied.allowedBy).toBeUndefined();
    expect(denied.errors).toEqual(['clusterrole.rbac.authorization.k8s.io "x" not found']);
    const viaRoleBinding = index.evaluate(cq(get("pods"), [{ name: "pod-reader", source: "RB" }, { name: "missing", source: "RB2" }]));
    expect(viaRoleBinding.allowedBy).toBe("RB");
    expect(index.evaluate(cq(undefined, [{ name: "missing", source: "RB2" }])).grantErrors).toEqual(['clusterrole.rbac.authorization.k8s.io "missing" not found']);
  });
});
