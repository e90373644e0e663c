// The storage conformance suite: every Storage implementation runs it (as apiserver's
// store_tests.go). `withStore` hands each test a fresh, empty store and a fake clock.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/apis/types.js";
import { isStorageError } from "../../src/storage/errors.js";
import type { Storage, StoredEvent } from "../../src/storage/interface.js";

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface StoreContext {
  store: Storage;
  clock: FakeClock;
  /** A new Storage over the same medium, as after a restart. */
  reopen(): Storage;
}

export type WithStore = (fn: (ctx: StoreContext) => void | Promise<void>) => Promise<void>;

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
  data,
});

export function runStorageConformance(name: string, withStore: WithStore): void {
  describe(`storage conformance: ${name}`, () => {
    it("creates and gets an object, stamping resourceVersion with the new revision", () =>
      withStore(({ store }) => {
        expect(store.currentRevision()).toBe(0);
        const created = store.create("configmaps", "a", cm("a", { k: "v" }));
        expect(created.metadata.resourceVersion).toBe("1");
        expect(store.currentRevision()).toBe(1);
        const got = store.get("configmaps", "a");
        expect(got).toEqual(created);
        expect(store.get("configmaps", "missing")).toBeUndefined();
        expect(store.get("secrets", "a")).toBeUndefined();
      }));

    it("refuses to create an existing name and writes nothing", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a"));
        let err: unknown;
        try {
          store.create("configmaps", "a", cm("a", { x: "y" }));
        } catch (e) {
          err = e;
        }
        expect(isStorageError(err, "Exists")).toBe(true);
        expect(store.currentRevision()).toBe(1);
        expect(store.eventsSince(0)).toHaveLength(1);
        expect(store.get("configmaps", "a")?.data).toEqual({});
      }));

    it("updates through guaranteedUpdate, recording the previous state in the event", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a", { k: "1" }));
        const out = store.guaranteedUpdate("configmaps", "a", (cur) => ({ ...cur!, data: { k: "2" } }));
        expect(out.status).toBe("written");
        expect(out.object.metadata.resourceVersion).toBe("2");
        const events = store.eventsSince(1);
        expect(events).toHaveLength(1);
        expect(events[0].type).toBe("MODIFIED");
        expect(events[0].prev?.data).toEqual({ k: "1" });
        expect(events[0].object.data).toEqual({ k: "2" });
      }));

    it("does not write an update that changes nothing, whatever the order of its keys", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a", { k: "1", j: "2" }));
        const out = store.guaranteedUpdate("configmaps", "a", (cur) => ({ ...cur! }));
        expect(out.status).toBe("unchanged");
        const reordered = store.guaranteedUpdate("configmaps", "a", (cur) => {
          const { metadata, ...rest } = cur!;
          return { data: { j: "2", k: "1" }, ...rest, metadata: { resourceVersion: metadata.resourceVersion, ...metadata } };
        });
        expect(reordered.status).toBe("unchanged");
        expect(store.currentRevision()).toBe(1);
      }));

    it("reports NotFound on update of a missing key unless asked to create it", () =>
      withStore(({ store }) => {
        let err: unknown;
        try {
          store.guaranteedUpdate("configmaps", "nope", (cur) => cur!);
        } catch (e) {
          err = e;
        }
        expect(isStorageError(err, "NotFound")).toBe(true);
        const out = store.guaranteedUpdate("configmaps", "nope", (cur) => cur ?? cm("nope"), { ignoreNotFound: true });
        expect(out.status === "written" && out.created).toBe(true);
        expect(store.eventsSince(0)[0].type).toBe("ADDED");
      }));

    it("leaves everything as it was when tryUpdate throws", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a", { k: "1" }));
        const seen: StoredEvent[] = [];
        store.subscribe((e) => seen.push(e));
        expect(() =>
          store.guaranteedUpdate("configmaps", "a", () => {
            throw new Error("refused");
          }),
        ).toThrow("refused");
        expect(store.currentRevision()).toBe(1);
        expect(seen).toHaveLength(0);
        expect(store.get("configmaps", "a")?.data).toEqual({ k: "1" });
      }));

    it("deletes with a DELETED event carrying the deletion revision", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a"));
        expect(() =>
          store.delete("configmaps", "a", () => {
            throw new Error("precondition failed");
          }),
        ).toThrow("precondition failed");
        expect(store.get("configmaps", "a")).toBeDefined();
        const gone = store.delete("configmaps", "a");
        expect(gone.metadata.resourceVersion).toBe("2");
        expect(store.get("configmaps", "a")).toBeUndefined();
        const [e] = store.eventsSince(1);
        expect(e.type).toBe("DELETED");
        expect(e.object.metadata.resourceVersion).toBe("2");
        let err: unknown;
        try {
          store.delete("configmaps", "a");
        } catch (x) {
          err = x;
        }
        expect(isStorageError(err, "NotFound")).toBe(true);
      }));

    it("lists by name with limit, continuation and filters", () =>
      withStore(({ store }) => {
        for (const n of ["d", "b", "a", "e", "c"]) store.create("configmaps", n, cm(n, { n }));
        store.create("secrets", "a", cm("a"));
        const all = store.list("configmaps");
        expect(all.items.map((o) => o.metadata.name)).toEqual(["a", "b", "c", "d", "e"]);
        expect(all.revision).toBe(6);
        expect(all.continueAfter).toBeUndefined();
        const p1 = store.list("configmaps", { limit: 2 });
        expect(p1.items.map((o) => o.metadata.name)).toEqual(["a", "b"]);
        expect(p1.continueAfter).toBe("b");
        const p3 = store.list("configmaps", { limit: 2, startAfter: "d" });
        expect(p3.items.map((o) => o.metadata.name)).toEqual(["e"]);
        expect(p3.continueAfter).toBeUndefined();
        const exact = store.list("configmaps", { limit: 5 });
        expect(exact.continueAfter).toBeUndefined();
        const filtered = store.list("configmaps", { filter: (o) => o.metadata.name !== "c", limit: 3 });
        expect(filtered.items.map((o) => o.metadata.name)).toEqual(["a", "b", "d"]);
        expect(store.count("configmaps")).toBe(5);
        expect(store.resources()).toEqual(["configmaps", "secrets"]);
      }));

    it("lists a past revision as it was, for consistent pagination", () =>
      withStore(({ store }) => {
        for (const n of ["a", "b", "c", "d"]) store.create("configmaps", n, cm(n, { v: "old" }));
        const snapshot = store.currentRevision();
        store.guaranteedUpdate("configmaps", "b", (cur) => ({ ...cur!, data: { v: "new" } }));
        store.delete("configmaps", "c");
        store.create("configmaps", "bb", cm("bb"));
        store.create("configmaps", "0", cm("0"));
        const page1 = store.list("configmaps", { atRevision: snapshot, limit: 2 });
        expect(page1.items.map((o) => [o.metadata.name, o.data])).toEqual([
          ["a", { v: "old" }],
          ["b", { v: "old" }],
        ]);
        expect(page1.revision).toBe(snapshot);
        const page2 = store.list("configmaps", { atRevision: snapshot, startAfter: page1.continueAfter, limit: 2 });
        expect(page2.items.map((o) => o.metadata.name)).toEqual(["c", "d"]);
        expect(page2.items[0].metadata.resourceVersion).toBe("3");
        expect(store.list("configmaps").items.map((o) => o.metadata.name)).toEqual(["0", "a", "b", "bb", "d"]);
      }));

    it("serves events since a revision, in order, per resource", () =>
      withStore(({ store }) => {
        store.create("configmaps", "a", cm("a"));
        store.create("secrets", "s", cm("s"));
        store.guaranteedUpdate("configmaps", "a", (c) => ({ ...c!, data: { x: "1" } }));
        store.delete("configmaps", "a");
        expect(store.eventsSince(0).map((e) => [e.revision, e.type, e.resource])).toEqual([
          [1, "ADDED", "configmaps"],
          [2, "ADDED", "secrets"],
          [3, "MODIFIED", "configmaps"],
          [4, "DELETED", "configmaps"],
        ]);
        expect(store.eventsSince(1, "configmaps").map((e) => e.revision)).toEqual([3, 4]);
        expect(store.eventsSince(4)).toEqual([]);
      }));

    it("compacts by age and count, then answers older revisions with Expired", () =>
      withStore(({ store, clock }) => {
        for (let i = 0; i < 10; i++) {
          store.create("configmaps", `c${i}`, cm(`c${i}`));
          clock.advance(1000);
        }
        // Nothing is older than 60 s: nothing goes whatever the count.
        expect(store.compact({ minAgeMs: 60_000, maxRows: 2 }, clock.now())).toBe(0);
        clock.advance(120_000);
        // All are old now; the newest 4 stay.
        expect(store.compact({ minAgeMs: 60_000, maxRows: 4 }, clock.now())).toBe(6);
        expect(store.compactedRevision()).toBe(6);
        expect(store.eventsSince(6).map((e) => e.revision)).toEqual([7, 8, 9, 10]);
        let err: unknown;
        try {
          store.eventsSince(5);
        } catch (e) {
          err = e;
        }
        expect(isStorageError(err, "Expired")).toBe(true);
        expect((err as Error).message).toBe("too old resource version: 5 (7)");
        expect(() => store.list("configmaps", { atRevision: 3 })).toThrow(/too old resource version/);
        expect(store.list("configmaps").items).toHaveLength(10);
      }));

    it("tells subscribers of each committed write, in revision order", () =>
      withStore(({ store }) => {
        const seen: number[] = [];
        const off = store.subscribe((e) => seen.push(e.revision));
        store.create("configmaps", "a", cm("a"));
        expect(() => store.create("configmaps", "a", cm("a"))).toThrow();
        store.guaranteedUpdate("configmaps", "a", (c) => ({ ...c!, data: { z: "1" } }));
        store.delete("configmaps", "a");
        off();
        store.create("configmaps", "b", cm("b"));
        expect(seen).toEqual([1, 2, 3]);
      }));

    it("keeps objects, revisions and the log across a restart", () =>
      withStore(({ store, reopen }) => {
        store.create("configmaps", "a", cm("a", { k: "v" }));
        store.create("configmaps", "b", cm("b"));
        store.delete("configmaps", "b");
        const again = reopen();
        expect(again.currentRevision()).toBe(3);
        expect(again.get("configmaps", "a")?.metadata.resourceVersion).toBe("1");
        expect(again.eventsSince(0)).toHaveLength(3);
        expect(again.create("configmaps", "c", cm("c")).metadata.resourceVersion).toBe("4");
      }));
  });
}
