import { describe, expect, it } from "vitest";
import { COMBINED_PREFIX, type EventAction, EventRecorder, type InvolvedObject } from "./events.js";

// 2024-05-01T12:00:00Z: a realistic epoch, so UnixNano has upstream's 16 hex digits.
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

function setup(extra: Partial<ConstructorParameters<typeof EventRecorder>[0]> = {}) {
  const clock = { t: T0 };
  const rec = new EventRecorder({ component: "replicaset-controller", now: () => clock.t, ...extra });
  return { clock, rec };
}

const rs: InvolvedObject = { kind: "ReplicaSet", apiVersion: "apps/v1", name: "web-5d4f", namespace: "prod", uid: "u-1", resourceVersion: "42" };

function created(a: EventAction) {
  if (!("create" in a)) throw new Error(`expected create, got ${JSON.stringify(a)}`);
  return a.create;
}
function updated(a: EventAction) {
  if (!("update" in a)) throw new Error(`expected update, got ${JSON.stringify(a)}`);
  return a.update;
}

describe("EventRecorder", () => {
  it("makes a core/v1 Event as upstream's recorder does", () => {
    const { rec } = setup();
    const e = created(rec.record(rs, "Normal", "SuccessfulCreate", "Created pod: web-5d4f-abcde"));
    expect(e).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `web-5d4f.${(BigInt(T0) * 1_000_000n).toString(16)}`, namespace: "prod" },
      involvedObject: { kind: "ReplicaSet", namespace: "prod", name: "web-5d4f", uid: "u-1", apiVersion: "apps/v1", resourceVersion: "42" },
      reason: "SuccessfulCreate",
      message: "Created pod: web-5d4f-abcde",
      source: { component: "replicaset-controller" },
      firstTimestamp: "2024-05-01T12:00:00Z",
      lastTimestamp: "2024-05-01T12:00:00Z",
      count: 1,
      type: "Normal",
      reportingComponent: "replicaset-controller",
      reportingInstance: "",
    });
    expect(e.metadata.name).toMatch(/^web-5d4f\.[0-9a-f]{16}$/);
  });

  it("puts events of cluster-scoped objects in default and fills host fields when given", () => {
    const { rec } = setup({ component: "node-controller", host: "do-123" });
    const e = created(rec.record({ kind: "Node", apiVersion: "v1", name: "n1", uid: "u-n" }, "Warning", "NodeNotReady", "Node n1 status is now: NodeNotReady"));
    expect(e.metadata.namespace).toBe("default");
    expect(e.involvedObject).toEqual({ kind: "Node", name: "n1", uid: "u-n", apiVersion: "v1" });
    expect(e.source).toEqual({ component: "node-controller", host: "do-123" });
    expect(e.reportingInstance).toBe("do-123");
  });

  it("gives distinct names to events in the same millisecond", () => {
    const { rec } = setup();
    const a = created(rec.record(rs, "Normal", "A", "a"));
    const b = created(rec.record(rs, "Normal", "B", "b"));
    expect(a.metadata.name).not.toBe(b.metadata.name);
  });

  it("turns a repeat within 10 minutes into an update with count+1", () => {
    const { rec, clock } = setup();
    const first = created(rec.record(rs, "Warning", "FailedCreate", "quota exceeded"));
    clock.t += 9 * 60_000;
    const second = updated(rec.record(rs, "Warning", "FailedCreate", "quota exceeded"));
    expect(second.metadata.name).toBe(first.metadata.name);
    expect(second.count).toBe(2);
    expect(second.firstTimestamp).toBe("2024-05-01T12:00:00Z");
    expect(second.lastTimestamp).toBe("2024-05-01T12:09:00Z");
    clock.t += 9 * 60_000; // the window runs from the last occurrence
    expect(updated(rec.record(rs, "Warning", "FailedCreate", "quota exceeded")).count).toBe(3);
    // A different message or type is a different event.
    expect(created(rec.record(rs, "Warning", "FailedCreate", "other")).count).toBe(1);
    expect(created(rec.record(rs, "Normal", "FailedCreate", "quota exceeded")).count).toBe(1);
  });

  it("starts a new event after 10 quiet minutes", () => {
    const { rec, clock } = setup();
    const first = created(rec.record(rs, "Normal", "ScalingReplicaSet", "Scaled up"));
    clock.t += 10 * 60_000 + 1;
    const again = created(rec.record(rs, "Normal", "ScalingReplicaSet", "Scaled up"));
    expect(again.metadata.name).not.toBe(first.metadata.name);
    expect(again.count).toBe(1);
  });

  it("combines the 10th distinct message with one reason into one aggregate event", () => {
    const { rec, clock } = setup();
    for (let i = 0; i < 9; i++) expect(created(rec.record(rs, "Warning", "FailedCreate", `error ${i}`)).message).toBe(`error ${i}`);
    clock.t += 1_000;
    const agg = created(rec.record(rs, "Warning", "FailedCreate", "error 9"));
    expect(agg.message).toBe(`${COMBINED_PREFIX}error 9`);
    const more = updated(rec.record(rs, "Warning", "FailedCreate", "error 10"));
    expect(more.metadata.name).toBe(agg.metadata.name);
    expect(more.message).toBe(`${COMBINED_PREFIX}error 10`);
    expect(more.count).toBe(2);
    // Another reason is unaffected.
    expect(created(rec.record(rs, "Normal", "SuccessfulCreate", "x")).message).toBe("x");
  });

  it("drops events past a burst of 25 per object and lets one through per 5 minutes", () => {
    const { rec, clock } = setup();
    const other: InvolvedObject = { ...rs, name: "other", uid: "u-2" };
    const actions = Array.from({ length: 30 }, (_, i) => rec.record(rs, "Normal", `R${i}`, "m"));
    expect(actions.slice(0, 25).every((a) => "create" in a)).toBe(true);
    expect(actions.slice(25)).toEqual(Array(5).fill({ drop: "spam" }));
    expect("create" in rec.record(other, "Normal", "R", "m")).toBe(true); // per object

    clock.t += 299_000;
    expect(rec.record(rs, "Normal", "Later", "m")).toEqual({ drop: "spam" });
    clock.t += 1_000; // one token after 300 s
    expect("create" in rec.record(rs, "Normal", "Later2", "m")).toBe(true);
    expect(rec.record(rs, "Normal", "Later3", "m")).toEqual({ drop: "spam" });

    clock.t += 25 * 300_000 * 4; // refills to the burst, never beyond
    const refill = Array.from({ length: 26 }, (_, i) => rec.record(rs, "Normal", `Z${i}`, "m"));
    expect(refill.filter((a) => "drop" in a)).toHaveLength(1);
  });

  it("counts dropped repeats in the next write, as upstream's correlator", () => {
    const { rec, clock } = setup();
    for (let i = 0; i < 25; i++) rec.record(rs, "Normal", `R${i}`, "m");
    const first = rec.record(rs, "Normal", "Repeat", "m");
    expect(first).toEqual({ drop: "spam" });
    expect(rec.record(rs, "Normal", "Repeat", "m")).toEqual({ drop: "spam" });
    clock.t += 300_000;
    expect(updated(rec.record(rs, "Normal", "Repeat", "m")).count).toBe(3);
  });

  it("bounds its caches", () => {
    const { rec } = setup({ lruSize: 2 });
    const a = created(rec.record({ ...rs, name: "a", uid: "a" }, "Normal", "R", "m"));
    rec.record({ ...rs, name: "b", uid: "b" }, "Normal", "R", "m");
    rec.record({ ...rs, name: "c", uid: "c" }, "Normal", "R", "m");
    // "a" was evicted: its repeat is a new event.
    const again = created(rec.record({ ...rs, name: "a", uid: "a" }, "Normal", "R", "m"));
    expect(again.metadata.name).not.toBe(a.metadata.name);
  });
});
