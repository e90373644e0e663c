// rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide rules (non-resource URLs too), granted by
// ClusterRoleBindings everywhere or by RoleBindings in one namespace; an aggregationRule makes
// its rules the union of the ClusterRoles it selects (src/controllers/clusterrole-aggregation).
import { z } from "zod";
import { goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { AggregationRuleSchema, PolicyRuleSchema, RBAC_GROUP, validateAggregationRule, validateRules } from "./policy.js";

export const ClusterRoleSchema = goType(
  z.object({
    ...typeMeta,
    rules: z.array(PolicyRuleSchema).optional().describe("Rules holds all the PolicyRules for this ClusterRole"),
    aggregationRule: AggregationRuleSchema.optional().describe("AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller."),
  }).describe("ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding."),
  "ClusterRole",
);
export type ClusterRole = z.infer<typeof ClusterRoleSchema>;

export const clusterRoleDef: KindDef<ClusterRole> = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRole",
  listKind: "ClusterRoleList",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  shortNames: [],
  categories: [],
  nameRule: "pathSegment",
  schema: ClusterRoleSchema,
  validate: (role) => [...validateRules(role.rules, false), ...validateAggregationRule(role.aggregationRule)],
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};
