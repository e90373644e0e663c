// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role of its namespace, or a ClusterRole's
// rules within its namespace, to users, groups and service accounts. roleRef is immutable.
import { z } from "zod";
import { goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { RBAC_GROUP, RoleRefSchema, SubjectSchema, defaultRoleRef, defaultSubjects, validateRoleRef, validateRoleRefUnchanged, validateSubjects } from "./policy.js";

export const RoleBindingSchema = goType(
  z.object({
    ...typeMeta,
    subjects: z.array(SubjectSchema).optional().describe("Subjects holds references to the objects the role applies to."),
    roleRef: RoleRefSchema.prefault({}).describe("RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
  }).describe("RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace."),
  "RoleBinding",
);
export type RoleBinding = z.infer<typeof RoleBindingSchema>;

export const roleBindingDef: KindDef<RoleBinding> = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "RoleBinding",
  listKind: "RoleBindingList",
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  shortNames: [],
  categories: [],
  nameRule: "pathSegment",
  schema: RoleBindingSchema,
  applyDefaults(rb) {
    defaultRoleRef(rb.roleRef);
    defaultSubjects(rb.subjects);
  },
  validate: (rb) => [...validateRoleRef(rb.roleRef, ["Role", "ClusterRole"]), ...validateSubjects(rb.subjects, true)],
  validateUpdate: (rb, old) => validateRoleRefUnchanged(rb.roleRef, old.roleRef),
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};
