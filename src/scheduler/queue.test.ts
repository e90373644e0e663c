// SchedulingQueue: priority then age, unschedulable parking, backoff 1 s doubling to 10 s.
import { describe, expect, it } from "vitest";
import { podFacts } from "./facts.js";
import { SchedulingQueue } from "./queue.js";
import { makePod } from "./testing.js";

const pod = (name: string, priority = 0, created = "2024-01-01T00:00:00Z") => podFacts(makePod(name, { priority, created }));

function drain(q: SchedulingQueue, now?: number): string[] {
  const out: string[] = [];
  for (let p = q.pop(now); p; p = q.pop(now)) out.push(p.name);
  return out;
}

describe("SchedulingQueue", () => {
  it("pops by priority, then by age", () => {
    const q = new SchedulingQueue();
    q.add(pod("young-low", 0, "2024-01-03T00:00:00Z"));
    q.add(pod("old-low", 0, "2024-01-01T00:00:00Z"));
    q.add(pod("high", 100, "2024-01-05T00:00:00Z"));
    q.add(pod("mid", 10, "2024-01-04T00:00:00Z"));
    q.add(pod("middle-age-low", 0, "2024-01-02T00:00:00Z"));
    expect(q.len()).toBe(5);
    expect(drain(q)).toEqual(["high", "mid", "old-low", "middle-age-low", "young-low"]);
    expect(q.len()).toBe(0);
  });

  it("update replaces the pod and reorders it; delete removes it", () => {
    const q = new SchedulingQueue();
    q.add(pod("a", 1));
    q.add(pod("b", 2));
    q.update(pod("a", 5));
    expect(q.len()).toBe(2);
    q.add(pod("c"));
    q.delete("default/c");
    expect(q.has("default/c")).toBe(false);
    expect(q.pendingKeys().sort()).toEqual(["default/a", "default/b"]);
    expect(drain(q)).toEqual(["a", "b"]);
  });

  it("parks an unschedulable pod until moveAllToActive", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    const p = q.pop()!;
    expect(q.has("default/p")).toBe(false);
    q.markUnschedulable(p, 0);
    expect(q.has("default/p")).toBe(true);
    expect(q.len()).toBe(1);
    expect(q.pop(60_000)).toBeUndefined();
    q.moveAllToActive(60_000);
    expect(q.pop(60_000)?.name).toBe("p");
  });

  it("backs off 1 s, doubling per failed attempt up to 10 s", () => {
    const q = new SchedulingQueue();
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => q.backoffDuration(n))).toEqual([0, 1000, 2000, 4000, 8000, 10000, 10000]);
    q.add(pod("p"));
    let now = 0;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const p = q.pop(now)!;
      expect(p.name).toBe("p");
      q.markUnschedulable(p, now);
      // A cluster change right away: the pod still waits out its backoff.
      q.moveAllToActive(now);
      expect(q.pop(now)).toBeUndefined();
      const ready = q.nextReadyAt()!;
      waits.push(ready - now);
      expect(q.pop(ready - 1)).toBeUndefined();
      now = ready;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it("a pod moved back after its backoff expired is active at once", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    q.markUnschedulable(q.pop(0)!, 0);
    q.moveAllToActive(5_000);
    expect(q.activeLen()).toBe(1);
    expect(q.pop()?.name).toBe("p");
  });

  it("an update of an unschedulable pod re-queues it, respecting its backoff", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    q.markUnschedulable(q.pop(0)!, 0);
    q.update(pod("p", 3));
    expect(q.pop(500)).toBeUndefined();
    expect(q.pop(1000)?.priority).toBe(3);
  });

  it("keeps a pod updated while being scheduled in the queue", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    const p = q.pop(0)!;
    q.update(pod("p", 9));
    q.markUnschedulable(p, 0);
    expect(q.pop(0)?.priority).toBe(9);
  });

  it("retries pods parked for longer than 5 minutes without a cluster change", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    q.markUnschedulable(q.pop(0)!, 0);
    // Parked pods wait for a cluster change, or at most podMaxInUnschedulablePodsDuration.
    expect(q.nextReadyAt()).toBe(300_000);
    expect(q.pop(60_000)).toBeUndefined();
    expect(q.pop(300_000)?.name).toBe("p");
  });

  it("forgets attempts on delete", () => {
    const q = new SchedulingQueue();
    q.add(pod("p"));
    q.markUnschedulable(q.pop(0)!, 0);
    q.delete("default/p");
    expect(q.len()).toBe(0);
    expect(q.nextReadyAt()).toBeUndefined();
    q.add(pod("p"));
    q.markUnschedulable(q.pop(0)!, 0);
    q.moveAllToActive(0);
    expect(q.nextReadyAt()).toBe(1000);
  });

  it("holds pods with scheduling gates until an update removes them", () => {
    const q = new SchedulingQueue();
    const gated = podFacts({ ...makePod("g"), spec: { ...(makePod("g").spec as object), schedulingGates: [{ name: "example.com/wait" }] } });
    expect(gated.schedulingGated).toBe(true);
    q.add(gated);
    expect(q.has("default/g")).toBe(true);
    expect(q.pop(0)).toBeUndefined();
    q.moveAllToActive(0);
    expect(q.pop(0)).toBeUndefined();
    q.update(pod("g"));
    expect(q.pop(0)?.name).toBe("g");
  });
});
