// Node health: our clock, lease and heartbeat changes, grace periods, the Unknown conditions.
import { describe, expect, it } from "vitest";
import { rfc3339 } from "../../lib/clock.js";
import { microTime, observeNodeHealth } from "./health.js";
import { T0, makeLease, makeNode } from "./testing.js";
import { DEFAULT_NODE_LIFECYCLE_OPTIONS as OPTS, type NodeHealth } from "./types.js";

const GRACE = OPTS.nodeMonitorGracePeriodMs;

describe("observeNodeHealth", () => {
  it("starts a node it has no memory of at our now, whatever the node's timestamps say", () => {
    const node = makeNode("n", {}, T0 - 3_600_000); // heartbeats an hour old by the node's clock
    const r = observeNodeHealth(node, undefined, undefined, T0, OPTS);
    expect(r.health.probeTimestamp).toBe(T0);
    expect(r.statusUpdate).toBeUndefined();
    expect(r.ready).toBe("True");
  });

  it("refreshes the probe when the lease renewTime moves forward, not when it stays or goes back", () => {
    const node = makeNode("n");
    const saved: NodeHealth = { probeTimestamp: T0, readyTransitionTimestamp: T0, ready: { status: "True", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0) }, lease: { renewTime: makeLease("n", T0 + 1).spec!.renewTime } };
    expect(observeNodeHealth(node, makeLease("n", T0 + 1), saved, T0 + 30_000, OPTS).health.probeTimestamp).toBe(T0);
    expect(observeNodeHealth(node, makeLease("n", T0), saved, T0 + 30_000, OPTS).health.probeTimestamp).toBe(T0);
    const r = observeNodeHealth(node, makeLease("n", T0 + 2), saved, T0 + 30_000, OPTS);
    expect(r.health.probeTimestamp).toBe(T0 + 30_000);
    expect(r.health.lease!.renewTime).toBe(makeLease("n", T0 + 2).spec!.renewTime);
  });

  it("refreshes the probe on a new Ready heartbeat, and the transition time only when Ready transitioned", () => {
    const saved: NodeHealth = { probeTimestamp: T0, readyTransitionTimestamp: T0, ready: { status: "True", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0) } };
    const later = T0 + 20_000;
    const beat = makeNode("n", {}, T0);
    beat.status!.conditions!.find((c) => c.type === "Ready")!.lastHeartbeatTime = rfc3339(T0 + 1_000);
    expect(observeNodeHealth(beat, undefined, saved, later, OPTS).health).toMatchObject({ probeTimestamp: later, readyTransitionTimestamp: T0 });
    const flipped = makeNode("n", {}, T0 + 1_000);
    expect(observeNodeHealth(flipped, undefined, saved, later, OPTS).health).toMatchObject({ probeTimestamp: later, readyTransitionTimestamp: later });
  });

  it("turns the monitored conditions Unknown once silent past the grace period, NetworkUnavailable excepted", () => {
    const node = makeNode("n");
    node.status!.conditions!.push({ type: "NetworkUnavailable", status: "False", reason: "RouteCreated" });
    const saved: NodeHealth = { probeTimestamp: T0, readyTransitionTimestamp: T0, ready: { status: "True", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0) } };
    expect(observeNodeHealth(node, undefined, saved, T0 + GRACE, OPTS).statusUpdate).toBeUndefined();
    const now = T0 + GRACE + 1_000;
    const r = observeNodeHealth(node, undefined, saved, now, OPTS);
    expect(r.ready).toBe("Unknown");
    expect(r.statusUpdate!.map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime, c.lastHeartbeatTime])).toEqual([
      ["MemoryPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", rfc3339(now), rfc3339(T0)],
      ["DiskPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", rfc3339(now), rfc3339(T0)],
      ["PIDPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", rfc3339(now), rfc3339(T0)],
      ["Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", rfc3339(now), rfc3339(T0)],
      ["NetworkUnavailable", "False", "RouteCreated", undefined, undefined, undefined],
    ]);
    expect(r.health).toMatchObject({ probeTimestamp: T0, readyTransitionTimestamp: now, ready: { status: "Unknown", lastHeartbeatTime: rfc3339(T0) } });
    // The input node is not modified.
    expect(node.status!.conditions!.find((c) => c.type === "Ready")!.status).toBe("True");
  });

  it("writes again when the Unknown write did not land (the heartbeat alone tells the kubelet posted)", () => {
    const node = makeNode("n");
    const saved: NodeHealth = { probeTimestamp: T0, readyTransitionTimestamp: T0, ready: { status: "True", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0) } };
    const first = observeNodeHealth(node, undefined, saved, T0 + GRACE + 1, OPTS);
    expect(first.statusUpdate).toBeDefined();
    const again = observeNodeHealth(node, undefined, first.health, T0 + GRACE + 5_000, OPTS);
    expect(again.health.probeTimestamp).toBe(T0);
    expect(again.statusUpdate).toBeDefined();
  });

  it("leaves a node whose Ready is already Unknown alone", () => {
    const node = makeNode("n");
    node.status!.conditions!.find((c) => c.type === "Ready")!.status = "Unknown";
    const saved: NodeHealth = { probeTimestamp: T0, readyTransitionTimestamp: T0, ready: { status: "Unknown", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0) } };
    const r = observeNodeHealth(node, undefined, saved, T0 + 10 * GRACE, OPTS);
    expect(r.statusUpdate).toBeUndefined();
    expect(r.ready).toBe("Unknown");
  });

  it("gives a node that never posted Ready the startup grace period from its creation", () => {
    const node = makeNode("n", { conditions: [], createdAt: T0 });
    const first = observeNodeHealth(node, undefined, undefined, T0 + 30_000, OPTS);
    expect(first).toMatchObject({ health: { probeTimestamp: T0 }, ready: undefined, gracePeriodMs: 60_000 });
    expect(observeNodeHealth(node, undefined, first.health, T0 + 60_000, OPTS).statusUpdate).toBeUndefined();
    expect(observeNodeHealth(node, undefined, first.health, T0 + 60_001, OPTS).statusUpdate!.map((c) => c.reason)).toEqual(Array(4).fill("NodeStatusNeverUpdated"));
    // A lease alone counts as the node being alive.
    const leased = observeNodeHealth(node, makeLease("n", T0), first.health, T0 + 60_001, OPTS);
    expect(leased.health.probeTimestamp).toBe(T0 + 60_001);
    expect(leased.statusUpdate).toBeUndefined();
  });
});

describe("microTime", () => {
  it("keeps microseconds and orders renewTimes", () => {
    expect(microTime("2025-01-01T00:00:00.000001Z")! - microTime("2025-01-01T00:00:00.000000Z")!).toBe(1);
    expect(microTime("2025-01-01T00:00:01Z")).toBe(Date.parse("2025-01-01T00:00:01Z") * 1000);
    expect(microTime("nonsense")).toBeUndefined();
  });
});
