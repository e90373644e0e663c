import { describe, expect, it } from "vitest";
import { clusterRoleDef } from "../../apis/rbac/v1/clusterrole.js";
import { clusterRoleBindingDef } from "../../apis/rbac/v1/clusterrolebinding.js";
import type { KindDef } from "../../apis/types.js";
import { GenericStore } from "../../registry/generic-store.js";
import { LogStore } from "../../storage/log-store.js";
import { MemoryBackend, newMemoryStore } from "../../storage/memory.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.js";
import { ensureBootstrapPolicy, reconcileClusterRole, reconcileClusterRoleBinding } from "./bootstrap.js";
import { RbacIndex } from "./binding-index.js";
import { rulesAllow, type RuleAttributes } from "./rule-matching.js";

const CR = clusterRoleDef as unknown as KindDef;
const CRB = clusterRoleBindingDef as unknown as KindDef;
const res = (verb: string, resource: string, apiGroup = "", subresource = ""): RuleAttributes => ({ verb, isResourceRequest: true, path: "", apiGroup, resource, subresource, name: "" });

describe("bootstrap policy", () => {
  it("creates the default roles, labelled and annotated as upstream, with admin/edit/view already aggregated", () => {
    const storage = newMemoryStore();
    ensureBootstrapPolicy(storage);
    const store = new GenericStore(storage, "");
    const view = store.get(CR, "view");
    expect(view.metadata.labels).toEqual({ "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true" });
    expect(view.metadata.annotations).toEqual({ "rbac.authorization.kubernetes.io/autoupdate": "true" });
    const rules = (name: string) => (store.get(CR, name).rules ?? []) as never[];
    expect(rulesAllow(res("list", "pods"), rules("view"))).toBe(true);
    expect(rulesAllow(res("get", "secrets"), rules("view"))).toBe(false);
    expect(rulesAllow(res("create", "deployments", "apps"), rules("edit"))).toBe(true);
    expect(rulesAllow(res("get", "pods", "", "log"), rules("edit"))).toBe(true);
    expect(rulesAllow(res("create", "rolebindings", "rbac.authorization.k8s.io"), rules("edit"))).toBe(false);
    expect(rulesAllow(res("create", "rolebindings", "rbac.authorization.k8s.io"), rules("admin"))).toBe(true);
    expect(rulesAllow(res("list", "pods"), rules("admin"))).toBe(true);
    expect(store.get(CRB, "cluster-admin").subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:masters" }]);
    expect(store.get(CRB, "system:node").subjects).toBeUndefined();
  });

  it("every authenticated user may discover, ask who it is and what it may do", () => {
    const storage = newMemoryStore();
    ensureBootstrapPolicy(storage);
    const index = new RbacIndex(storage);
    const user = { username: "bob", groups: ["system:authenticated"] };
    const ask = (attributes: RuleAttributes) => index.evaluate({ user, scope: "cluster", namespace: "", attributes }).allowedBy;
    expect(ask({ verb: "get", isResourceRequest: false, path: "/apis/apps/v1", apiGroup: "", resource: "", subresource: "", name: "" })).toBe(
      'ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    );
    expect(ask(res("create", "selfsubjectrulesreviews", "authorization.k8s.io"))).toBeDefined();
    expect(ask(res("create", "selfsubjectreviews", "authentication.k8s.io"))).toBeDefined();
    expect(ask(res("list", "pods"))).toBeUndefined();
    const anonymous = { username: "system:anonymous", groups: ["system:unauthenticated"] };
    const health = { verb: "get", isResourceRequest: false, path: "/healthz", apiGroup: "", resource: "", subresource: "", name: "" };
    expect(index.evaluate({ user: anonymous, scope: "cluster", namespace: "", attributes: health }).allowedBy).toMatch(/system:public-info-viewer/);
  });

  it("tops up changed defaults without removing anything, unless autoupdate is false", () => {
    const desired = bootstrapClusterRoles().find((r) => r.metadata.name === "system:basic-user")!;
    const trimmed = { ...structuredClone(desired), rules: [{ verbs: ["create"], apiGroups: ["x"], resources: ["y"] }] };
    const next = reconcileClusterRole(desired, trimmed)!;
    expect(next.rules).toHaveLength(4);
    expect(next.rules![0]).toEqual({ verbs: ["create"], apiGroups: ["x"], resources: ["y"] });
    expect(reconcileClusterRole(desired, desired)).toBeUndefined();
    const frozen = { ...trimmed, metadata: { ...trimmed.metadata, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "false" } } };
    expect(reconcileClusterRole(desired, frozen)).toBeUndefined();

    const binding = bootstrapClusterRoleBindings().find((b) => b.metadata.name === "system:public-info-viewer")!;
    const edited = { ...structuredClone(binding), subjects: [{ kind: "User", name: "extra", apiGroup: "rbac.authorization.k8s.io" }] };
    expect(reconcileClusterRoleBinding(binding, edited)!.subjects!.map((s) => s.name)).toEqual(["extra", "system:authenticated", "system:unauthenticated"]);
  });

  it("is idempotent and restores a deleted default on the next reconcile", () => {
    const storage = newMemoryStore();
    ensureBootstrapPolicy(storage);
    const revision = storage.currentRevision();
    ensureBootstrapPolicy(storage);
    expect(storage.currentRevision()).toBe(revision);
    const backend = new MemoryBackend();
    const first = new LogStore(backend);
    ensureBootstrapPolicy(first);
    new GenericStore(first, "").delete(CR, "system:basic-user");
    ensureBootstrapPolicy(first);
    expect(() => new GenericStore(first, "").get(CR, "system:basic-user")).toThrow();
    // A new instance over the same data (an evicted Durable Object) reconciles again.
    const second = new LogStore(backend);
    ensureBootstrapPolicy(second);
    expect(new GenericStore(second, "").get(CR, "system:basic-user").metadata.name).toBe("system:basic-user");
  });
});
