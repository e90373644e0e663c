// The RBAC authorizer through the Worker: Roles and ClusterRoles granted by RoleBindings in their
// namespace, ClusterRoleBindings everywhere, service-account subjects, subresources and names,
// upstream's reasons, and requests made as another user (impersonation).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env.js";
import worker from "../../src/index.js";
import { api, cm, newNs } from "./helpers.js";
import { RBAC, as, can, clusterRole, clusterRoleBinding, create, group, role, roleBinding, rule, user, withToken } from "./rbac-helpers.js";

let ns: string;
let other: string;

beforeAll(async () => {
  ns = await newNs("rbac");
  other = await newNs("rbac-other");
  await create(`${RBAC}/namespaces/${ns}/roles`, role("pod-reader", [rule(["get", "list"], ["pods", "pods/log"]), rule(["get"], ["configmaps"], [""], ["app-config"])]));
  await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("alice-reads", "Role", "pod-reader", [user("alice"), { kind: "ServiceAccount", name: "ci" }]));
  await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("devs-edit", "ClusterRole", "edit", [group("devs")]));
  await create(`${RBAC}/clusterroles`, clusterRole(`${ns}-node-reader`, [rule(["get", "list"], ["nodes"])]));
  await create(`${RBAC}/clusterrolebindings`, clusterRoleBinding(`${ns}-carol-nodes`, `${ns}-node-reader`, [user("carol")]));
});

describe("RBAC authorization", () => {
  it("a RoleBinding grants its Role in its namespace only", async () => {
    expect(await can("alice", [], { namespace: ns, verb: "list", resource: "pods" })).toEqual({
      allowed: true,
      reason: `RBAC: allowed by RoleBinding "alice-reads/${ns}" of Role "pod-reader" to User "alice"`,
    });
    expect((await can("alice", [], { namespace: other, verb: "list", resource: "pods" })).allowed).toBe(false);
    expect((await can("alice", [], { namespace: ns, verb: "delete", resource: "pods" })).allowed).toBe(false);
    expect((await can("alice", [], { verb: "list", resource: "pods" })).allowed).toBe(false);
  });

  it("subresources and resourceNames as upstream", async () => {
    expect((await can("alice", [], { namespace: ns, verb: "get", resource: "pods", subresource: "log" })).allowed).toBe(true);
    expect((await can("alice", [], { namespace: ns, verb: "get", resource: "pods", subresource: "exec" })).allowed).toBe(false);
    expect((await can("alice", [], { namespace: ns, verb: "get", resource: "configmaps", name: "app-config" })).allowed).toBe(true);
    expect((await can("alice", [], { namespace: ns, verb: "get", resource: "configmaps", name: "other" })).allowed).toBe(false);
  });

  it("a service account subject names the binding's namespace by default", async () => {
    expect((await can(`system:serviceaccount:${ns}:ci`, ["system:serviceaccounts"], { namespace: ns, verb: "get", resource: "pods" })).allowed).toBe(true);
    expect((await can(`system:serviceaccount:${other}:ci`, ["system:serviceaccounts"], { namespace: ns, verb: "get", resource: "pods" })).allowed).toBe(false);
  });

  it("a RoleBinding may grant a ClusterRole (the aggregated edit) within its namespace", async () => {
    const allowed = await can("dave", ["devs"], { namespace: ns, verb: "create", group: "apps", resource: "deployments" });
    expect(allowed).toEqual({ allowed: true, reason: `RBAC: allowed by RoleBinding "devs-edit/${ns}" of ClusterRole "edit" to Group "devs"` });
    expect((await can("dave", ["devs"], { namespace: other, verb: "create", group: "apps", resource: "deployments" })).allowed).toBe(false);
    expect((await can("dave", ["devs"], { namespace: ns, verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings" })).allowed).toBe(false);
  });

  it("a ClusterRoleBinding grants everywhere, cluster-scoped resources included", async () => {
    expect((await can("carol", [], { verb: "list", resource: "nodes" })).reason).toBe(`RBAC: allowed by ClusterRoleBinding "${ns}-carol-nodes" of ClusterRole "${ns}-node-reader" to User "carol"`);
    expect((await can("carol", [], { namespace: ns, verb: "get", resource: "nodes" })).allowed).toBe(true);
  });

  it("a binding to a missing role is a reason, as upstream words it", async () => {
    await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("dangling", "ClusterRole", `${ns}-missing`, [user("erin")]));
    expect(await can("erin", [], { namespace: ns, verb: "get", resource: "pods" })).toEqual({
      allowed: false,
      reason: `RBAC: clusterrole.rbac.authorization.k8s.io "${ns}-missing" not found`,
    });
  });

  it("every authenticated user may discover the API", async () => {
    const r = await api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      spec: { user: "nobody", groups: ["system:authenticated"], nonResourceAttributes: { path: "/apis/apps/v1", verb: "get" } },
    });
    expect(r.body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' });
  });
});

describe("anonymous requests", () => {
  it("may read the health and version paths when the Worker allows anonymous requests (system:public-info-viewer)", async () => {
    const anonymous = async (path: string) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://x${path}`), { ...(env as Env), ANONYMOUS_HEALTH_CHECKS: "true" }, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    expect(await anonymous("/healthz")).toBe(200);
    expect(await anonymous("/version")).toBe(200);
    expect(await anonymous("/api")).toBe(401);
  });
});

describe("requests as another user (impersonation)", () => {
  it("runs the request as the impersonated user, with upstream's 403", async () => {
    expect((await api("POST", `/api/v1/namespaces/${ns}/configmaps`, cm("c1"))).status).toBe(201);
    expect((await api("GET", `/api/v1/namespaces/${ns}/configmaps/app-config`, undefined, as("alice"))).status).toBe(404);
    const denied = await api("GET", `/api/v1/namespaces/${ns}/configmaps/c1`, undefined, as("alice"));
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`configmaps "c1" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "${ns}"`);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods`, undefined, as("alice"))).status).toBe(200);
    const whoami = await api("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1" }, as("alice", "devs"));
    expect(whoami.body.status.userInfo).toEqual({ username: "alice", groups: ["devs", "system:authenticated"] });
  });

  it("a user needs the impersonate verb on users, groups or service accounts", async () => {
    const tokens = `frank-token,frank-${ns}`;
    const frank = (headers: Record<string, string>) => withToken(tokens, "frank-token", "GET", `/api/v1/namespaces/${ns}/pods`, undefined, headers);
    const denied = await frank(as("alice"));
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`users "alice" is forbidden: User "frank-${ns}" cannot impersonate resource "users" in API group "" at the cluster scope`);
    await create(`${RBAC}/clusterroles`, clusterRole(`${ns}-impersonate-alice`, [rule(["impersonate"], ["users"], [""], ["alice"])]));
    await create(`${RBAC}/clusterrolebindings`, clusterRoleBinding(`${ns}-frank`, `${ns}-impersonate-alice`, [user(`frank-${ns}`)]));
    expect((await frank(as("alice"))).status).toBe(200);
    // Groups are checked one by one.
    const asMaster = await frank(as("alice", "system:masters"));
    expect(asMaster.status).toBe(403);
    expect(asMaster.body.message).toBe(`groups "system:masters" is forbidden: User "frank-${ns}" cannot impersonate resource "groups" in API group "" at the cluster scope`);
  });
});
