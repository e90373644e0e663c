// The RBAC API around the authorizer: SelfSubjectRulesReview (kubectl auth can-i --list),
// LocalSubjectAccessReview, reviews sent as protobuf, the ClusterRole aggregation controller,
// server-side apply of a Role by a non-admin, roleRef immutability and the tables kubectl prints.
import { beforeAll, describe, expect, it } from "vitest";
import { encodeProtobufObject } from "../../src/api/protobuf/index.js";
import { api, eventually, get, newNs, put, raw } from "./helpers.js";
import { G, RBAC, as, clusterRole, create, role, roleBinding, rule, user } from "./rbac-helpers.js";

let ns: string;

beforeAll(async () => {
  ns = await newNs("rev");
  await create(`${RBAC}/namespaces/${ns}/roles`, role("reader", [rule(["get", "list"], ["pods"])]));
  await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("reader", "Role", "reader", [user(`gina-${ns}`)]));
});

describe("SelfSubjectRulesReview", () => {
  it("lists the rules that apply to the requester in a namespace", async () => {
    const r = await api("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: ns } }, as(`gina-${ns}`));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", spec: {}, status: { incomplete: false } });
    expect(r.body.status.resourceRules).toContainEqual({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] });
    expect(r.body.status.resourceRules).toContainEqual({ verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] });
    expect(r.body.status.nonResourceRules).toContainEqual({ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] });
  });

  it("needs a namespace", async () => {
    const r = await api("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { spec: {} });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("no namespace on request");
  });
});

describe("LocalSubjectAccessReview", () => {
  const path = () => `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`;
  it("answers for the URL's namespace", async () => {
    const r = await api("POST", path(), { apiVersion: "authorization.k8s.io/v1", kind: "LocalSubjectAccessReview", spec: { user: `gina-${ns}`, resourceAttributes: { namespace: ns, verb: "list", resource: "pods" } } });
    expect(r.status).toBe(201);
    expect(r.body.metadata.namespace).toBe(ns);
    expect(r.body.status.allowed).toBe(true);
  });

  it("refuses another namespace and non-resource attributes", async () => {
    const r = await api("POST", path(), { spec: { user: "x", resourceAttributes: { namespace: "other", verb: "list", resource: "pods" } } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace');
    expect((await api("POST", path(), { spec: { user: "x", nonResourceAttributes: { path: "/", verb: "get" } } })).status).toBe(422);
  });
});

describe("reviews sent as protobuf (kubectl auth can-i)", () => {
  it("decodes a SelfSubjectAccessReview", async () => {
    const body = encodeProtobufObject({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", metadata: {}, spec: { resourceAttributes: { namespace: ns, verb: "list", resource: "pods" } } });
    const res = await raw("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { body, headers: { "content-type": "application/vnd.kubernetes.protobuf", ...as(`gina-${ns}`) } });
    expect(res.status).toBe(201);
    expect((await res.json<any>()).status).toMatchObject({ allowed: true, reason: `RBAC: allowed by RoleBinding "reader/${ns}" of Role "reader" to User "gina-${ns}"` });
  });
});

describe("ClusterRole aggregation", () => {
  it("view gathers the rules of ClusterRoles labelled aggregate-to-view, and drops them when the label goes", async () => {
    const name = `${ns}-widgets`;
    const widgets = rule(["get"], ["widgets"], ["example.com"]);
    await create(`${RBAC}/clusterroles`, clusterRole(name, [widgets], { "rbac.authorization.k8s.io/aggregate-to-view": "true" }));
    const rulesOf = async (r: string) => (await get(`${RBAC}/clusterroles/${r}`)).body.rules ?? [];
    await eventually("", async () => ((await rulesOf("view")).some((r: any) => r.resources?.[0] === "widgets") ? true : undefined));
    // edit aggregates view, and admin aggregates edit.
    await eventually("", async () => ((await rulesOf("admin")).some((r: any) => r.resources?.[0] === "widgets") ? true : undefined));
    const current = (await get(`${RBAC}/clusterroles/${name}`)).body;
    expect((await put(`${RBAC}/clusterroles/${name}`, { ...current, metadata: { ...current.metadata, labels: {} } })).status).toBe(200);
    await eventually("", async () => ((await rulesOf("view")).some((r: any) => r.resources?.[0] === "widgets") ? undefined : true));
  });
});

describe("RBAC objects", () => {
  it("a non-admin may server-side apply a Role it could write", async () => {
    const cfg = role("applied", [rule(["get"], ["pods"])]);
    const r = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/applied?fieldManager=test`, cfg, { "content-type": "application/apply-patch+yaml", ...as(`gina-${ns}`) });
    expect(r.status).toBe(403); // gina may not write roles at all
    await create(`${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("gina-admin", "ClusterRole", "admin", [user(`gina-${ns}`)]));
    const created = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/applied?fieldManager=test`, cfg, { "content-type": "application/apply-patch+yaml", ...as(`gina-${ns}`) });
    expect(created.status).toBe(201);
    const updated = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/applied?fieldManager=test`, role("applied", [rule(["list"], ["pods"])]), { "content-type": "application/apply-patch+yaml", ...as(`gina-${ns}`) });
    expect(updated.status).toBe(200);
    expect(updated.body.rules).toEqual([rule(["list"], ["pods"])]);
    expect(updated.body.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([["test", "Apply"]]);
    const escalating = await api("PATCH", `${RBAC}/namespaces/${ns}/roles/applied?fieldManager=test`, role("applied", [rule(["get"], ["nodes"])]), { "content-type": "application/apply-patch+yaml", ...as(`gina-${ns}`) });
    expect(escalating.status).toBe(403);
  });

  it("roleRef is immutable", async () => {
    const b = (await get(`${RBAC}/namespaces/${ns}/rolebindings/reader`)).body;
    const r = await put(`${RBAC}/namespaces/${ns}/rolebindings/reader`, { ...b, roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('RoleBinding.rbac.authorization.k8s.io "reader" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef');
  });

  it("tables: rolebindings NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS, roles NAME CREATED AT", async () => {
    const accept = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };
    const t = (await api("GET", `${RBAC}/namespaces/${ns}/rolebindings/reader`, undefined, accept)).body;
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]);
    expect(t.rows[0].cells.slice(0, 2)).toEqual(["reader", "Role/reader"]);
    expect(t.rows[0].cells[3]).toBe(`gina-${ns}`);
    const roles = (await api("GET", `${RBAC}/namespaces/${ns}/roles`, undefined, accept)).body;
    expect(roles.columnDefinitions.map((c: any) => c.name)).toEqual(["Name", "Created At"]);
  });

  it("are discovered without short names, the reviews beside them", async () => {
    const doc = (await get(`${RBAC}`)).body;
    const by = Object.fromEntries(doc.resources.map((r: any) => [r.name, r]));
    expect(Object.keys(by).sort()).toEqual(["clusterrolebindings", "clusterroles", "rolebindings", "roles"]);
    expect(by.roles).toMatchObject({ kind: "Role", namespaced: true, singularName: "role" });
    expect(by.roles.shortNames).toBeUndefined();
    expect(by.clusterroles).toMatchObject({ kind: "ClusterRole", namespaced: false });
    const authz = (await get("/apis/authorization.k8s.io/v1")).body.resources.map((r: any) => [r.name, r.namespaced]);
    expect(authz).toEqual(
      expect.arrayContaining([
        ["localsubjectaccessreviews", true],
        ["selfsubjectaccessreviews", false],
        ["selfsubjectrulesreviews", false],
        ["subjectaccessreviews", false],
      ]),
    );
  });
});

describe("SelfSubjectAccessReview as a Table", () => {
  const path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { verb: "list", resource: "pods" } } };
  it("406 NotAcceptable: a review has no metadata to print (upstream's API metadata HTTP return)", async () => {
    const r = await api("POST", path, sar, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(r.status).toBe(406);
    expect(r.body).toMatchObject({ kind: "Status", reason: "NotAcceptable", code: 406 });
    expect((await api("POST", path, sar, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io, application/json" })).status).toBe(201);
    expect((await api("POST", path, sar, { accept: "application/json" })).status).toBe(201);
  });
});
