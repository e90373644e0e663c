import { describe, expect, it } from "vitest";
import { decodeProtobufObject, encodeProtobufObject } from "../index.js";

const G = "rbac.authorization.k8s.io";
const roundTrip = (obj: Record<string, unknown>) => expect(decodeProtobufObject(encodeProtobufObject(obj)).object).toEqual(obj);

describe("rbac.authorization.k8s.io/v1 and authorization.k8s.io/v1 protobuf", () => {
  it("round-trips the four RBAC kinds", () => {
    roundTrip({ apiVersion: `${G}/v1`, kind: "Role", metadata: { name: "r", namespace: "team" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] }] });
    roundTrip({
      apiVersion: `${G}/v1`,
      kind: "ClusterRole",
      metadata: { name: "c" },
      rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/agg": "true" } }] },
    });
    roundTrip({
      apiVersion: `${G}/v1`,
      kind: "RoleBinding",
      metadata: { name: "b", namespace: "team" },
      subjects: [{ kind: "User", apiGroup: G, name: "alice" }, { kind: "ServiceAccount", name: "ci", namespace: "team" }],
      roleRef: { apiGroup: G, kind: "Role", name: "r" },
    });
    roundTrip({ apiVersion: `${G}/v1`, kind: "ClusterRoleBinding", metadata: { name: "cb" }, subjects: [{ kind: "Group", apiGroup: G, name: "devs" }], roleRef: { apiGroup: G, kind: "ClusterRole", name: "c" } });
  });

  it("round-trips the reviews kubectl sends", () => {
    roundTrip({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      metadata: {},
      spec: { resourceAttributes: { namespace: "team", verb: "list", resource: "pods", subresource: "log", name: "p" } },
      status: { allowed: false },
    });
    roundTrip({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", metadata: {}, spec: { nonResourceAttributes: { path: "/healthz", verb: "get" } }, status: { allowed: true, reason: "ok" } });
    roundTrip({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", metadata: {}, spec: { namespace: "team" }, status: { resourceRules: [], nonResourceRules: [], incomplete: false } });
    roundTrip({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      metadata: {},
      spec: { resourceAttributes: { verb: "get", resource: "nodes" }, user: "bob", groups: ["devs"], extra: { scopes: { items: ["a"] } }, uid: "1" },
      status: { allowed: false },
    });
  });
});
