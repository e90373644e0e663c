// WebSocket watches: held by the namespace store with the Hibernation API (the runtime, not the
// store's memory, keeps the socket), and across namespaces by the Worker.
import { describe, expect, it } from "vitest";
import { cm, collectSocket as collect, del, newNs, nsStub, post, raw } from "./helpers.js";

describe("WebSocket watch", () => {
  it("is a hibernatable socket of the namespace store, gone when the client closes", async () => {
    const ns = await newNs("wsh");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const res = await raw("GET", `${path}?watch=true`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const { got, until } = collect(ws);
    const stats = await (nsStub(ns) as any).stats();
    expect(stats.sockets).toBe(1);
    // Chunked watchers live in the store's memory; this one does not.
    expect(stats.watchers).toBe(0);
    await post(path, cm("one"));
    await until(1);
    expect(got.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED one"]);
    ws.close(1000, "done");
    await new Promise((r) => setTimeout(r, 200));
    expect((await (nsStub(ns) as any).stats()).sockets).toBe(0);
  });

  it("filters by label selector and resumes from a resourceVersion", async () => {
    const ns = await newNs("wsf");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const first = (await post(path, cm("a", {}, { app: "web" }))).body;
    await post(path, cm("b", {}, { app: "db" }));
    await post(path, cm("c", {}, { app: "web" }));
    const res = await raw("GET", `${path}?watch=true&labelSelector=app%3Dweb&resourceVersion=${first.metadata.resourceVersion}`, { headers: { upgrade: "websocket" } });
    const ws = res.webSocket!;
    const { got, until } = collect(ws);
    await del(`${path}/a`);
    await until(2);
    ws.close(1000, "done");
    expect(got.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED c", "DELETED a"]);
  });

  it("works across namespaces, one message per event with the composite resourceVersion", async () => {
    const label = `w${Math.random().toString(36).slice(2, 8)}`;
    const a = await newNs("wsxa");
    const res = await raw("GET", `/api/v1/configmaps?watch=true&labelSelector=set%3D${label}`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const { got, until } = collect(ws);
    await new Promise((r) => setTimeout(r, 300));
    await post(`/api/v1/namespaces/${a}/configmaps`, cm("x", {}, { set: label }));
    const b = await newNs("wsxb");
    await new Promise((r) => setTimeout(r, 300));
    await post(`/api/v1/namespaces/${b}/configmaps`, cm("y", {}, { set: label }));
    await until(2);
    ws.close(1000, "done");
    expect(got.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual([`ADDED ${a}/x`, `ADDED ${b}/y`]);
    expect(got[1].object.metadata.resourceVersion).toMatch(/^ep1\./);
  });
});
