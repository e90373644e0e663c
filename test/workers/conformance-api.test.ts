// Conformance (sig-api-machinery): chunking, discovery, server version and server-side field
// validation, written from the upstream conformance descriptions. docs/conformance.md maps them.
// Upstream's chunking tests use PodTemplates, which are not served yet; configmaps stand in.
import { describe, expect, it } from "vitest";
import { api, cm, get, names, newNs, nsStub, post, put } from "./helpers.js";

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
  it.fails("[server bug: the 410 for an expired continue carries no metadata.continue for an inconsistent list] the rest of the list is reachable from the 410's token", async () => {
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
          expect(r.verbs).toEqual(expect.arrayContaining(["get", "list"]));
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

const deploymentWith = (spec: string, meta = "") => `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "deployment", "labels": {"app": "nginx"}${meta}},
  "spec": {${spec}
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]}}
  }
}`;

describe("conformance: server-side field validation (issue 3)", () => {
  it("a well-formed typed object passes fieldValidation=Strict", async () => {
    const ns = await newNs("fv");
    const r = await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments?fieldValidation=Strict`, deploymentWith(`"replicas": 2,`));
    expect(r.status, r.text).toBe(201);
  });

  it.fails("[not yet, issue 3: fieldValidation=Strict is parsed but ignored] unknown and duplicate fields of a typed object are refused", async () => {
    const ns = await newNs("fv");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const r = await api("POST", `${path}?fieldValidation=Strict`, deploymentWith(`"foo": "bar", "replicas": 2, "replicas": 3,`));
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe("BadRequest");
    expect(r.body.message).toContain(`unknown field "spec.foo"`);
    expect(r.body.message).toContain(`duplicate field "replicas"`);
    expect((await get(`${path}/deployment`)).status).toBe(404);
  });

  it.fails("[not yet, issue 3: fieldValidation=Strict is parsed but ignored] unknown metadata fields of a typed object are refused", async () => {
    const ns = await newNs("fv");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const r = await api("POST", `${path}?fieldValidation=Strict`, deploymentWith(`"replicas": 2,`, `, "unknownMeta": "foo"`));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(`unknown field "metadata.unknownMeta"`);
    expect((await get(`${path}/deployment`)).status).toBe(404);
  });
});
