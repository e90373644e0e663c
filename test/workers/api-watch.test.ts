// Watches over chunked HTTP and WebSocket: event order, resume, bookmarks, timeouts, selector
// transitions, compaction (410 as an ERROR event) and watches across namespaces.
import { describe, expect, it } from "vitest";
import { cm, collectSocket, del, get, newNs, nsStub, post, put, raw, Watch } from "./helpers.js";

const rvOf = (e: { object: any }) => e.object.metadata.resourceVersion;
const summary = (es: Array<{ type: string; object: any }>) => es.map((e) => `${e.type} ${e.object.metadata.name ?? ""} ${e.object.data?.k ?? ""}`.trim());

describe("watch (chunked HTTP)", () => {
  it("streams ADDED, MODIFIED, DELETED in revision order", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const start = (await get(path)).body.metadata.resourceVersion;
    const w = await Watch.open(`${path}?watch=true&resourceVersion=${start}`);
    expect(w.response.status).toBe(200);
    expect(w.response.headers.get("content-type")).toBe("application/json");
    try {
      const a = (await post(path, cm("a"))).body;
      const a2 = (await put(`${path}/a`, { ...a, data: { k: "2" } })).body;
      await del(`${path}/a`);
      const es = await w.take(3);
      expect(summary(es)).toEqual(["ADDED a v", "MODIFIED a 2", "DELETED a 2"]);
      expect(rvOf(es[0])).toBe(a.metadata.resourceVersion);
      expect(rvOf(es[1])).toBe(a2.metadata.resourceVersion);
      expect(Number(rvOf(es[2]))).toBe(Number(a2.metadata.resourceVersion) + 1);
      expect(es[0].object.kind).toBe("ConfigMap");
      expect(es[0].object.apiVersion).toBe("v1");
      expect(await w.next(300)).toBeUndefined();
    } finally {
      await w.cancel();
    }
  });

  it("resumes from a revision with exactly the later events", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    const b = (await post(path, cm("b"))).body;
    await put(`${path}/a`, { ...a, data: { k: "2" } });
    await del(`${path}/b`);
    const w = await Watch.open(`${path}?watch=1&resourceVersion=${b.metadata.resourceVersion}`);
    try {
      const es = await w.take(2);
      expect(summary(es)).toEqual(["MODIFIED a 2", "DELETED b v"]);
      expect(rvOf(es[0])).toBe(String(Number(b.metadata.resourceVersion) + 1));
      expect(rvOf(es[1])).toBe(String(Number(b.metadata.resourceVersion) + 2));
      // Live events continue right after the replay, without duplicates.
      await post(path, cm("c"));
      const live = await w.take(1);
      expect(summary(live)).toEqual(["ADDED c v"]);
      expect(rvOf(live[0])).toBe(String(Number(b.metadata.resourceVersion) + 3));
      expect(await w.next(300)).toBeUndefined();
    } finally {
      await w.cancel();
    }
  });

  it("without a resourceVersion starts with ADDED for every existing object", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("a"));
    const b = (await post(path, cm("b"))).body;
    await put(`${path}/b`, { ...b, data: { k: "2" } });
    const w = await Watch.open(`${path}?watch=true`);
    try {
      expect(summary(await w.take(2))).toEqual(["ADDED a v", "ADDED b 2"]);
      expect(await w.next(300)).toBeUndefined();
    } finally {
      await w.cancel();
    }
  });

  it("allowWatchBookmarks sends a BOOKMARK at the current revision", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    const w = await Watch.open(`${path}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1`);
    try {
      const es = await w.rest(3000);
      expect(es.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK", "BOOKMARK"]);
      expect(es[1].object).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { resourceVersion: a.metadata.resourceVersion } });
      expect(w.ended).toBe(true);
    } finally {
      await w.cancel();
    }
  });

  it("sendInitialEvents marks the end of the initial state", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("a"));
    const w = await Watch.open(`${path}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    try {
      const es = await w.take(2);
      expect(es[0].type).toBe("ADDED");
      expect(es[1].type).toBe("BOOKMARK");
      expect(es[1].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    } finally {
      await w.cancel();
    }
  });

  it("timeoutSeconds ends the stream", async () => {
    const ns = await newNs("w");
    const w = await Watch.open(`/api/v1/namespaces/${ns}/configmaps?watch=true&timeoutSeconds=1`);
    const t0 = Date.now();
    try {
      expect(await w.rest(3000)).toEqual([]);
      expect(w.ended).toBe(true);
      expect(Date.now() - t0).toBeLessThan(2900);
    } finally {
      await w.cancel();
    }
  });

  it("a labelSelector watch sees objects enter (ADDED) and leave (DELETED) the selector", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const start = (await get(path)).body.metadata.resourceVersion;
    const w = await Watch.open(`${path}?watch=true&resourceVersion=${start}&labelSelector=app%3Dweb`);
    try {
      const a = (await post(path, cm("a", {}, { app: "db" }))).body; // not matching: nothing
      const a2 = (await put(`${path}/a`, { ...a, metadata: { ...a.metadata, labels: { app: "web" } } })).body; // enters
      const a3 = (await put(`${path}/a`, { ...a2, data: { k: "2" } })).body; // stays
      const a4 = (await put(`${path}/a`, { ...a3, metadata: { ...a3.metadata, labels: { app: "db" } } })).body; // leaves
      await del(`${path}/a`); // not matching: nothing
      const es = await w.take(3);
      expect(es.map((e) => [e.type, rvOf(e)])).toEqual([
        ["ADDED", a2.metadata.resourceVersion],
        ["MODIFIED", a3.metadata.resourceVersion],
        ["DELETED", a4.metadata.resourceVersion],
      ]);
      expect(es[2].object.metadata.labels).toEqual({ app: "web" });
      expect(await w.next(300)).toBeUndefined();
    } finally {
      await w.cancel();
    }
  });

  it("a watch from a compacted revision gets 200 and one ERROR event with a 410 Expired Status", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    for (let i = 0; i < 3; i++) await put(`${path}/a`, cm("a", { k: String(i) }));
    const compacted = await (nsStub(ns) as any).compactNow({ minAgeMs: 0, maxRows: 1 });
    expect(compacted).toBe(Number(a.metadata.resourceVersion) + 2);
    const w = await Watch.open(`${path}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
    try {
      expect(w.response.status).toBe(200);
      const es = await w.rest(1000);
      expect(es).toEqual([
        {
          type: "ERROR",
          object: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            message: `too old resource version: ${a.metadata.resourceVersion} (${compacted + 1})`,
            reason: "Expired",
            code: 410,
          },
        },
      ]);
      expect(w.ended).toBe(true);
    } finally {
      await w.cancel();
    }
    // From the compacted revision itself the log still answers.
    const ok = await Watch.open(`${path}?watch=true&resourceVersion=${compacted}`);
    try {
      expect(summary(await ok.take(1))).toEqual(["MODIFIED a 2"]);
    } finally {
      await ok.cancel();
    }
  });

  it("a list at a compacted revision → 410 Expired", async () => {
    const ns = await newNs("w");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("a"))).body;
    for (let i = 0; i < 3; i++) await put(`${path}/a`, cm("a", { k: String(i) }));
    await (nsStub(ns) as any).compactNow({ minAgeMs: 0, maxRows: 0 });
    const r = await get(`${path}?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(r.status).toBe(410);
    expect(r.body.reason).toBe("Expired");
  });

  it("a bad watch parameter is a plain 400 before streaming", async () => {
    const ns = await newNs("w");
    const r = await raw("GET", `/api/v1/namespaces/${ns}/configmaps?watch=true&labelSelector=${encodeURIComponent("a in b")}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).reason).toBe("BadRequest");
  });
});

describe("watch (WebSocket)", () => {
  it("upgrades with 101 and sends the same JSON events", async () => {
    const ns = await newNs("ws");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("a"));
    const res = await raw("GET", `${path}?watch=true`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const { got, until } = collectSocket(ws);
    try {
      await until(1);
      const b = (await post(path, cm("b"))).body;
      await del(`${path}/a`);
      await until(3);
      expect(got.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a", "ADDED b", "DELETED a"]);
      expect(got[1].object.metadata.resourceVersion).toBe(b.metadata.resourceVersion);
      expect(got[1].object.kind).toBe("ConfigMap");
    } finally {
      ws.close(1000, "done");
    }
  });
});

describe("watch across namespaces", () => {
  it("resumes from the list's ep1. token and picks up namespaces created later", async () => {
    const label = `x${Math.random().toString(36).slice(2, 8)}`;
    const ns1 = await newNs("xw");
    await post(`/api/v1/namespaces/${ns1}/configmaps`, cm("before", {}, { set: label }));
    const list = await get(`/api/v1/configmaps?labelSelector=set%3D${label}`);
    const token = list.body.metadata.resourceVersion;
    expect(token).toMatch(/^ep1\./);
    expect(list.body.items.map((i: any) => i.metadata.name)).toEqual(["before"]);

    const w = await Watch.open(`/api/v1/configmaps?watch=true&resourceVersion=${encodeURIComponent(token)}&labelSelector=set%3D${label}`);
    try {
      expect(w.response.status).toBe(200);
      await post(`/api/v1/namespaces/${ns1}/configmaps`, cm("after", {}, { set: label }));
      const e1 = await w.take(1, 3000);
      expect(e1.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual([`ADDED ${ns1}/after`]);
      expect(rvOf(e1[0])).toMatch(/^ep1\./);

      const ns2 = await newNs("xw");
      // Give the fan-in a moment to open the new namespace's watch, then write into it.
      await new Promise((r) => setTimeout(r, 300));
      await post(`/api/v1/namespaces/${ns2}/configmaps`, cm("late", {}, { set: label }));
      const e2 = await w.take(1, 3000);
      expect(e2.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual([`ADDED ${ns2}/late`]);
      expect(await w.next(300)).toBeUndefined();

      // A watch resumed from the token of the first event gets only what came after it.
      const again = await Watch.open(`/api/v1/configmaps?watch=true&resourceVersion=${encodeURIComponent(rvOf(e1[0]))}&labelSelector=set%3D${label}`);
      try {
        const es = await again.take(1, 3000);
        expect(es.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual([`ADDED ${ns2}/late`]);
        expect(await again.next(500)).toBeUndefined();
      } finally {
        await again.cancel();
      }
    } finally {
      await w.cancel();
    }
  });

  it("a plain numeric resourceVersion across namespaces → 410", async () => {
    const r = await get("/api/v1/configmaps?watch=true&resourceVersion=5");
    expect(r.status).toBe(410);
    expect(r.body.reason).toBe("Expired");
  });
});
