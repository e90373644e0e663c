// rbac.authorization.k8s.io/v1 shapes the four RBAC kinds share (PolicyRule, Subject, RoleRef,
// AggregationRule), their defaults (SetDefaults_Subject, SetDefaults_*RoleBinding) and upstream's
// validation (pkg/apis/rbac/validation), with its exact messages.
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { LabelSelectorSchema, goType } from "../../meta.js";
import { isDNS1123Subdomain, isValidPathSegmentName, validateLabelSelector } from "../../validation.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

const strings = () => z.array(z.string());

export const PolicyRuleSchema = goType(
  z.object({
    verbs: strings().optional().describe("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
    apiGroups: strings().optional().describe("APIGroups is the name of the APIGroup that contains the resources. If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. \"\" represents the core API group and \"*\" represents all API groups."),
    resources: strings().optional().describe("Resources is a list of resources this rule applies to. '*' represents all resources."),
    resourceNames: strings().optional().describe("ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed."),
    nonResourceURLs: strings().optional().describe("NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path. Rules can either apply to API resources (such as \"pods\" or \"secrets\") or non-resource URL paths (such as \"/api\"),  but not both."),
  }).describe("PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to."),
  "PolicyRule",
);
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

export const SubjectSchema = goType(
  z.object({
    kind: z.string().default("").describe("Kind of object being referenced. Values defined by this API group are \"User\", \"Group\", and \"ServiceAccount\"."),
    apiGroup: z.string().optional().describe("APIGroup holds the API group of the referenced subject. Defaults to \"\" for ServiceAccount subjects. Defaults to \"rbac.authorization.k8s.io\" for User and Group subjects."),
    name: z.string().default("").describe("Name of the object being referenced."),
    namespace: z.string().optional().describe("Namespace of the referenced object.  If the object kind is non-namespace, such as \"User\" or \"Group\", and this value is not empty the Authorizer should report an error."),
  }).describe("Subject contains a reference to the object or user identities a role binding applies to."),
  "Subject",
);
export type Subject = z.infer<typeof SubjectSchema>;

export const RoleRefSchema = goType(
  z.object({
    apiGroup: z.string().default("").describe("APIGroup is the group for the resource being referenced"),
    kind: z.string().default("").describe("Kind is the type of resource being referenced"),
    name: z.string().default("").describe("Name is the name of resource being referenced"),
  }).describe("RoleRef contains information that points to the role being used"),
  "RoleRef",
);
export type RoleRef = z.infer<typeof RoleRefSchema>;

export const AggregationRuleSchema = goType(
  z.object({
    clusterRoleSelectors: z.array(LabelSelectorSchema).optional().describe("ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added"),
  }).describe("AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole"),
  "AggregationRule",
);
export type AggregationRule = z.infer<typeof AggregationRuleSchema>;

// ---- defaults ----

/** SetDefaults_Subject: User and Group subjects belong to the RBAC group. */
export function defaultSubjects(subjects: Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if (!s.apiGroup && (s.kind === "User" || s.kind === "Group")) s.apiGroup = RBAC_GROUP;
  }
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding. */
export function defaultRoleRef(ref: RoleRef): void {
  if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
}

// ---- validation ----

/** ValidatePolicyRule. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(required(`${path}.verbs`, "verbs must contain at least one value"));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, "namespaced rules cannot apply to non-resource URLs"));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
  if (!rule.resources?.length) errs.push(required(`${path}.resources`, "resource rules must supply at least one resource"));
  return errs;
}

export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

/** The roleRef checks of ValidateRoleBinding / ValidateClusterRoleBinding. */
export function validateRoleRef(ref: RoleRef, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", ref.apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) errs.push(notSupported("roleRef.kind", ref.kind, kinds));
  if (!ref.name) errs.push(required("roleRef.name", ""));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(invalid("roleRef.name", ref.name, m));
  return errs;
}

/** ValidateRoleBindingSubject. */
export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${path}.name`, ""));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalid(`${path}.name`, s.name, m));
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, [""]));
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`, ""));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, s.kind, ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

export function validateSubjects(subjects: Subject[] | undefined, namespaced: boolean): FieldError[] {
  return (subjects ?? []).flatMap((s, i) => validateSubject(s, namespaced, `subjects[${i}]`));
}

/** ValidateRoleBindingUpdate's "cannot change roleRef", its bad value printed as Go's %#v does. */
export function validateRoleRefUnchanged(ref: RoleRef, old: RoleRef): FieldError[] {
  if (ref.apiGroup === old.apiGroup && ref.kind === old.kind && ref.name === old.name) return [];
  // The value goes into the detail so the message reads exactly as upstream's (a Go struct, not JSON).
  const goValue = `rbac.RoleRef{APIGroup:${JSON.stringify(ref.apiGroup)}, Kind:${JSON.stringify(ref.kind)}, Name:${JSON.stringify(ref.name)}}`;
  return [{ type: "FieldValueInvalid", field: "roleRef", detail: `${goValue}: cannot change roleRef` }];
}

/** The aggregationRule checks of ValidateClusterRole. */
export function validateAggregationRule(rule: AggregationRule | undefined): FieldError[] {
  if (!rule) return [];
  const path = "aggregationRule.clusterRoleSelectors";
  const selectors = rule.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return [required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil")];
  return selectors.flatMap((sel, i) => validateLabelSelector(sel, `${path}[${i}]`));
}
