// Authentication and discovery: what kubectl asks before anything else.
import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { get } from "./helpers.js";

const fetchRaw = (path: string, headers: Record<string, string> = {}) =>
  (exports as any).default.fetch(new Request(`http://x${path}`, { headers })) as Promise<Response>;

describe("authentication", () => {
  const unauthorized = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 };
  it("refuses a request without a token", async () => {
    const res = await fetchRaw("/api/v1/namespaces");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(unauthorized);
  });
  it("refuses a wrong token", async () => {
    const res = await fetchRaw("/api/v1/namespaces", { authorization: "Bearer test-tokeN" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(unauthorized);
  });
  it("refuses a token of another scheme", async () => {
    const res = await fetchRaw("/version", { authorization: "Basic test-token" });
    expect(res.status).toBe(401);
  });
});

describe("discovery", () => {
  it("serves /version", async () => {
    const r = await get("/version");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ major: "1", minor: "32" });
    expect(r.body.gitVersion).toMatch(/^v1\.32\./);
  });

  it("serves /api with v1", async () => {
    const r = await get("/api");
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("APIVersions");
    expect(r.body.versions).toEqual(["v1"]);
  });

  it("serves /apis with every group", async () => {
    const r = await get("/apis");
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("APIGroupList");
    const groups = Object.fromEntries(r.body.groups.map((g: any) => [g.name, g.versions.map((v: any) => v.groupVersion)]));
    expect(groups).toEqual({
      "authentication.k8s.io": ["authentication.k8s.io/v1"],
      "authentication.edgeplane.dev": ["authentication.edgeplane.dev/v1"],
      "authorization.k8s.io": ["authorization.k8s.io/v1"],
      "coordination.k8s.io": ["coordination.k8s.io/v1"],
      "discovery.k8s.io": ["discovery.k8s.io/v1"],
      "events.k8s.io": ["events.k8s.io/v1"],
      "rbac.authorization.k8s.io": ["rbac.authorization.k8s.io/v1"],
      apps: ["apps/v1"],
      batch: ["batch/v1"],
    });
    for (const g of r.body.groups) expect(g.preferredVersion).toEqual(g.versions[0]);
  });

  it("serves /api/v1 resources with verbs, shortNames, namespaced and subresources", async () => {
    const r = await get("/api/v1");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
    const by = Object.fromEntries(r.body.resources.map((x: any) => [x.name, x]));
    expect(Object.keys(by).filter((n) => !n.includes("/")).sort()).toEqual(
      ["configmaps", "endpoints", "events", "limitranges", "namespaces", "nodes", "pods", "resourcequotas", "secrets", "serviceaccounts", "services"].sort(),
    );
    expect(by.resourcequotas).toMatchObject({ kind: "ResourceQuota", namespaced: true, shortNames: ["quota"] });
    expect(by["resourcequotas/status"]).toMatchObject({ kind: "ResourceQuota", namespaced: true });
    expect(by.limitranges).toMatchObject({ kind: "LimitRange", namespaced: true, shortNames: ["limits"] });
    expect(by.pods).toMatchObject({ kind: "Pod", namespaced: true, singularName: "pod", shortNames: ["po"] });
    expect([...by.pods.verbs].sort()).toEqual(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);
    expect(by.namespaces).toMatchObject({ kind: "Namespace", namespaced: false, shortNames: ["ns"] });
    expect(by.nodes).toMatchObject({ kind: "Node", namespaced: false, shortNames: ["no"] });
    expect(by.configmaps.shortNames).toEqual(["cm"]);
    expect(by.services.shortNames).toEqual(["svc"]);
    expect(by["pods/status"]).toMatchObject({ kind: "Pod", namespaced: true });
    expect([...by["pods/status"].verbs].sort()).toEqual(["get", "patch", "update"]);
    expect(by["configmaps/status"]).toBeUndefined();
  });

  it("serves /apis/apps/v1 with the scale subresource as autoscaling/v1 Scale", async () => {
    const r = await get("/apis/apps/v1");
    expect(r.status).toBe(200);
    expect(r.body.groupVersion).toBe("apps/v1");
    const by = Object.fromEntries(r.body.resources.map((x: any) => [x.name, x]));
    expect(by.deployments).toMatchObject({ kind: "Deployment", namespaced: true, shortNames: ["deploy"] });
    expect(by["deployments/scale"]).toMatchObject({ kind: "Scale", group: "autoscaling", version: "v1", namespaced: true });
    expect([...by["deployments/scale"].verbs].sort()).toEqual(["get", "patch", "update"]);
    expect(by["replicasets/scale"]).toMatchObject({ kind: "Scale", group: "autoscaling", version: "v1" });
    expect(by["statefulsets/scale"]).toMatchObject({ kind: "Scale", group: "autoscaling", version: "v1" });
    expect(by["daemonsets/scale"]).toBeUndefined();
    expect(by["deployments/status"]).toBeDefined();
  });

  it("serves group documents and 404 for unknown groups", async () => {
    expect((await get("/apis/batch")).body).toMatchObject({ kind: "APIGroup", name: "batch", preferredVersion: { groupVersion: "batch/v1", version: "v1" } });
    const r = await get("/apis/nope.example.com/v1");
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
  });

  it.each(["/healthz", "/readyz", "/livez"])("%s answers ok", async (p) => {
    const r = await get(p);
    expect(r.status).toBe(200);
    expect(r.text).toBe("ok");
  });
});
