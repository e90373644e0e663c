// Aggregated discovery (apidiscovery.k8s.io/v2): what kubectl asks /api and /apis for first.
import { describe, expect, it } from "vitest";
import { raw } from "./helpers.js";

const V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const KUBECTL_ACCEPT = `${V2},application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`;

describe("aggregated discovery", () => {
  it("answers /apis in the v2 form with that content type when kubectl asks for it", async () => {
    const res = await raw("GET", "/apis", { headers: { accept: KUBECTL_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(V2);
    const doc: any = await res.json();
    expect(doc.kind).toBe("APIGroupDiscoveryList");
    expect(doc.apiVersion).toBe("apidiscovery.k8s.io/v2");
    const apps = doc.items.find((g: any) => g.metadata.name === "apps");
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === "deployments");
    expect(apps.versions[0].version).toBe("v1");
    expect(deployments).toMatchObject({
      responseKind: { group: "apps", version: "v1", kind: "Deployment" },
      scope: "Namespaced",
      singularResource: "deployment",
      shortNames: ["deploy"],
      categories: ["all"],
    });
    expect(deployments.verbs).toEqual(expect.arrayContaining(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]));
    expect(deployments.subresources).toEqual(
      expect.arrayContaining([
        { subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] },
        { subresource: "status", responseKind: { group: "apps", version: "v1", kind: "Deployment" }, verbs: ["get", "patch", "update"] },
      ]),
    );
    expect(doc.items.some((g: any) => g.metadata.name === undefined)).toBe(false);
  });

  it("answers /api with the core group only, pods with their subresources", async () => {
    const res = await raw("GET", "/api", { headers: { accept: KUBECTL_ACCEPT } });
    const doc: any = await res.json();
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0].metadata.name).toBeUndefined();
    const pods = doc.items[0].versions[0].resources.find((r: any) => r.resource === "pods");
    expect(pods.scope).toBe("Namespaced");
    expect(pods.shortNames).toEqual(["po"]);
    expect(pods.subresources.map((s: any) => s.subresource)).toEqual(expect.arrayContaining(["status", "log", "binding"]));
    const nodes = doc.items[0].versions[0].resources.find((r: any) => r.resource === "nodes");
    expect(nodes.scope).toBe("Cluster");
  });

  it("keeps the legacy form for plain JSON", async () => {
    const res = await raw("GET", "/apis", { headers: { accept: "application/json" } });
    expect(res.headers.get("content-type")).toBe("application/json");
    const doc: any = await res.json();
    expect(doc.kind).toBe("APIGroupList");
  });
});
