// Authentication and the authorization reviews through the Worker: the admin token, requests
// without or with a wrong token, whoami, and SelfSubjectAccessReview / SubjectAccessReview.
import { describe, expect, it } from "vitest";
import { post, raw } from "./helpers.js";

describe("authentication", () => {
  it("401 without a token, with a wrong token, and for the health paths unless anonymous checks are allowed", async () => {
    for (const headers of [{ authorization: "" }, { authorization: "Bearer nope" }, { authorization: "Basic dXNlcjpwdw==" }]) {
      for (const path of ["/api/v1/namespaces", "/api", "/healthz", "/version"]) {
        const r = await raw("GET", path, { headers });
        expect(r.status, `${path} ${headers.authorization}`).toBe(401);
        expect(await r.json()).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
      }
    }
  });

  it("whoami: the admin token is edgeplane-admin in system:masters", async () => {
    const r = await post("/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    expect(r.status).toBe(201);
    expect(r.body.status.userInfo).toEqual({ username: "edgeplane-admin", groups: ["system:masters", "system:authenticated"] });
  });
});

describe("access reviews", () => {
  const ssar = (spec: unknown) => post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec });
  const sar = (spec: unknown) => post("/apis/authorization.k8s.io/v1/subjectaccessreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec });

  it("the admin may do anything", async () => {
    const r = await ssar({ resourceAttributes: { namespace: "default", verb: "delete", resource: "pods" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: "SelfSubjectAccessReview", apiVersion: "authorization.k8s.io/v1", status: { allowed: true } });
    expect((await ssar({ nonResourceAttributes: { path: "/metrics", verb: "get" } })).body.status.allowed).toBe(true);
  });

  it("a user with no grants may not; a system:masters member may", async () => {
    const r = await sar({ user: "bob", resourceAttributes: { namespace: "default", verb: "list", resource: "pods" } });
    expect(r.status).toBe(201);
    expect(r.body.status.allowed).toBe(false);
    expect((await sar({ user: "alice", groups: ["system:masters"], resourceAttributes: { verb: "delete", resource: "nodes" } })).body.status.allowed).toBe(true);
  });

  it("422 unless exactly one of resourceAttributes and nonResourceAttributes; 422 without a user or group", async () => {
    expect((await ssar({})).status).toBe(422);
    expect((await ssar({ resourceAttributes: { verb: "get", resource: "pods" }, nonResourceAttributes: { path: "/", verb: "get" } })).status).toBe(422);
    expect((await sar({ resourceAttributes: { verb: "get", resource: "pods" } })).status).toBe(422);
  });
});
