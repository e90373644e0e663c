// Conformance (sig-api-machinery watch): the watch cases of the upstream conformance list,
// written from their descriptions against configmaps. docs/conformance.md maps them.
import { describe, expect, it } from "vitest";
import { cm, del, get, newNs, post, put, Watch, type WatchEvent } from "./helpers.js";

const LABEL = "watch-this-configmap";
const sel = (v: string) => `labelSelector=${encodeURIComponent(`${LABEL}=${v}`)}`;

/** Writes a ConfigMap's data (and optionally labels) and returns the stored object. */
async function write(path: string, name: string, data: Record<string, string>, labels?: Record<string, string>): Promise<any> {
  const cur = (await get(`${path}/${name}`)).body;
  const next = { ...cur, data };
  if (labels) next.metadata = { ...cur.metadata, labels };
  const r = await put(`${path}/${name}`, next);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

const summary = (evs: WatchEvent[]) => evs.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion, e.object.data?.mutation]);

describe("conformance: watch", () => {
  it("watch-configmaps-closed-and-restarted: a watch reopened from the last resourceVersion it saw gets exactly what followed", async () => {
    const ns = await newNs("cw");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const labels = { [LABEL]: "closed-and-restarted" };
    const w1 = await Watch.open(`${path}?watch=true&${sel("closed-and-restarted")}`);
    const created = (await post(path, cm("e2e-watch-test", { mutation: "0" }, labels))).body;
    const m1 = await write(path, "e2e-watch-test", { mutation: "1" });
    const first = await w1.take(2);
    expect(summary(first)).toEqual([
      ["ADDED", "e2e-watch-test", created.metadata.resourceVersion, "0"],
      ["MODIFIED", "e2e-watch-test", m1.metadata.resourceVersion, "1"],
    ]);
    await w1.cancel();

    // While no watch is open: another change, a noise object without the label, and a delete.
    const m2 = await write(path, "e2e-watch-test", { mutation: "2" });
    await post(path, cm("unlabelled", { mutation: "x" }));
    const d = await del(`${path}/e2e-watch-test`);
    expect(d.status).toBe(200);

    const lastSeen = first[1].object.metadata.resourceVersion;
    const w2 = await Watch.open(`${path}?watch=true&${sel("closed-and-restarted")}&resourceVersion=${lastSeen}`);
    const rest = await w2.take(2);
    expect(rest.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(rest[0].object.metadata.resourceVersion).toBe(m2.metadata.resourceVersion);
    expect(rest[0].object.data).toEqual({ mutation: "2" });
    expect(rest[1].object.data).toEqual({ mutation: "2" });
    expect(Number(rest[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(m2.metadata.resourceVersion));
    expect(await w2.next(300)).toBeUndefined();
    await w2.cancel();
  });

  it("watch-configmaps-from-resource-version: a watch from a past resourceVersion sees only later notifications", async () => {
    const ns = await newNs("cw");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const labels = { [LABEL]: "from-resource-version" };
    await post(path, cm("e2e-watch-test", { mutation: "0" }, labels));
    const m1 = await write(path, "e2e-watch-test", { mutation: "1" });
    const m2 = await write(path, "e2e-watch-test", { mutation: "2" });
    expect((await del(`${path}/e2e-watch-test`)).status).toBe(200);

    const w = await Watch.open(`${path}?watch=true&${sel("from-resource-version")}&resourceVersion=${m1.metadata.resourceVersion}`);
    const evs = await w.take(2);
    expect(evs.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(evs[0].object.metadata.resourceVersion).toBe(m2.metadata.resourceVersion);
    expect(evs[0].object.data).toEqual({ mutation: "2" });
    expect(evs[1].object.metadata.name).toBe("e2e-watch-test");
    expect(await w.next(300)).toBeUndefined();
    await w.cancel();
  });

  it("watch-configmaps-with-multiple-watchers: each watcher sees all changes of what its selector matches and nothing else", async () => {
    const ns = await newNs("cw");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const wA = await Watch.open(`${path}?watch=true&${sel("multiple-watchers-A")}`);
    const wB = await Watch.open(`${path}?watch=true&${sel("multiple-watchers-B")}`);
    const wAB = await Watch.open(`${path}?watch=true&labelSelector=${encodeURIComponent(`${LABEL} in (multiple-watchers-A,multiple-watchers-B)`)}`);

    const a0 = (await post(path, cm("cm-a", { mutation: "0" }, { [LABEL]: "multiple-watchers-A" }))).body;
    const a1 = await write(path, "cm-a", { mutation: "1" });
    const a2 = await write(path, "cm-a", { mutation: "2" });
    const aDel = await del(`${path}/cm-a`);
    expect(aDel.status).toBe(200);
    await post(path, cm("cm-other", { mutation: "0" }, { [LABEL]: "multiple-watchers-C" }));
    const b0 = (await post(path, cm("cm-b", { mutation: "0" }, { [LABEL]: "multiple-watchers-B" }))).body;
    expect((await del(`${path}/cm-b`)).status).toBe(200);

    const evA = await wA.take(4);
    expect(summary(evA).map((s) => s.slice(0, 2))).toEqual([
      ["ADDED", "cm-a"],
      ["MODIFIED", "cm-a"],
      ["MODIFIED", "cm-a"],
      ["DELETED", "cm-a"],
    ]);
    expect(evA.slice(0, 3).map((e) => e.object.metadata.resourceVersion)).toEqual([a0, a1, a2].map((o) => o.metadata.resourceVersion));
    expect(await wA.next(300)).toBeUndefined();

    const evB = await wB.take(2);
    expect(summary(evB).map((s) => s.slice(0, 2))).toEqual([
      ["ADDED", "cm-b"],
      ["DELETED", "cm-b"],
    ]);
    expect(evB[0].object.metadata.resourceVersion).toBe(b0.metadata.resourceVersion);
    expect(await wB.next(300)).toBeUndefined();

    const evAB = await wAB.take(6);
    expect(evAB.map((e) => [e.type, e.object.metadata.name])).toEqual([...evA, ...evB].map((e) => [e.type, e.object.metadata.name]));
    expect(evAB.map((e) => e.object.metadata.resourceVersion)).toEqual([...evA, ...evB].map((e) => e.object.metadata.resourceVersion));
    expect(await wAB.next(300)).toBeUndefined();
    for (const w of [wA, wB, wAB]) await w.cancel();
  });

  it("watch-configmaps-label-changed: leaving the selector is a DELETED, changes outside it are not seen, coming back is an ADDED", async () => {
    const ns = await newNs("cw");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const on = { [LABEL]: "label-changed-and-restored" };
    const w = await Watch.open(`${path}?watch=true&${sel("label-changed-and-restored")}`);

    await post(path, cm("e2e-watch-test", { mutation: "0" }, on));
    await write(path, "e2e-watch-test", { mutation: "1" });
    const off = await write(path, "e2e-watch-test", { mutation: "1" }, { [LABEL]: "wrong-value" });
    await write(path, "e2e-watch-test", { mutation: "2" }); // not observed
    const back = await write(path, "e2e-watch-test", { mutation: "2" }, on);
    const m3 = await write(path, "e2e-watch-test", { mutation: "3" });
    expect((await del(`${path}/e2e-watch-test`)).status).toBe(200);

    const evs = await w.take(6);
    expect(evs.map((e) => [e.type, e.object.data?.mutation])).toEqual([
      ["ADDED", "0"],
      ["MODIFIED", "1"],
      ["DELETED", "1"],
      ["ADDED", "2"],
      ["MODIFIED", "3"],
      ["DELETED", "3"],
    ]);
    // The DELETED for leaving the selector is at the label change's revision.
    expect(evs[2].object.metadata.resourceVersion).toBe(off.metadata.resourceVersion);
    expect(evs[3].object.metadata.resourceVersion).toBe(back.metadata.resourceVersion);
    expect(evs[4].object.metadata.resourceVersion).toBe(m3.metadata.resourceVersion);
    expect(await w.next(300)).toBeUndefined();
    await w.cancel();
  });

  it("watch-consistency: watches started at any event's resourceVersion see the same later events, while writes go on", async () => {
    const ns = await newNs("cw");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const start = (await get(path)).body.metadata.resourceVersion;
    const w1 = await Watch.open(`${path}?watch=true&resourceVersion=${start}`);

    // A background writer: creates, updates and deletes interleaved, as the upstream test's goroutine.
    const TOTAL = 30;
    const writer = (async () => {
      const live: string[] = [];
      for (let i = 0; i < TOTAL; i++) {
        if (i % 3 === 0 || live.length === 0) {
          const name = `c${i}`;
          expect((await post(path, cm(name, { i: String(i) }))).status).toBe(201);
          live.push(name);
        } else if (i % 3 === 1) {
          const name = live[i % live.length];
          expect((await put(`${path}/${name}`, cm(name, { i: String(i) }))).status).toBe(200);
        } else {
          const name = live.shift()!;
          expect((await del(`${path}/${name}`)).status).toBe(200);
        }
      }
    })();

    const seen: WatchEvent[] = [];
    const extra: Array<{ from: number; watch: Watch }> = [];
    while (seen.length < TOTAL) {
      const e = await w1.next(3000);
      if (!e) throw new Error(`first watch stalled after ${seen.length} events`);
      seen.push(e);
      // Every fifth event: start another watch at this event's resourceVersion.
      if (seen.length % 5 === 0) extra.push({ from: seen.length, watch: await Watch.open(`${path}?watch=true&resourceVersion=${e.object.metadata.resourceVersion}`) });
    }
    await writer;
    expect(await w1.next(300)).toBeUndefined();

    const rvs = seen.map((e) => Number(e.object.metadata.resourceVersion));
    for (let i = 1; i < rvs.length; i++) expect(rvs[i]).toBeGreaterThan(rvs[i - 1]);

    for (const { from, watch } of extra) {
      const later = await watch.take(TOTAL - from);
      expect(later.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion])).toEqual(
        seen.slice(from).map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]),
      );
      expect(await watch.next(200)).toBeUndefined();
      await watch.cancel();
    }
    await w1.cancel();
  });
});
