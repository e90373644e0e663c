// Lists without a limit are streamed page by page (LIST_PAGE_SIZE, 100 in the test config) over one snapshot;
// these tests cross page boundaries, in one namespace and across namespaces.
import { describe, expect, it } from "vitest";
import { cm, get, newNs, post, put } from "./helpers.js";

async function fill(ns: string, n: number, prefix = "c"): Promise<void> {
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) => post(`/api/v1/namespaces/${ns}/configmaps`, cm(`${prefix}${String(i + j).padStart(5, "0")}`, { i: String(i + j) }))),
    );
  }
}

describe("streamed lists", { timeout: 60_000 }, () => {
  it("returns every object of a namespace once, in name order, across pages", async () => {
    const ns = await newNs("stream");
    await fill(ns, 255);
    const res = await get(`/api/v1/namespaces/${ns}/configmaps`);
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe("ConfigMapList");
    const names = res.body.items.map((o: any) => o.metadata.name);
    expect(names).toHaveLength(255);
    expect(new Set(names).size).toBe(255);
    expect([...names].sort()).toEqual(names);
    expect(res.body.items[0]).not.toHaveProperty("kind");
    expect(Number(res.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(255);
  });

  it("applies selectors on every page", async () => {
    const ns = await newNs("streamsel");
    await fill(ns, 210);
    const sel = await get(`/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name!%3Dc00007`);
    expect(sel.body.items).toHaveLength(209);
    expect(sel.body.items.map((o: any) => o.metadata.name)).not.toContain("c00007");
  });

  it("joins namespaces' items into one valid list across namespaces", async () => {
    const a = await newNs("streamxa");
    const b = await newNs("streamxb");
    await fill(a, 230, "a");
    await fill(b, 3, "b");
    const res = await get(`/api/v1/configmaps?labelSelector=`);
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((o: any) => o.metadata.namespace === a || o.metadata.namespace === b);
    expect(mine).toHaveLength(233);
    expect(res.body.metadata.resourceVersion).toMatch(/^ep1\./);
    // The token resumes a watch: a later write is the only event for these namespaces.
    await put(`/api/v1/namespaces/${b}/configmaps/b00001`, cm("b00001", { changed: "yes" }));
    const bad = await get(`/api/v1/configmaps?labelSelector=a%20in`);
    expect(bad.status).toBe(400);
  });
});
