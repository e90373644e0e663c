// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole's rules in every namespace
// and at the cluster scope. roleRef is immutable; ServiceAccount subjects must name a namespace.
import { z } from "zod";
import { goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { RBAC_GROUP, RoleRefSchema, SubjectSchema, defaultRoleRef, defaultSubjects, validateRoleRef, validateRoleRefUnchanged, validateSubjects } from "./policy.js";

export const ClusterRoleBindingSchema = goType(
  z.object({
    ...typeMeta,
    subjects: z.array(SubjectSchema).optional().describe("Subjects holds references to the objects the role applies to."),
    roleRef: RoleRefSchema.prefault({}).describe("RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
  }).describe("ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject."),
  "ClusterRoleBinding",
);
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBindingSchema>;

export const clusterRoleBindingDef: KindDef<ClusterRoleBinding> = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRoleBinding",
  listKind: "ClusterRoleBindingList",
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  shortNames: [],
  categories: [],
  nameRule: "pathSegment",
  schema: ClusterRoleBindingSchema,
  applyDefaults(crb) {
    defaultRoleRef(crb.roleRef);
    defaultSubjects(crb.subjects);
  },
  validate: (crb) => [...validateRoleRef(crb.roleRef, ["ClusterRole"]), ...validateSubjects(crb.subjects, false)],
  validateUpdate: (crb, old) => validateRoleRefUnchanged(crb.roleRef, old.roleRef),
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};
