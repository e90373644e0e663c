// authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami): discovered, create-only, and
// answered with the identity of the request's token.
import { describe, expect, it } from "vitest";
import { api, get } from "./helpers.js";

describe("SelfSubjectReview", () => {
  it("is discovered as a cluster-scoped create-only resource", async () => {
    const doc = (await get("/apis/authentication.k8s.io/v1")).body;
    expect(doc.resources).toEqual([{ name: "selfsubjectreviews", singularName: "selfsubjectreview", namespaced: false, kind: "SelfSubjectReview", verbs: ["create"] }]);
    const groups = (await get("/apis")).body.groups.map((g: any) => g.name);
    expect(groups).toContain("authentication.k8s.io");
  });

  it("answers with the admin identity", async () => {
    const res = await api("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    expect(res.status).toBe(201);
    expect(res.body.status.userInfo).toEqual({ username: "edgeplane-admin", groups: ["system:masters", "system:authenticated"] });
  });
});
