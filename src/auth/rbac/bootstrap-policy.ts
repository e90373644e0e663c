// The default ClusterRoles and ClusterRoleBindings a cluster starts with: the subset of upstream's
// bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, its golden
// testdata/cluster-roles.yaml) that edgeplane serves. system:kube-controller-manager and friends
// are left out: the controllers run inside the stores, not as API clients.
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import type { ClusterRoleBinding } from "../../apis/rbac/v1/clusterrolebinding.js";
import { type PolicyRule, RBAC_GROUP } from "../../apis/rbac/v1/policy.js";
import { SYSTEM_AUTHENTICATED, SYSTEM_MASTERS, SYSTEM_NODES, SYSTEM_UNAUTHENTICATED } from "../user.js";

/** The user upstream's kube-proxy authenticates as. */
export const KUBE_PROXY_USER = "system:kube-proxy";

export const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";
export const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { apiGroups, resources, resourceNames, verbs } : { apiGroups, resources, verbs };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

/** The rules of system:node (upstream's NodeRules); the node authorizer narrows them to a node's own objects. */
export const NODE_RULES: PolicyRule[] = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
  rule(READ, [""], ["services"]),
  rule(["create", "get", "list", "watch"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(["patch", "update"], [""], ["nodes"]),
  rule(["create", "patch", "update"], [""], ["events"]),
  rule(READ, [""], ["pods"]),
  rule(["create", "delete"], [""], ["pods"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(READ, [""], ["configmaps", "secrets"]),
  rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["get"], [""], ["endpoints"]),
  rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
  rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
  rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(["get", "patch", "update"], [""], ["persistentvolumeclaims/status"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers"]),
  rule(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
  rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
];

/** The rules of system:node-proxier (upstream's role for kube-proxy): what a service proxy lists and watches. */
export const NODE_PROXIER_RULES: PolicyRule[] = [
  rule(["list", "watch"], [""], ["endpoints", "services"]),
  rule(READ, [""], ["nodes"]),
  rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];

const clusterRole = (name: string, rules: PolicyRule[] | undefined, extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole => {
  const role: ClusterRole = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRole",
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extra.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
  };
  if (extra.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: "true" } }] };
  if (rules) role.rules = rules;
  return role;
};

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
    clusterRole("system:discovery", [urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])]),
    clusterRole("system:basic-user", [
      rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
      rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
    ]),
    clusterRole("system:public-info-viewer", [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
    clusterRole("admin", undefined, { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole("edit", undefined, { labels: { [AGGREGATE_TO_ADMIN]: "true" }, aggregateFrom: AGGREGATE_TO_EDIT }),
    clusterRole("view", undefined, { labels: { [AGGREGATE_TO_EDIT]: "true" }, aggregateFrom: AGGREGATE_TO_VIEW }),
    clusterRole(
      "system:aggregate-to-admin",
      [rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]), rule(READ_WRITE, [RBAC_GROUP], ["rolebindings", "roles"])],
      { labels: { [AGGREGATE_TO_ADMIN]: "true" } },
    ),
    clusterRole(
      "system:aggregate-to-edit",
      [
        rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
        rule(["impersonate"], [""], ["serviceaccounts"]),
        rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        rule(["create"], [""], ["pods/eviction"]),
        rule(WRITE, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
        rule(["create"], [""], ["serviceaccounts/token"]),
        rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
        rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
        rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"]),
        rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
      ],
      { labels: { [AGGREGATE_TO_EDIT]: "true" } },
    ),
    clusterRole(
      "system:aggregate-to-view",
      [
        rule(READ, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
        rule(READ, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
        rule(READ, [""], ["namespaces"]),
        rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        rule(READ, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
        rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"]),
        rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
      ],
      { labels: { [AGGREGATE_TO_VIEW]: "true" } },
    ),
    clusterRole("system:node", NODE_RULES),
    clusterRole("system:node-proxier", NODE_PROXIER_RULES),
    clusterRole("system:node-bootstrapper", [rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])]),
  ];
}

const binding = (name: string, groups: string[]): ClusterRoleBinding => {
  const b: ClusterRoleBinding = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
  };
  if (groups.length) b.subjects = groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: "Group", name: g }));
  return b;
};

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding("cluster-admin", [SYSTEM_MASTERS]),
    binding("system:discovery", [SYSTEM_AUTHENTICATED]),
    binding("system:basic-user", [SYSTEM_AUTHENTICATED]),
    binding("system:public-info-viewer", [SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED]),
    // Upstream keeps this binding without subjects: the node authorizer grants nodes their rules.
    binding("system:node", []),
    // Upstream binds the user system:kube-proxy. edgeplane's node agent is also the node's
    // kube-proxy and authenticates with its node credentials (user system:node:NAME in group
    // system:nodes), so the group is bound too: without it the proxy could not list and watch
    // Services and EndpointSlices in every namespace.
    {
      ...binding("system:node-proxier", [SYSTEM_NODES]),
      subjects: [
        { apiGroup: RBAC_GROUP, kind: "User", name: KUBE_PROXY_USER },
        { apiGroup: RBAC_GROUP, kind: "Group", name: SYSTEM_NODES },
      ],
    },
  ];
}
