// rbac.authorization.k8s.io/v1 Role: namespaced rules, granted by RoleBindings of its namespace.
import { z } from "zod";
import { goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PolicyRuleSchema, RBAC_GROUP, validateRules } from "./policy.js";

export const RoleSchema = goType(
  z.object({
    ...typeMeta,
    rules: z.array(PolicyRuleSchema).optional().describe("Rules holds all the PolicyRules for this Role"),
  }).describe("Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding."),
  "Role",
);
export type Role = z.infer<typeof RoleSchema>;

export const roleDef: KindDef<Role> = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "Role",
  listKind: "RoleList",
  plural: "roles",
  singular: "role",
  namespaced: true,
  shortNames: [],
  categories: [],
  // ValidateRBACName: any path segment.
  nameRule: "pathSegment",
  schema: RoleSchema,
  validate: (role) => validateRules(role.rules, true),
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};
