// Why this exists: field tables for rbac.authorization.k8s.io/v1 (k8s.io/api/rbac/v1/generated.proto),
// which kubectl sends as protobuf (`kubectl create role`, `create rolebinding`, ...), and for the
// authorization.k8s.io/v1 reviews (`kubectl auth can-i`, `can-i --list`).

import type { MessageTable } from "./types.js";

export const RBAC: MessageTable = {
  Role: "1 metadata ObjectMeta, 2 rules PolicyRule[]",
  ClusterRole: "1 metadata ObjectMeta, 2 rules PolicyRule[], 3 aggregationRule AggregationRule",
  RoleBinding: "1 metadata ObjectMeta, 2 subjects Subject[], 3 roleRef RoleRef",
  ClusterRoleBinding: "1 metadata ObjectMeta, 2 subjects Subject[], 3 roleRef RoleRef",
  PolicyRule: "1 verbs string[]!, 2 apiGroups string[], 3 resources string[], 4 resourceNames string[], 5 nonResourceURLs string[]",
  AggregationRule: "1 clusterRoleSelectors LabelSelector[]",
  Subject: "1 kind string!, 2 apiGroup string, 3 name string!, 4 namespace string",
  RoleRef: "1 apiGroup string!, 2 kind string!, 3 name string!",
};

// Names prefixed where authentication.k8s.io has messages of the same name (ExtraValue).
export const AUTHORIZATION: MessageTable = {
  SelfSubjectAccessReview: "1 metadata ObjectMeta, 2 spec SelfSubjectAccessReviewSpec, 3 status SubjectAccessReviewStatus",
  SelfSubjectAccessReviewSpec: "1 resourceAttributes ResourceAttributes, 2 nonResourceAttributes NonResourceAttributes",
  SubjectAccessReview: "1 metadata ObjectMeta, 2 spec SubjectAccessReviewSpec, 3 status SubjectAccessReviewStatus",
  LocalSubjectAccessReview: "1 metadata ObjectMeta, 2 spec SubjectAccessReviewSpec, 3 status SubjectAccessReviewStatus",
  SubjectAccessReviewSpec:
    "1 resourceAttributes ResourceAttributes, 2 nonResourceAttributes NonResourceAttributes, 3 user string, 4 groups string[], " +
    "5 extra map<AuthorizationExtraValue>, 6 uid string",
  AuthorizationExtraValue: "1 items string[]!",
  ResourceAttributes:
    "1 namespace string, 2 verb string, 3 group string, 4 version string, 5 resource string, 6 subresource string, 7 name string, " +
    "8 fieldSelector FieldSelectorAttributes, 9 labelSelector LabelSelectorAttributes",
  FieldSelectorAttributes: "1 rawSelector string, 2 requirements FieldSelectorRequirement[]",
  FieldSelectorRequirement: "1 key string!, 2 operator string!, 3 values string[]",
  LabelSelectorAttributes: "1 rawSelector string, 2 requirements LabelSelectorRequirement[]",
  NonResourceAttributes: "1 path string, 2 verb string",
  SubjectAccessReviewStatus: "1 allowed bool!, 4 denied bool, 2 reason string, 3 evaluationError string",
  SelfSubjectRulesReview: "1 metadata ObjectMeta, 2 spec SelfSubjectRulesReviewSpec, 3 status SubjectRulesReviewStatus",
  SelfSubjectRulesReviewSpec: "1 namespace string",
  SubjectRulesReviewStatus: "1 resourceRules ResourceRule[]!, 2 nonResourceRules NonResourceRule[]!, 3 incomplete bool!, 4 evaluationError string",
  ResourceRule: "1 verbs string[]!, 2 apiGroups string[], 3 resources string[], 4 resourceNames string[]",
  NonResourceRule: "1 verbs string[]!, 2 nonResourceURLs string[]",
};
