import { describe, expect, it } from "vitest";
import { fieldErrorMessage } from "../../../lib/field-errors.js";
import { admit } from "../../testing.js";
import { clusterRoleDef } from "./clusterrole.js";
import { clusterRoleBindingDef } from "./clusterrolebinding.js";
import { roleDef } from "./role.js";
import { roleBindingDef } from "./rolebinding.js";

const G = "rbac.authorization.k8s.io";

describe("Role and ClusterRole validation", () => {
  it("rules need verbs, groups and resources; non-resource URLs only in ClusterRoles, alone", () => {
    expect(admit(roleDef, { metadata: { name: "r" }, rules: [{}] }).errors).toEqual([
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
      "rules[0].resources: Required value: resource rules must supply at least one resource",
    ]);
    expect(admit(roleDef, { metadata: { name: "r" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] }).errors).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    expect(admit(clusterRoleDef, { metadata: { name: "c" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] }).errors).toEqual([]);
    expect(admit(clusterRoleDef, { metadata: { name: "c" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/x"], resources: ["pods"] }] }).errors).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it("names are any path segment (system:… names included); aggregationRule needs a selector", () => {
    expect(admit(clusterRoleDef, { metadata: { name: "system:aggregate-to-view" } }).errors).toEqual([]);
    expect(admit(clusterRoleDef, { metadata: { name: "a/b" } }).errors).toEqual(['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
    expect(admit(clusterRoleDef, { metadata: { name: "c" }, aggregationRule: {} }).errors).toEqual([
      "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
    ]);
  });
});

describe("RoleBinding and ClusterRoleBinding validation and defaults", () => {
  it("defaults the roleRef and User/Group subjects to the RBAC group", () => {
    const { obj, errors } = admit(roleBindingDef, { metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "alice" }, { kind: "ServiceAccount", name: "default" }] });
    expect(errors).toEqual([]);
    expect(obj.roleRef.apiGroup).toBe(G);
    expect(obj.subjects).toEqual([{ kind: "User", name: "alice", apiGroup: G }, { kind: "ServiceAccount", name: "default" }]);
  });

  it("refuses unknown kinds and groups as upstream", () => {
    expect(admit(roleBindingDef, { metadata: { name: "b" }, roleRef: { apiGroup: "x", kind: "Pod" }, subjects: [{ kind: "Robot", name: "r" }, { kind: "ServiceAccount", name: "Bad_Name", apiGroup: "x" }] }).errors).toEqual([
      'roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"',
      "roleRef.name: Required value",
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      "subjects[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'subjects[1].apiGroup: Unsupported value: "x": supported values: ""',
    ]);
    expect(admit(clusterRoleBindingDef, { metadata: { name: "b" }, roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa" }] }).errors).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "subjects[0].namespace: Required value",
    ]);
  });

  it("roleRef is immutable, and upstream prints it as a Go struct", () => {
    const old = admit(roleBindingDef, { metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "view" } }).obj;
    const next = admit(roleBindingDef, { metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "edit" } }).obj;
    expect(roleBindingDef.validateUpdate!(next, old).map(fieldErrorMessage)).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
    expect(roleBindingDef.validateUpdate!(old, old)).toEqual([]);
  });
});
