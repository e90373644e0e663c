// Privilege escalation prevention through the Worker: a user may write Roles and bindings only
// with permissions they hold, unless granted `escalate` or `bind`; system:masters may do anything.
// Refusals read as upstream's. The user is the admin impersonating someone (`kubectl --as`).
import { beforeAll, describe, expect, it } from "vitest";
import { api, newNs, patch } from "./helpers.js";
import { RBAC, as, clusterRole, clusterRoleBinding, create, role, roleBinding, rule, user } from "./rbac-helpers.js";

let ns: string;
let manager: string;

beforeAll(async () => {
  ns = await newNs("esc");
  manager = `manager-${ns}`;
  // The manager administers the namespace (the aggregated admin ClusterRole) and nothing more.
  await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("manager-admin", "ClusterRole", "admin", [user(manager)]));
});

const asManager = () => as(manager);
const expectedDenial = (resource: string, name: string, missing: string) =>
  `${resource}.rbac.authorization.k8s.io "${name}" is forbidden: user "${manager}" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n${missing}`;

describe("escalation checks on Roles", () => {
  it("a Role holding only what the writer holds is created", async () => {
    const r = await api("POST", `${RBAC}/namespaces/${ns}/roles`, role("reader", [rule(["get", "list"], ["pods"])]), asManager());
    expect(r.status).toBe(201);
  });

  it("a Role granting more is refused with upstream's message", async () => {
    const r = await api("POST", `${RBAC}/namespaces/${ns}/roles`, role("nodes", [rule(["get", "list"], ["nodes"]), rule(["get"], ["pods"])]), asManager());
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: "Forbidden", details: { name: "nodes", group: "rbac.authorization.k8s.io", kind: "roles" } });
    expect(r.body.message).toBe(expectedDenial("roles", "nodes", '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}'));
    expect((await api("GET", `${RBAC}/namespaces/${ns}/roles/nodes`)).status).toBe(404);
  });

  it("updates and patches are checked on the object they would store", async () => {
    const put = await api("PUT", `${RBAC}/namespaces/${ns}/roles/reader`, role("reader", [rule(["*"], ["*"], ["*"])]), asManager());
    expect(put.status).toBe(403);
    const merge = await patch(`${RBAC}/namespaces/${ns}/roles/reader`, "merge", { rules: [rule(["delete"], ["secrets"])] });
    expect(merge.status).toBe(200); // the admin may
    const json = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/reader`, [{ op: "replace", path: "/rules/0/resources/0", value: "nodes" }], {
      ...asManager(),
      "content-type": "application/json-patch+json",
    });
    expect(json.status).toBe(403);
    expect(json.body.message).toContain('{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}');
    const ok = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/reader`, { rules: [rule(["get"], ["secrets"])] }, { ...asManager(), "content-type": "application/merge-patch+json" });
    expect(ok.status).toBe(200);
    expect(ok.body.rules).toEqual([rule(["get"], ["secrets"])]);
  });

  it("the escalate verb lets a user write any rules into a role", async () => {
    await create(`${RBAC}/namespaces/${ns}/roles`, role("escalator", [rule(["escalate"], ["roles"], ["rbac.authorization.k8s.io"])]));
    await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("manager-escalates", "Role", "escalator", [user(manager)]));
    const r = await api("POST", `${RBAC}/namespaces/${ns}/roles`, role("everything", [rule(["*"], ["*"], ["*"])]), asManager());
    expect(r.status).toBe(201);
  });
});

describe("escalation checks on bindings", () => {
  it("binding a role whose permissions the writer holds is allowed, and one with more is refused", async () => {
    expect((await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("view", "ClusterRole", "view", [user("viewer")]), asManager())).status).toBe(201);
    const r = await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("everything", "Role", "everything", [user("viewer")]), asManager());
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(new RegExp(`^rolebindings\\.rbac\\.authorization\\.k8s\\.io "everything" is forbidden: user "${manager}"`));
    expect(r.body.message).toContain('{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
  });

  it("a missing role is a 404 unless the writer may bind it", async () => {
    const r = await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("ghost", "ClusterRole", `${ns}-ghost`, [user("viewer")]), asManager());
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`clusterroles.rbac.authorization.k8s.io "${ns}-ghost" not found`);
  });

  it("the bind verb on a role lets a user bind it", async () => {
    await create(`${RBAC}/namespaces/${ns}/roles`, role("binder", [rule(["bind"], ["clusterroles"], ["rbac.authorization.k8s.io"], ["cluster-admin"])]));
    await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("manager-binds", "Role", "binder", [user(manager)]));
    expect((await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("root", "ClusterRole", "cluster-admin", [user("viewer")]), asManager())).status).toBe(201);
    // In this namespace only: a ClusterRoleBinding also needs cluster-wide permission to write it.
    const crb = await api("POST", `${RBAC}/clusterrolebindings`, clusterRoleBinding(`${ns}-root`, "cluster-admin", [user("viewer")]), asManager());
    expect(crb.status).toBe(403);
  });
});

describe("ClusterRoles", () => {
  it("an aggregationRule needs cluster-admin's permissions", async () => {
    await create(`${RBAC}/clusterroles`, clusterRole(`${ns}-writer`, [rule(["create", "get"], ["clusterroles"], ["rbac.authorization.k8s.io"])]));
    await create(`${RBAC}/clusterrolebindings`, clusterRoleBinding(`${ns}-writer`, `${ns}-writer`, [user(manager)]));
    const agg = { ...clusterRole(`${ns}-agg`, []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: "y" } }] } };
    const r = await api("POST", `${RBAC}/clusterroles`, agg, asManager());
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(`clusterroles.rbac.authorization.k8s.io "${ns}-agg" is forbidden: must have cluster-admin privileges to use the aggregationRule`);
    expect((await api("POST", `${RBAC}/clusterroles`, clusterRole(`${ns}-small`, [rule(["get"], ["clusterroles"], ["rbac.authorization.k8s.io"])]), asManager())).status).toBe(201);
  });

  it("system:masters may grant anything", async () => {
    expect((await api("POST", `${RBAC}/clusterroles`, clusterRole(`${ns}-all`, [rule(["*"], ["*"], ["*"]), { verbs: ["*"], nonResourceURLs: ["*"] }]))).status).toBe(201);
  });
});
