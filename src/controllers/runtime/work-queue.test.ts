import { describe, expect, it } from "vitest";
import { ItemExponentialFailureRateLimiter } from "./backoff.js";
import { WorkQueue } from "./work-queue.js";

function setup(start = 1_000) {
  const clock = { t: start };
  const now = () => clock.t;
  return { clock, now, q: new WorkQueue({ now }) };
}

describe("WorkQueue", () => {
  it("de-duplicates keys that are waiting to run", () => {
    const { q, now } = setup();
    q.add("ns/a");
    q.add("ns/b");
    q.add("ns/a");
    expect(q.len()).toBe(2);
    expect(q.popDue(now())).toEqual(["ns/a", "ns/b"]);
    expect(q.len()).toBe(0);
  });

  it("never hands out a key that is processing; an add meanwhile re-queues it after done", () => {
    const { q, now, clock } = setup();
    q.add("ns/a");
    expect(q.popDue(now())).toEqual(["ns/a"]);
    expect(q.isProcessing("ns/a")).toBe(true);
    q.add("ns/a");
    q.add("ns/a");
    expect(q.popDue(now())).toEqual([]);
    expect(q.len()).toBe(1);
    expect(q.nextDueAt()).toBeUndefined(); // cannot run until done
    clock.t += 7;
    q.done("ns/a");
    expect(q.nextDueAt()).toBe(1_007);
    expect(q.popDue(now())).toEqual(["ns/a"]);
    q.done("ns/a");
    expect(q.popDue(now())).toEqual([]);
    expect(q.len()).toBe(0);
  });

  it("done without a pending add drops the key; done of an unknown key is a no-op", () => {
    const { q, now } = setup();
    q.add("a");
    q.popDue(now());
    q.done("a");
    q.done("never");
    expect(q.len()).toBe(0);
    expect(q.nextDueAt()).toBeUndefined();
  });

  it("honours maxPerRun and keeps the rest due", () => {
    const { q, now } = setup();
    for (const k of ["a", "b", "c"]) q.add(k);
    expect(q.popDue(now(), 2)).toEqual(["a", "b"]);
    expect(q.nextDueAt()).toBe(1_000);
    expect(q.popDue(now(), 2)).toEqual(["c"]);
  });

  it("addAfter delays keys, orders them by due time then insertion, and keeps the earlier of two delays", () => {
    const { q, clock, now } = setup(0);
    q.addAfter("late", 300);
    q.addAfter("early", 100);
    q.addAfter("tie1", 200);
    q.addAfter("tie2", 200);
    q.addAfter("early", 500); // later: ignored
    q.addAfter("late", 250); // sooner: wins
    expect(q.nextDueAt()).toBe(100);
    expect(q.popDue(99)).toEqual([]);
    clock.t = 250;
    expect(q.popDue(now())).toEqual(["early", "tie1", "tie2", "late"]);
    expect(q.nextDueAt()).toBeUndefined();
  });

  it("addAfter with no delay adds at once; delayed keys that came due take their place by due time", () => {
    const { q, clock, now } = setup(0);
    q.addAfter("d", 10);
    q.addAfter("now", 0);
    clock.t = 20;
    q.add("fresh");
    expect(q.popDue(now())).toEqual(["now", "d", "fresh"]);
  });

  it("a delayed key that is already queued runs once", () => {
    const { q, clock, now } = setup(0);
    q.add("a");
    q.addAfter("a", 5);
    clock.t = 10;
    expect(q.popDue(now())).toEqual(["a"]);
    expect(q.len()).toBe(0);
  });

  it("nextDueAt is the earliest of ready and delayed keys", () => {
    const { q, clock } = setup(0);
    expect(q.nextDueAt()).toBeUndefined();
    q.addAfter("x", 1_000);
    expect(q.nextDueAt()).toBe(1_000);
    clock.t = 50;
    q.add("y");
    expect(q.nextDueAt()).toBe(50);
  });

  it("backs off exponentially per key from 5 ms, capped at 1000 s, and forget resets", () => {
    const { q, clock, now } = setup(0);
    const delays: number[] = [];
    for (let i = 0; i < 22; i++) {
      q.addRateLimited("a");
      delays.push(q.nextDueAt()! - clock.t);
      clock.t = q.nextDueAt()!;
      expect(q.popDue(now())).toEqual(["a"]);
      q.done("a");
    }
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s
    expect(delays[18]).toBe(1_000_000); // 1310.72 s would exceed the cap
    expect(delays[21]).toBe(1_000_000);
    expect(q.numRequeues("a")).toBe(22);

    q.addRateLimited("b"); // independent per key
    expect(q.numRequeues("b")).toBe(1);

    q.forget("a");
    expect(q.numRequeues("a")).toBe(0);
    q.addRateLimited("a");
    expect(q.toJSON().waiting.find((w) => w.key === "a")!.at - clock.t).toBe(5);
  });

  it("the rate limiter never overflows", () => {
    const l = new ItemExponentialFailureRateLimiter();
    for (let i = 0; i < 2_000; i++) l.when("k");
    expect(l.when("k")).toBe(1_000_000);
  });

  it("round-trips through JSON, keeping order, delays, backoff and keys that were processing", () => {
    const { q, clock, now } = setup(0);
    q.add("running");
    q.add("ready1");
    expect(q.popDue(now(), 1)).toEqual(["running"]);
    q.add("ready2");
    q.addAfter("later", 100);
    q.addRateLimited("failing");
    q.addRateLimited("failing");

    const state = JSON.parse(JSON.stringify(q.toJSON()));
    expect(state.version).toBe(1);
    const r = WorkQueue.fromJSON(state, { now });
    expect(r.len()).toBe(5);
    expect(r.numRequeues("failing")).toBe(2);
    expect(r.nextDueAt()).toBe(0);
    expect(r.popDue(now())).toEqual(["running", "ready1", "ready2"]);
    clock.t = 100;
    expect(r.popDue(now())).toEqual(["failing", "later"]); // failing was due at 5
    r.addRateLimited("failing");
    expect(r.nextDueAt()).toBe(100 + 20); // third failure
  });

  it("rejects state it does not understand", () => {
    const { now } = setup();
    expect(() => WorkQueue.fromJSON({ version: 2 } as never, { now })).toThrow(/version/);
  });
});
