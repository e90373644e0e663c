// Upstream's "SubjectReview, API Operations": for a new ServiceAccount, a SubjectAccessReview and a
// LocalSubjectAccessReview give the same answer as the real request made while impersonating it.
import { describe, expect, it } from "vitest";
import { api, newNs, post } from "./helpers.js";

describe("conformance: SubjectReview", () => {
  it("SubjectReview, API Operations: SAR and LSAR agree with an impersonated list of configmaps", async () => {
    const ns = await newNs("sr");
    const sa = (await post(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "e2e" } })).body;
    expect(sa.metadata.uid).toBeTruthy();
    const user = `system:serviceaccount:${ns}:e2e`;
    const groups = ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"];
    const impersonate = { "impersonate-user": user, "impersonate-group": groups.join(","), "impersonate-uid": sa.metadata.uid };

    const review = async () => {
      const attrs = { namespace: ns, verb: "list", resource: "configmaps" };
      const sar = await post("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user, groups, uid: sa.metadata.uid, resourceAttributes: attrs },
      });
      expect(sar.status).toBe(201);
      const lsar = await post(`/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, {
        apiVersion: "authorization.k8s.io/v1",
        kind: "LocalSubjectAccessReview",
        metadata: { namespace: ns },
        spec: { user, groups, uid: sa.metadata.uid, resourceAttributes: attrs },
      });
      expect(lsar.status).toBe(201);
      const real = await api("GET", `/api/v1/namespaces/${ns}/configmaps`, undefined, impersonate);
      expect([200, 403]).toContain(real.status);
      return { sar: sar.body.status.allowed, lsar: lsar.body.status.allowed, real: real.status === 200 };
    };

    // No grant yet: all three say no.
    expect(await review()).toEqual({ sar: false, lsar: false, real: false });
    // Grant it: all three say yes.
    expect((await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "e2e", namespace: ns }],
    })).status).toBe(201);
    expect(await review()).toEqual({ sar: true, lsar: true, real: true });
  });
});
