// The Node authorizer end to end: a node's rights follow the pods bound to it, read from the
// namespace's store (asked through SubjectAccessReview as the admin).
import { describe, expect, it } from "vitest";
import { newNs, post } from "./helpers.js";

const can = async (node: string, attrs: Record<string, string>) => {
  const r = await post("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user: `system:node:${node}`, groups: ["system:nodes", "system:authenticated"], resourceAttributes: attrs },
  });
  expect(r.status).toBe(201);
  return r.body.status as { allowed: boolean; denied?: boolean; reason?: string };
};

describe("node authorizer", () => {
  it("a node reads the Secrets of the pods bound to it, and nothing of another node's pods", async () => {
    const ns = await newNs("na");
    const boundPod = (name: string, nodeName: string, secret: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: { nodeName, containers: [{ name: "c", image: "x" }], volumes: [{ name: "s", secret: { secretName: secret } }] },
    });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, boundPod("a", "n1", "s1"))).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/pods`, boundPod("b", "n2", "s2"))).status).toBe(201);

    expect(await can("n1", { namespace: ns, verb: "get", resource: "secrets", name: "s1" })).toEqual({ allowed: true });
    expect(await can("n1", { namespace: ns, verb: "get", resource: "secrets", name: "s2" })).toEqual({
      allowed: false,
      denied: true,
      reason: "no relationship found between node 'n1' and this object",
    });
    expect((await can("n2", { namespace: ns, verb: "get", resource: "secrets", name: "s2" })).allowed).toBe(true);
    expect((await can("n1", { namespace: ns, verb: "update", resource: "pods", subresource: "status", name: "a" })).allowed).toBe(true);
    expect((await can("n1", { namespace: ns, verb: "delete", resource: "pods", name: "b" })).allowed).toBe(false);
    expect((await can("n1", { verb: "get", resource: "nodes", name: "n1" })).allowed).toBe(true);
    // Reading another Node is RBAC's: system:node-proxier (the agent's service proxy) is bound to the nodes. Writing it is not.
    expect((await can("n1", { verb: "get", resource: "nodes", name: "n2" })).allowed).toBe(true);
    expect((await can("n1", { verb: "patch", resource: "nodes", name: "n2" })).allowed).toBe(false);
  });
});
