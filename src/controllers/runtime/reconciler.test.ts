import { describe, expect, it } from "vitest";
import { conflict, OBJECT_MODIFIED, notFound } from "../../lib/status.js";
import { joinKey, splitKey, workKey, splitWorkKey } from "./keys.js";
import { type Reconciler, type ReconcileResult, isConflict, runDue } from "./reconciler.js";
import { WorkQueue } from "./work-queue.js";

function setup() {
  const clock = { t: 0 };
  const now = () => clock.t;
  return { clock, now, q: new WorkQueue({ now }) };
}

/** A reconciler whose outcome per call is scripted; records the keys it saw. */
function scripted(name: string, outcomes: Array<ReconcileResult | Error | { code: number }>): Reconciler & { seen: string[] } {
  const seen: string[] = [];
  return {
    name,
    seen,
    async reconcile(key) {
      seen.push(key);
      const o = outcomes.shift();
      if (o instanceof Error || (o && "code" in o)) throw o;
      return o as ReconcileResult;
    },
  };
}

describe("keys", () => {
  it("join and split namespace/name as client-go", () => {
    expect(joinKey("ns", "a")).toBe("ns/a");
    expect(joinKey("", "node-1")).toBe("node-1");
    expect(splitKey("ns/a")).toEqual({ namespace: "ns", name: "a" });
    expect(splitKey("node-1")).toEqual({ namespace: "", name: "node-1" });
    expect(() => splitKey("a/b/c")).toThrow(/unexpected key format/);
    expect(splitWorkKey(workKey("replicaset", "ns/a"))).toEqual({ reconciler: "replicaset", key: "ns/a" });
    expect(() => workKey("a:b", "k")).toThrow();
  });
});

describe("runDue", () => {
  it("routes each work key to its reconciler and forgets backoff on success", async () => {
    const { q, now } = setup();
    const rs = scripted("replicaset", [undefined]);
    const dep = scripted("deployment", [{}]);
    q.add(workKey("replicaset", "ns/web"));
    q.add(workKey("deployment", "ns/web"));
    q.addRateLimited(workKey("replicaset", "ns/web")); // an older failure
    const s = await runDue(q, [rs, dep], now);
    expect(rs.seen).toEqual(["ns/web"]);
    expect(dep.seen).toEqual(["ns/web"]);
    expect(s).toMatchObject({ ran: 2, failed: 0, conflicts: 0, requeued: 0, errors: [] });
    expect(q.numRequeues(workKey("replicaset", "ns/web"))).toBe(0);
    // The delayed duplicate from addRateLimited is still due later, as in client-go.
    expect(s.nextDueAt).toBe(5);
  });

  it("re-adds a failing key with growing backoff and reports the error", async () => {
    const { q, now, clock } = setup();
    const boom = new Error("boom");
    const r = scripted("rs", [boom, boom, boom, undefined]);
    const item = workKey("rs", "ns/a");
    q.add(item);
    const nexts: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const s = await runDue(q, [r], now);
      expect(s).toMatchObject({ ran: 1, failed: 1, requeued: 1 });
      expect(s.errors).toEqual([{ item, reconciler: "rs", key: "ns/a", error: boom }]);
      nexts.push(s.nextDueAt! - clock.t);
      // Not due yet: nothing runs.
      expect((await runDue(q, [r], now)).ran).toBe(0);
      clock.t = s.nextDueAt!;
    }
    expect(nexts).toEqual([5, 10, 20]);
    const s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, failed: 0, nextDueAt: undefined });
    expect(q.numRequeues(item)).toBe(0);
  });

  it("re-queues a 409 Conflict at once without growing or resetting the backoff", async () => {
    const { q, now, clock } = setup();
    const item = workKey("rs", "ns/a");
    const r = scripted("rs", [new Error("x"), conflict({ group: "apps", resource: "replicasets" }, "a", OBJECT_MODIFIED), { code: 409 }, undefined]);
    q.add(item);
    await runDue(q, [r], now);
    expect(q.numRequeues(item)).toBe(1);
    clock.t = 5;
    let s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, failed: 0, conflicts: 1, requeued: 1, errors: [], nextDueAt: 5 });
    expect(q.numRequeues(item)).toBe(1);
    s = await runDue(q, [r], now); // plain { code: 409 } counts too
    expect(s).toMatchObject({ conflicts: 1, nextDueAt: 5 });
    s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, conflicts: 0, nextDueAt: undefined });
    expect(q.numRequeues(item)).toBe(0);
  });

  it("recognises conflicts by code only", () => {
    expect(isConflict(conflict({ group: "", resource: "pods" }, "p", OBJECT_MODIFIED))).toBe(true);
    expect(isConflict({ code: 409 })).toBe(true);
    expect(isConflict(notFound({ group: "", resource: "pods" }, "p"))).toBe(false);
    expect(isConflict(new Error("409 Conflict"))).toBe(false);
    expect(isConflict(undefined)).toBe(false);
  });

  it("honours requeueAfterMs (forgetting backoff) and 0 as at once", async () => {
    const { q, now, clock } = setup();
    const item = workKey("rs", "ns/a");
    const r = scripted("rs", [new Error("x"), { requeueAfterMs: 30_000 }, { requeueAfterMs: 0 }, undefined]);
    q.add(item);
    await runDue(q, [r], now);
    clock.t = 5;
    let s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, requeued: 1, nextDueAt: 30_005 });
    expect(q.numRequeues(item)).toBe(0);
    clock.t = 30_005;
    s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, requeued: 1, nextDueAt: 30_005 });
    s = await runDue(q, [r], now);
    expect(s).toMatchObject({ ran: 1, requeued: 0, nextDueAt: undefined });
  });

  it("an add during reconcile runs the key again on the next run, never concurrently", async () => {
    const { q, now } = setup();
    const item = workKey("rs", "ns/a");
    let calls = 0;
    const r: Reconciler = {
      name: "rs",
      async reconcile() {
        calls++;
        if (calls > 1) return;
        q.add(item); // a watch event arrives mid-reconcile
        expect(q.popDue(now())).toEqual([]); // not handed out twice
      },
    };
    q.add(item);
    let s = await runDue(q, [r], now);
    expect(s.ran).toBe(1);
    expect(s.nextDueAt).toBe(0);
    s = await runDue(q, [r], now);
    expect(calls).toBe(2);
    expect(s).toMatchObject({ ran: 1, failed: 0, nextDueAt: undefined });
  });

  it("limits work per run with maxPerRun", async () => {
    const { q, now } = setup();
    const r = scripted("rs", []);
    for (const n of ["a", "b", "c"]) q.add(workKey("rs", `ns/${n}`));
    const s = await runDue(q, [r], now, { maxPerRun: 2 });
    expect(r.seen).toEqual(["ns/a", "ns/b"]);
    expect(s.nextDueAt).toBe(0);
    await runDue(q, [r], now, { maxPerRun: 2 });
    expect(r.seen).toEqual(["ns/a", "ns/b", "ns/c"]);
  });

  it("reports and drops work keys with no reconciler", async () => {
    const { q, now } = setup();
    q.add(workKey("gone", "ns/a"));
    q.add("malformed");
    const s = await runDue(q, [scripted("rs", [])], now);
    expect(s.ran).toBe(0);
    expect(s.errors.map((e) => e.item)).toEqual(["gone:ns/a", "malformed"]);
    expect(s.nextDueAt).toBeUndefined();
    expect(q.len()).toBe(0);
  });
});
