// Lists: label and field selectors, pagination over a consistent snapshot, resourceVersion
// semantics, and lists across namespaces.
import { describe, expect, it } from "vitest";
import { api, cm, del, get, names, newNs, pod, post, put } from "./helpers.js";

async function seedLabels(ns: string) {
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  await post(path, cm("a", {}, { app: "web", tier: "front" }));
  await post(path, cm("b", {}, { app: "db", tier: "back" }));
  await post(path, cm("c", {}, { app: "web" }));
  await post(path, cm("d", {}));
  return path;
}

describe("label selectors", () => {
  it.each([
    ["app=web", ["a", "c"]],
    ["app==web", ["a", "c"]],
    ["app!=web", ["b", "d"]],
    ["app in (web,db)", ["a", "b", "c"]],
    ["app notin (web)", ["b", "d"]],
    ["tier", ["a", "b"]],
    ["!tier", ["c", "d"]],
    ["app=web,tier=front", ["a"]],
    ["app=web,!tier", ["c"]],
    ["", ["a", "b", "c", "d"]],
  ])("%s", async (sel, expected) => {
    const ns = await newNs("ls");
    const path = await seedLabels(ns);
    const r = await get(`${path}?labelSelector=${encodeURIComponent(sel)}`);
    expect(r.status, r.text).toBe(200);
    expect(names(r.body)).toEqual(expected);
  });

  it("a malformed selector → 400", async () => {
    const ns = await newNs("ls");
    for (const sel of ["app in web", "app=a b", "=x", "a!b"]) {
      const r = await get(`/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent(sel)}`);
      expect(r.status, sel).toBe(400);
      expect(r.body.reason).toBe("BadRequest");
      expect(r.body.kind).toBe("Status");
    }
  });
});

describe("field selectors", () => {
  it("metadata.name, metadata.namespace, spec.nodeName, status.phase", async () => {
    const ns = await newNs("fs");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("p1", { nodeName: "n1" }));
    await post(path, pod("p2", { nodeName: "n2" }));
    await post(path, pod("p3"));
    await api("PATCH", `${path}/p2/status`, { status: { phase: "Running" } }, { "content-type": "application/merge-patch+json" });
    const q = async (s: string) => names((await get(`${path}?fieldSelector=${encodeURIComponent(s)}`)).body);
    expect(await q("metadata.name=p2")).toEqual(["p2"]);
    expect(await q("metadata.name!=p2")).toEqual(["p1", "p3"]);
    expect(await q(`metadata.namespace=${ns}`)).toEqual(["p1", "p2", "p3"]);
    expect(await q("metadata.namespace=other")).toEqual([]);
    expect(await q("spec.nodeName=n1")).toEqual(["p1"]);
    expect(await q("spec.nodeName=")).toEqual(["p3"]);
    expect(await q("status.phase=Running")).toEqual(["p2"]);
    expect(await q("status.phase=Pending")).toEqual(["p1", "p3"]);
    expect(await q("status.phase!=Running,spec.nodeName=n1")).toEqual(["p1"]);
  });

  it("an unsupported field → 400 field label not supported", async () => {
    const ns = await newNs("fs");
    const r = await get(`/api/v1/namespaces/${ns}/configmaps?fieldSelector=data.k%3Dv`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: "BadRequest", message: `field label not supported: data.k` });
    const p = await get(`/api/v1/namespaces/${ns}/pods?fieldSelector=spec.containers%3Dx`);
    expect(p.status).toBe(400);
    expect(p.body.message).toBe("field label not supported: spec.containers");
  });

  it("a malformed field selector → 400", async () => {
    const ns = await newNs("fs");
    const r = await get(`/api/v1/namespaces/${ns}/pods?fieldSelector=metadata.name`);
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe("BadRequest");
  });
});

describe("pagination", () => {
  it("limit/continue serves one snapshot across pages", async () => {
    const ns = await newNs("pg");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (const n of ["a", "b", "c", "d", "e"]) await post(path, cm(n));
    const p1 = await get(`${path}?limit=2`);
    expect(names(p1.body)).toEqual(["a", "b"]);
    expect(p1.body.metadata.continue).toBeTruthy();
    const snapRv = p1.body.metadata.resourceVersion;

    // Writes after the snapshot: a new object, a changed one, a deleted one.
    await post(path, cm("bb"));
    const c = (await get(`${path}/c`)).body;
    await put(`${path}/c`, { ...c, data: { k: "changed" } });
    expect((await del(`${path}/d`)).status).toBe(200);

    const p2 = await get(`${path}?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(p2.status, p2.text).toBe(200);
    expect(names(p2.body)).toEqual(["c", "d"]);
    expect(p2.body.items[0].data).toEqual({ k: "v" });
    expect(p2.body.metadata.resourceVersion).toBe(snapRv);
    const p3 = await get(`${path}?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    expect(names(p3.body)).toEqual(["e"]);
    expect(p3.body.metadata.continue).toBeUndefined();

    // A fresh list sees the writes.
    expect(names((await get(path)).body)).toEqual(["a", "b", "bb", "c", "e"]);
  });

  it("limit counts only items that match the selector", async () => {
    const ns = await newNs("pg");
    const path = await seedLabels(ns);
    const p1 = await get(`${path}?limit=1&labelSelector=app%3Dweb`);
    expect(names(p1.body)).toEqual(["a"]);
    const p2 = await get(`${path}?limit=1&labelSelector=app%3Dweb&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(names(p2.body)).toEqual(["c"]);
    expect(p2.body.metadata.continue).toBeUndefined();
  });

  it("continue with resourceVersion → 400", async () => {
    const ns = await newNs("pg");
    const path = await seedLabels(ns);
    const p1 = await get(`${path}?limit=1`);
    const r = await get(`${path}?limit=1&resourceVersion=${p1.body.metadata.resourceVersion}&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: "BadRequest", message: "specifying resource version is not allowed when using continue" });
  });

  it("a garbage continue → 400", async () => {
    const ns = await newNs("pg");
    const r = await get(`/api/v1/namespaces/${ns}/configmaps?limit=1&continue=%%%`);
    expect(r.status).toBe(400);
  });

  it("a continue older than the compacted log → 410 Expired", async () => {
    const ns = await newNs("pg");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (const n of ["a", "b", "c"]) await post(path, cm(n));
    const p1 = await get(`${path}?limit=1`);
    await put(`${path}/b`, cm("b", { k: "2" }));
    await put(`${path}/c`, cm("c", { k: "2" }));
    const stub: any = (await import("./helpers.js")).nsStub(ns);
    await stub.compactNow({ minAgeMs: 0, maxRows: 0 });
    const r = await get(`${path}?limit=1&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(r.status).toBe(410);
    expect(r.body).toMatchObject({ reason: "Expired", code: 410 });
    expect(r.body.message).toMatch(/^The provided continue parameter is too old/);
  });
});

describe("resourceVersion on list", () => {
  it("Exact at an old revision shows the old state", async () => {
    const ns = await newNs("rv");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    const rv1 = a.metadata.resourceVersion;
    await put(`${path}/a`, cm("a", { k: "new" }));
    await post(path, cm("b"));
    const old = await get(`${path}?resourceVersion=${rv1}&resourceVersionMatch=Exact`);
    expect(old.status, old.text).toBe(200);
    expect(old.body.metadata.resourceVersion).toBe(rv1);
    expect(old.body.items.map((i: any) => [i.metadata.name, i.data.k, i.metadata.resourceVersion])).toEqual([["a", "v", rv1]]);
    const now = await get(path);
    expect(now.body.items.map((i: any) => [i.metadata.name, i.data.k])).toEqual([
      ["a", "new"],
      ["b", "v"],
    ]);
  });

  it("NotOlderThan with a future revision → 504 Timeout Too large resource version", async () => {
    const ns = await newNs("rv");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    const future = Number(a.metadata.resourceVersion) + 100;
    const r = await get(`${path}?resourceVersion=${future}&resourceVersionMatch=NotOlderThan`);
    expect(r.status).toBe(504);
    expect(r.body).toMatchObject({ reason: "Timeout", code: 504 });
    expect(r.body.message).toMatch(/^Too large resource version/);
    const ok = await get(`${path}?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`);
    expect(ok.status).toBe(200);
    expect(names(ok.body)).toEqual(["a"]);
  });

  it("rejects Exact with 0, an unknown match and a match without a version", async () => {
    const ns = await newNs("rv");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    expect((await get(`${path}?resourceVersion=0&resourceVersionMatch=Exact`)).status).toBe(400);
    expect((await get(`${path}?resourceVersion=1&resourceVersionMatch=Newest`)).status).toBe(400);
    expect((await get(`${path}?resourceVersionMatch=Exact`)).status).toBe(400);
    expect((await get(`${path}?resourceVersion=abc`)).status).toBe(400);
  });
});

describe("lists across namespaces", () => {
  it("/api/v1/configmaps returns objects of every namespace with an ep1. resourceVersion", async () => {
    const ns1 = await newNs("xa");
    const ns2 = await newNs("xb");
    await post(`/api/v1/namespaces/${ns1}/configmaps`, cm("one", {}, { xlist: ns1 }));
    await post(`/api/v1/namespaces/${ns2}/configmaps`, cm("two", {}, { xlist: ns1 }));
    const r = await get(`/api/v1/configmaps?labelSelector=xlist%3D${ns1}`);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("ConfigMapList");
    expect(r.body.metadata.resourceVersion).toMatch(/^ep1\./);
    expect(r.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`).sort()).toEqual([`${ns1}/one`, `${ns2}/two`]);
  });

  it("limit/continue across namespaces returns every item exactly once", async () => {
    const nss = [await newNs("xp"), await newNs("xp"), await newNs("xp")];
    const label = `xp${Math.random().toString(36).slice(2, 8)}`;
    const want: string[] = [];
    for (const [i, ns] of nss.entries()) {
      for (let j = 0; j <= i; j++) {
        await post(`/api/v1/namespaces/${ns}/configmaps`, cm(`c${j}`, {}, { set: label }));
        want.push(`${ns}/c${j}`);
      }
    }
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const r = await get(`/api/v1/configmaps?limit=2&labelSelector=set%3D${label}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`));
      cont = r.body.metadata.continue;
      if (pages === 0) {
        // A write after the first page is not in the snapshot.
        await post(`/api/v1/namespaces/${nss[2]}/configmaps`, cm("late", {}, { set: label }));
      }
      pages++;
    } while (cont && pages < 20);
    expect(seen.sort()).toEqual(want.sort());
  });

  it("a namespace empty at the first page stays empty in later pages", async () => {
    const label = `xe${Math.random().toString(36).slice(2, 8)}`;
    const first = await newNs("xe-a");
    const empty = await newNs("xe-b");
    await post(`/api/v1/namespaces/${first}/configmaps`, cm("c0", {}, { set: label }));
    await post(`/api/v1/namespaces/${first}/configmaps`, cm("c1", {}, { set: label }));
    const p1 = await get(`/api/v1/configmaps?limit=1&labelSelector=set%3D${label}`);
    expect(p1.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([`${first}/c0`]);
    // Written after the snapshot into a namespace whose store had no revision yet.
    await post(`/api/v1/namespaces/${empty}/configmaps`, cm("late", {}, { set: label }));
    const seen: string[] = [];
    let cont = p1.body.metadata.continue;
    for (let i = 0; cont && i < 10; i++) {
      const r = await get(`/api/v1/configmaps?limit=1&labelSelector=set%3D${label}&continue=${encodeURIComponent(cont)}`);
      expect(r.status, r.text).toBe(200);
      seen.push(...r.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`));
      cont = r.body.metadata.continue;
    }
    expect(seen).toEqual([`${first}/c1`]);
  });

  it("continue with resourceVersion across namespaces → 400", async () => {
    const label = `xr${Math.random().toString(36).slice(2, 8)}`;
    const ns = await newNs("xr");
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("a", {}, { set: label }));
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("b", {}, { set: label }));
    const p1 = await get(`/api/v1/configmaps?limit=1&labelSelector=set%3D${label}`);
    expect(p1.body.metadata.continue).toBeTruthy();
    const r = await get(`/api/v1/configmaps?limit=1&resourceVersion=${encodeURIComponent(p1.body.metadata.resourceVersion)}&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: "BadRequest", message: "specifying resource version is not allowed when using continue" });
  });

  it("Exact at an old cross-namespace token shows the old state", async () => {
    const label = `xx${Math.random().toString(36).slice(2, 8)}`;
    const ns = await newNs("xx");
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("a", { k: "v" }, { set: label }));
    const token = (await get(`/api/v1/configmaps?labelSelector=set%3D${label}`)).body.metadata.resourceVersion;
    await put(`/api/v1/namespaces/${ns}/configmaps/a`, cm("a", { k: "new" }, { set: label }));
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("b", {}, { set: label }));
    // A namespace created after the token is not part of its snapshot.
    const later = await newNs("xx");
    await post(`/api/v1/namespaces/${later}/configmaps`, cm("c", {}, { set: label }));
    const old = await get(`/api/v1/configmaps?labelSelector=set%3D${label}&resourceVersion=${encodeURIComponent(token)}&resourceVersionMatch=Exact`);
    expect(old.status, old.text).toBe(200);
    expect(old.body.items.map((i: any) => [i.metadata.name, i.data.k])).toEqual([["a", "v"]]);
    expect(old.body.metadata.resourceVersion).toBe(token);
  });
});
