// Conformance (sig-api-machinery): chunking, discovery, server version and server-side field
// validation, written from the upstream conformance descriptions. docs/conformance.md maps them.
// Upstream's chunking tests use PodTemplates, which are not served yet; configmaps stand in.
import { describe, expect, it } from "vitest";
import { api, cm, get, names, newNs, nsStub, post, put, raw } from "./helpers.js";

async function seed(ns: string, n: number): Promise<string> {
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  for (let i = 0; i < n; i++) {
    const r = await post(path, cm(`template-${String(i).padStart(4, "0")}`, { i: String(i) }));
    expect(r.status, r.text).toBe(201);
  }
  return path;
}

describe("conformance: API chunking", () => {
  it("returns chunks not over the limit, with remainingItemCount and the first page's resourceVersion; no limit returns all", async () => {
    const ns = await newNs("chunk");
    const TOTAL = 37;
    const LIMIT = 8;
    const path = await seed(ns, TOTAL);

    const all: string[] = [];
    let cont = "";
    let firstRv = "";
    for (let page = 0; ; page++) {
      const r = await get(`${path}?limit=${LIMIT}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
      expect(r.status, r.text).toBe(200);
      const items = r.body.items;
      expect(items.length).toBeLessThanOrEqual(LIMIT);
      if (page === 0) firstRv = r.body.metadata.resourceVersion;
      else expect(r.body.metadata.resourceVersion).toBe(firstRv);
      all.push(...names(r.body));
      if (r.body.metadata.continue) {
        expect(items.length).toBe(LIMIT);
        expect(r.body.metadata.remainingItemCount).toBe(TOTAL - all.length);
        cont = r.body.metadata.continue;
      } else {
        expect(r.body.metadata.remainingItemCount).toBeUndefined();
        break;
      }
    }
    expect(all).toHaveLength(TOTAL);
    expect(new Set(all).size).toBe(TOTAL);

    const whole = await get(path);
    expect(whole.status).toBe(200);
    expect(names(whole.body)).toEqual(all);
    expect(whole.body.metadata.continue).toBeUndefined();
  });

  it("a continue whose snapshot was compacted away → 410 Expired (then a fresh list still works)", async () => {
    const ns = await newNs("chunk");
    const path = await seed(ns, 12);
    const p1 = await get(`${path}?limit=5`);
    expect(p1.body.metadata.remainingItemCount).toBe(7);
    await put(`${path}/template-0007`, cm("template-0007", { i: "changed" }));
    await put(`${path}/template-0008`, cm("template-0008", { i: "changed" }));
    await (nsStub(ns) as any).compactNow({ minAgeMs: 0, maxRows: 0 });
    const r = await get(`${path}?limit=5&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(r.status).toBe(410);
    expect(r.body).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
    expect(names((await get(path)).body)).toHaveLength(12);
  });

  // Upstream answers the expired continue with a Status whose metadata.continue is a token for an
  // inconsistent continuation from the same key; the client finishes the list with it.
  it("the rest of the list is reachable from the 410's token", async () => {
    const ns = await newNs("chunk");
    const path = await seed(ns, 12);
    const p1 = await get(`${path}?limit=5`);
    await put(`${path}/template-0007`, cm("template-0007", { i: "changed" }));
    await (nsStub(ns) as any).compactNow({ minAgeMs: 0, maxRows: 0 });
    const r = await get(`${path}?limit=5&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(r.status).toBe(410);
    const inconsistent = r.body.metadata?.continue;
    expect(inconsistent).toBeTruthy();
    const p2 = await get(`${path}?limit=5&continue=${encodeURIComponent(inconsistent)}`);
    expect(p2.status).toBe(200);
    expect(names(p2.body)).toEqual(["template-0005", "template-0006", "template-0007", "template-0008", "template-0009"]);
    expect(p2.body.items[2].data).toEqual({ i: "changed" });
    expect(p2.body.metadata.remainingItemCount).toBe(2);
    const p3 = await get(`${path}?limit=5&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    expect(names(p3.body)).toEqual(["template-0010", "template-0011"]);
    expect(p3.body.metadata.resourceVersion).toBe(p2.body.metadata.resourceVersion);
  });
});

describe("conformance: discovery and version", () => {
  it("every group in /apis has a valid preferredVersion, and each groupVersion's resource list names it and holds resources", async () => {
    const groups = (await get("/apis")).body.groups as Array<{ name: string; versions: Array<{ groupVersion: string; version: string }>; preferredVersion: { groupVersion: string; version: string } }>;
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      expect(g.preferredVersion.groupVersion).toBe(`${g.name}/${g.preferredVersion.version}`);
      expect(g.versions.map((v) => v.groupVersion)).toContain(g.preferredVersion.groupVersion);
      const groupDoc = await get(`/apis/${g.name}`);
      expect(groupDoc.status).toBe(200);
      expect(groupDoc.body.preferredVersion).toEqual(g.preferredVersion);
      for (const v of g.versions) {
        const rl = await get(`/apis/${v.groupVersion}`);
        expect(rl.status, v.groupVersion).toBe(200);
        expect(rl.body).toMatchObject({ kind: "APIResourceList", groupVersion: v.groupVersion });
        const top = rl.body.resources.filter((r: any) => !r.name.includes("/"));
        expect(top.length).toBeGreaterThan(0);
        for (const r of top) {
          expect(r.kind).toMatch(/^[A-Z]/);
          // Review resources (selfsubjectreviews) are create-only, as upstream's; so is the node credential exchange.
          if (r.name.endsWith("reviews") || r.name === "nodecredentialrequests") expect(r.verbs).toEqual(["create"]);
          else expect(r.verbs).toEqual(expect.arrayContaining(["get", "list"]));
        }
      }
    }
    const core = await get("/api/v1");
    expect(core.body.groupVersion).toBe("v1");
    expect(core.body.resources.length).toBeGreaterThan(0);
  });

  it("/version has integer major and minor", async () => {
    const v = (await get("/version")).body;
    expect(v.major).toMatch(/^\d+$/);
    expect(v.minor).toMatch(/^\d+$/);
  });
});

const V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

describe("conformance: aggregated discovery (built-in resources of edgeplane only; CRDs not yet)", () => {
  it("Aggregated Discovery Endpoint Accept Headers: v2 is answered for each Accept form, on /api and /apis", async () => {
    const accepts = [
      V2,
      `${V2},application/json`,
      `${V2};charset=utf-8,application/json`,
      `application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,${V2},application/json`,
    ];
    for (const accept of accepts) {
      for (const path of ["/api", "/apis"]) {
        const res = await raw("GET", path, { headers: { accept } });
        expect(res.status, `${path} ${accept}`).toBe(200);
        expect(res.headers.get("content-type"), `${path} ${accept}`).toBe(V2);
        const doc: any = await res.json();
        expect(doc.kind).toBe("APIGroupDiscoveryList");
        expect(doc.items.length).toBeGreaterThan(0);
      }
    }
  });

  it("Aggregated Discovery Interface: every resource of the legacy documents is in the aggregated ones", async () => {
    const legacy: string[] = [];
    for (const r of (await get("/api/v1")).body.resources) if (!r.name.includes("/")) legacy.push(`/v1/${r.name}`);
    for (const g of (await get("/apis")).body.groups) {
      for (const v of g.versions) for (const r of (await get(`/apis/${v.groupVersion}`)).body.resources) if (!r.name.includes("/")) legacy.push(`${g.name}/${v.version}/${r.name}`);
    }
    const aggregated: string[] = [];
    for (const path of ["/api", "/apis"]) {
      const doc: any = await (await raw("GET", path, { headers: { accept: `${V2},application/json` } })).json();
      for (const g of doc.items) for (const v of g.versions) for (const r of v.resources) aggregated.push(`${g.metadata.name ?? ""}/${v.version}/${r.resource}`);
    }
    expect(aggregated.sort()).toEqual(legacy.sort());
  });
});

const deploymentWith = (spec: string, meta = "") => `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "deployment", "labels": {"app": "nginx"}${meta}},
  "spec": {${spec}
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]}}
  }
}`;

describe("conformance: server-side field validation", () => {
  it("a well-formed typed object passes fieldValidation=Strict", async () => {
    const ns = await newNs("fv");
    const r = await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments?fieldValidation=Strict`, deploymentWith(`"replicas": 2,`));
    expect(r.status, r.text).toBe(201);
  });

  it("Server side field validation, typed object: unknown and duplicate fields → 400 strict decoding error, nothing written", async () => {
    const ns = await newNs("fv");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const r = await api("POST", `${path}?fieldValidation=Strict&fieldManager=field_validation_mgr`, deploymentWith(`"unknownField": "foo", "replicas": 2, "replicas": 3,`));
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe("BadRequest");
    expect(r.body.message).toContain(`strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"`);
    expect((await get(`${path}/deployment`)).status).toBe(404);
  });

  it("Server side field validation, typed unknown metadata: an unknown metadata field → 400 strict decoding error, nothing written", async () => {
    const ns = await newNs("fv");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const r = await api("POST", `${path}?fieldValidation=Strict&fieldManager=field_validation_mgr`, deploymentWith(`"replicas": 2,`, `, "unknownMeta": "foo"`));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(`strict decoding error: unknown field "metadata.unknownMeta"`);
    expect((await get(`${path}/deployment`)).status).toBe(404);
  });
});
