import { describe, expect, it } from "vitest";
import { pathAttributes, resourceAttributes, resourceVerb } from "./attributes.js";
import { forbiddenError } from "./authorize.js";

const bob = { username: "bob", groups: ["system:authenticated"] };

describe("request attributes", () => {
  it("names verbs as upstream's RequestInfoFactory", () => {
    expect(resourceVerb("GET", true, false)).toBe("get");
    expect(resourceVerb("GET", false, false)).toBe("list");
    expect(resourceVerb("GET", false, true)).toBe("watch");
    expect(resourceVerb("POST", false, false)).toBe("create");
    expect(resourceVerb("PUT", true, false)).toBe("update");
    expect(resourceVerb("PATCH", true, false)).toBe("patch");
    expect(resourceVerb("DELETE", true, false)).toBe("delete");
    expect(resourceVerb("DELETE", false, false)).toBe("deletecollection");
  });
});

describe("403 Forbidden as kube-apiserver words it", () => {
  it("a namespaced list", () => {
    const e = forbiddenError(resourceAttributes(bob, "GET", "/api/v1/namespaces/y/pods", { group: "", version: "v1", resource: "pods", namespace: "y" }, false));
    expect(e.status).toMatchObject({ code: 403, reason: "Forbidden", details: { kind: "pods" } });
    expect(e.status.message).toBe('pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "y"');
  });

  it("a named object, a subresource, a group, at the cluster scope, with the authorizer's reason", () => {
    const a = resourceAttributes(bob, "PUT", "/apis/apps/v1/namespaces/y/deployments/web/scale", { group: "apps", version: "v1", resource: "deployments", subresource: "scale", namespace: "y", name: "web" }, false);
    expect(forbiddenError(a).status.message).toBe('deployments.apps "web" is forbidden: User "bob" cannot update resource "deployments/scale" in API group "apps" in the namespace "y"');
    expect(forbiddenError(a).status.details).toEqual({ kind: "deployments", name: "web", group: "apps" });
    const n = resourceAttributes(bob, "GET", "/api/v1/nodes", { group: "", version: "v1", resource: "nodes", namespace: "" }, true);
    expect(forbiddenError(n, 'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found').status.message).toBe(
      'nodes is forbidden: User "bob" cannot watch resource "nodes" in API group "" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found',
    );
  });

  it("a non-resource path", () => {
    expect(forbiddenError(pathAttributes(bob, "GET", "/openapi/v2")).status.message).toBe('forbidden: User "bob" cannot get path "/openapi/v2"');
  });
});
