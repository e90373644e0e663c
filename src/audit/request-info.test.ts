import { describe, expect, it } from "vitest";
import { isMutating, requestInfo } from "./request-info.js";

const info = (method: string, path: string) => requestInfo(method, new URL(`http://x${path}`));

describe("requestInfo (upstream's RequestInfoFactory, from the URL alone)", () => {
  it("resource requests: verbs, namespaces, names, subresources, groups", () => {
    expect(info("GET", "/api/v1/namespaces/ns/pods/p")).toMatchObject({ isResourceRequest: true, verb: "get", apiGroup: "", apiVersion: "v1", resource: "pods", namespace: "ns", name: "p", subresource: "" });
    expect(info("GET", "/api/v1/namespaces/ns/pods")).toMatchObject({ verb: "list", resource: "pods", namespace: "ns", name: "" });
    expect(info("GET", "/api/v1/namespaces/ns/pods?watch=true")).toMatchObject({ verb: "watch" });
    expect(info("GET", "/api/v1/pods?watch=1")).toMatchObject({ verb: "watch", namespace: "" });
    expect(info("DELETE", "/api/v1/namespaces/ns/pods")).toMatchObject({ verb: "deletecollection" });
    expect(info("PUT", "/apis/apps/v1/namespaces/ns/deployments/d/scale")).toMatchObject({ verb: "update", apiGroup: "apps", resource: "deployments", name: "d", subresource: "scale" });
    expect(info("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles")).toMatchObject({ verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles" });
    // A namespace is itself in its namespace, as upstream records it; status and finalize are its subresources.
    expect(info("GET", "/api/v1/namespaces/ns")).toMatchObject({ resource: "namespaces", namespace: "ns", name: "ns" });
    expect(info("PUT", "/api/v1/namespaces/ns/finalize")).toMatchObject({ resource: "namespaces", name: "ns", subresource: "finalize" });
    expect(info("GET", "/api/v1/namespaces/a%2Fb/configmaps/x")).toMatchObject({ namespace: "a/b", name: "x" });
  });

  it("everything else is a non-resource request with the method as its verb", () => {
    for (const p of ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version", "/debug/audit", "/openapi/v2"]) {
      expect(info("GET", p), p).toMatchObject({ isResourceRequest: false, verb: "get", path: p, resource: "" });
    }
    expect(info("HEAD", "/healthz").verb).toBe("get");
    expect(info("POST", "/admin/x").verb).toBe("post");
  });

  it("get, list and watch are read-only; every other verb mutates", () => {
    expect(["get", "list", "watch"].map(isMutating)).toEqual([false, false, false]);
    expect(["create", "update", "patch", "delete", "deletecollection", "post"].every(isMutating)).toBe(true);
  });
});
