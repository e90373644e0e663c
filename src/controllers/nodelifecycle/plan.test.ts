// Whole passes on a simulated cluster: nodes going silent, zones disrupted, taints and evictions.
import { describe, expect, it } from "vitest";
import { rfc3339 } from "../../lib/clock.js";
import { planNodeLifecycle } from "./plan.js";
import { SimCluster, T0, makeLease, makeNode } from "./testing.js";

const UNREACHABLE_NS = "node.kubernetes.io/unreachable:NoSchedule";
const UNREACHABLE_NE = "node.kubernetes.io/unreachable:NoExecute";
const NOT_READY_NS = "node.kubernetes.io/not-ready:NoSchedule";
const NOT_READY_NE = "node.kubernetes.io/not-ready:NoExecute";

/** A zone of `n` healthy nodes n0…n(n-1), first pass done. */
function zoneOf(n: number, zone = "a", c = new SimCluster()): SimCluster {
  for (let i = 0; i < n; i++) c.addNode(`${zone}${i}`, { zone, region: "r" });
  c.pass();
  return c;
}

describe("a node going silent", () => {
  it("stays Ready until the grace period has passed, then becomes Unknown and tainted in the same pass", () => {
    const c = zoneOf(4);
    c.stop("a0");
    c.advance(50_000);
    expect(c.ready("a0")).toBe("True");
    expect(c.taintKeys("a0")).toEqual([]);

    const plan = c.at(T0 + 50_001);
    expect(plan.nodeStatusUpdates.map((u) => u.name)).toEqual(["a0"]);
    expect(plan.nodeStatusUpdates[0].resourceVersion).toBe("1");
    const ready = c.node("a0").status!.conditions!.find((x) => x.type === "Ready")!;
    expect(ready).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: rfc3339(T0 + 50_001) });
    // The first node of a zone is tainted at once: the bucket holds one token.
    expect(c.taintKeys("a0")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);
    expect(c.taint("a0", "node.kubernetes.io/unreachable", "NoExecute")!.timeAdded).toBe(rfc3339(T0 + 50_001));
    for (const other of ["a1", "a2", "a3"]) expect(c.taintKeys(other)).toEqual([]);
  });

  it("is not rewritten pass after pass once Unknown", () => {
    const c = zoneOf(3);
    c.stop("a0");
    c.advance(55_000);
    expect(c.ready("a0")).toBe("Unknown");
    const plan = c.advance(30_000);
    expect(c.plans.slice(-6).flatMap((p) => p.nodeStatusUpdates)).toEqual([]);
    expect(plan.taintUpdates).toEqual([]);
  });

  it("taints the second and third silent node of a zone 10 s apart (0.1 per second, burst 1)", () => {
    const c = zoneOf(10);
    c.stop("a0", "a1", "a2");
    c.advance(50_000);
    c.at(T0 + 50_001);
    const tainted = () => ["a0", "a1", "a2"].filter((n) => c.taintKeys(n).includes(UNREACHABLE_NE));
    expect(["a0", "a1", "a2"].map((n) => c.ready(n))).toEqual(["Unknown", "Unknown", "Unknown"]);
    // NoSchedule at once for all three, NoExecute for the first only.
    for (const n of ["a0", "a1", "a2"]) expect(c.taintKeys(n)).toContain(UNREACHABLE_NS);
    expect(tainted()).toEqual(["a0"]);
    expect(c.plans.at(-1)!.nextWakeAt).toBe(T0 + 60_001);

    expect(c.at(T0 + 60_000).taintUpdates).toEqual([]);
    expect(tainted()).toEqual(["a0"]);
    c.at(T0 + 60_001);
    expect(tainted()).toEqual(["a0", "a1"]);
    expect(c.plans.at(-1)!.nextWakeAt).toBe(T0 + 70_001);
    c.at(T0 + 70_000);
    expect(tainted()).toEqual(["a0", "a1"]);
    c.at(T0 + 70_001);
    expect(tainted()).toEqual(["a0", "a1", "a2"]);
    expect(c.taint("a2", "node.kubernetes.io/unreachable", "NoExecute")!.timeAdded).toBe(rfc3339(T0 + 70_001));
  });

  it("uses the startup grace period, from the node's creation, for a node that never posted status", () => {
    const c = new SimCluster();
    c.addNode("ok", { zone: "a" });
    c.addNode("mute", { zone: "a", conditions: [] }, false);
    c.pass();
    expect(c.plans[0].nextWakeAt).toBe(T0 + 50_001);
    c.advance(60_000);
    expect(c.node("mute").status!.conditions).toEqual([]);
    c.at(T0 + 60_001);
    const conds = c.node("mute").status!.conditions!;
    expect(conds.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Ready", "Unknown", "NodeStatusNeverUpdated"],
      ["MemoryPressure", "Unknown", "NodeStatusNeverUpdated"],
      ["DiskPressure", "Unknown", "NodeStatusNeverUpdated"],
      ["PIDPressure", "Unknown", "NodeStatusNeverUpdated"],
    ]);
    expect(conds[0]).toMatchObject({ message: "Kubelet never posted node status.", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: rfc3339(T0 + 60_001) });
    expect(c.taintKeys("mute")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);
  });
});

describe("recovery", () => {
  it("keeps the taints while only the lease is renewed, and drops them once Ready is True again", () => {
    const c = zoneOf(3);
    c.stop("a0");
    c.advance(55_000);
    expect(c.taintKeys("a0")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);

    c.start("a0");
    c.advance(20_000);
    expect(c.ready("a0")).toBe("Unknown");
    expect(c.taintKeys("a0")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);

    c.postReady("a0", "True");
    const plan = c.advance(5_000);
    expect(plan.taintUpdates.map((u) => [u.name, u.taints])).toEqual([["a0", []]]);
    expect(plan.nodeStatusUpdates).toEqual([]);
    expect(c.taintKeys("a0")).toEqual([]);
  });

  it("swaps not-ready and unreachable at once, even with the zone's token spent", () => {
    const c = zoneOf(10);
    c.postReady("a0", "False");
    c.pass();
    expect(c.taintKeys("a0")).toEqual([NOT_READY_NS, NOT_READY_NE]);
    // a1 takes the next token, so a swap on a0 cannot wait for one.
    c.stop("a0", "a1");
    c.advance(55_000);
    expect(c.ready("a0")).toBe("Unknown");
    expect(c.taintKeys("a0")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);
    expect(c.taintKeys("a1")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);

    const before = c.now;
    c.start("a0");
    c.postReady("a0", "False");
    c.pass();
    expect(c.taintKeys("a0")).toEqual([NOT_READY_NS, NOT_READY_NE]);
    expect(c.taint("a0", "node.kubernetes.io/not-ready", "NoExecute")!.timeAdded).toBe(rfc3339(before));
  });
});

describe("zone disruption", () => {
  it("withholds NoExecute from a zone whose nodes are all down, removes the ones it set, and resumes after", () => {
    const c = zoneOf(3);
    c.stop("a0");
    c.advance(55_000);
    expect(c.taintKeys("a0")).toContain(UNREACHABLE_NE);

    c.stop("a1", "a2");
    const plan = c.advance(55_000);
    expect(["a0", "a1", "a2"].map((n) => c.ready(n))).toEqual(["Unknown", "Unknown", "Unknown"]);
    expect(plan.allZonesDisrupted).toBe(true);
    expect(plan.zoneStates).toEqual({ "r:\x00:a": "FullDisruption" });
    for (const n of ["a0", "a1", "a2"]) expect(c.taintKeys(n)).toEqual([UNREACHABLE_NS]);
    c.advance(60_000);
    for (const n of ["a0", "a1", "a2"]) expect(c.taintKeys(n)).toEqual([UNREACHABLE_NS]);

    // One node back: the mode ends; the stopped limiter comes back drained, so the first
    // tainting waits one interval.
    c.start("a2");
    c.postReady("a2", "True");
    const back = c.pass();
    expect(back.allZonesDisrupted).toBe(false);
    // Leaving the mode restarts every node's grace period.
    expect(["a0", "a1"].map((n) => back.state.nodes[n].probeTimestamp)).toEqual([c.now, c.now]);
    expect(c.taintKeys("a2")).toEqual([]);
    expect(c.taintKeys("a0")).toEqual([UNREACHABLE_NS]);
    expect(back.nextWakeAt).toBe(c.now + 10_000);
    c.advance(10_000);
    expect([c.taintKeys("a0"), c.taintKeys("a1")]).toEqual([[UNREACHABLE_NS, UNREACHABLE_NE], [UNREACHABLE_NS]]);
    c.advance(10_000);
    expect(c.taintKeys("a1")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);
  });

  it("stops tainting in a small zone that is more than 55% down (more than 2 nodes)", () => {
    const c = zoneOf(5);
    c.stop("a0", "a1", "a2");
    const plan = c.advance(60_000);
    expect(plan.zoneStates["r:\x00:a"]).toBe("PartialDisruption");
    expect(["a0", "a1", "a2"].map((n) => c.taintKeys(n))).toEqual([[UNREACHABLE_NS], [UNREACHABLE_NS], [UNREACHABLE_NS]]);
    // No token to wait for: only the healthy nodes' grace expiry.
    expect(plan.nextWakeAt).toBe(c.now + 50_001);
  });

  it("keeps tainting, at the healthy rate, a zone fully down while another zone is up (upstream)", () => {
    const c = zoneOf(2, "a");
    zoneOf(2, "b", c);
    c.stop("a0", "a1");
    const plan = c.advance(55_000);
    expect(plan.zoneStates).toEqual({ "r:\x00:a": "FullDisruption", "r:\x00:b": "Normal" });
    expect(plan.allZonesDisrupted).toBe(false);
    expect([c.taintKeys("a0"), c.taintKeys("a1")]).toEqual([[UNREACHABLE_NS, UNREACHABLE_NE], [UNREACHABLE_NS]]);
    c.advance(10_000);
    expect(c.taintKeys("a1")).toEqual([UNREACHABLE_NS, UNREACHABLE_NE]);
  });
});

describe("taint eviction", () => {
  it("evicts untolerating pods at once, tolerating ones when their seconds are up, never the forever ones or terminating ones", () => {
    const c = zoneOf(3);
    c.pods = [
      { namespace: "ns", name: "plain", uid: "u1", nodeName: "a0" },
      { namespace: "ns", name: "two", uid: "u2", nodeName: "a0", tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 }] },
      { namespace: "ns", name: "forever", uid: "u3", nodeName: "a0", tolerations: [{ operator: "Exists" }] },
      { namespace: "ns", name: "leaving", uid: "u4", nodeName: "a0", deletionTimestamp: rfc3339(T0) },
      { namespace: "ns", name: "elsewhere", uid: "u5", nodeName: "a1" },
    ];
    c.stop("a0");
    c.advance(50_000);
    const tainted = c.at(T0 + 51_000);
    expect(c.taint("a0", "node.kubernetes.io/unreachable", "NoExecute")!.timeAdded).toBe(rfc3339(T0 + 51_000));
    expect(tainted.evictions).toEqual([
      {
        namespace: "ns",
        name: "plain",
        uid: "u1",
        nodeName: "a0",
        reason: "TaintManagerEviction",
        message: "Marking for deletion Pod ns/plain",
        condition: { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" },
      },
    ]);
    expect(tainted.nextWakeAt).toBe(T0 + 53_000);
    expect(c.at(T0 + 52_999).evictions).toEqual([]);
    expect(c.at(T0 + 53_000).evictions.map((e) => e.name)).toEqual(["two"]);
    expect(c.advance(600_000).evictions).toEqual([]);
    expect(c.plans.flatMap((p) => p.evictions).map((e) => e.name)).toEqual(["plain", "two"]);
  });

  it("evicts nothing while every zone is disrupted", () => {
    const c = zoneOf(2);
    c.pods = [{ namespace: "ns", name: "p", uid: "u1", nodeName: "a0" }];
    c.stop("a0", "a1");
    c.advance(120_000);
    expect(c.plans.flatMap((p) => p.evictions)).toEqual([]);
  });

  it("keeps evicting a due pod that is still there (a delete that failed)", () => {
    const c = zoneOf(3);
    const pod = { namespace: "ns", name: "two", uid: "u2", nodeName: "a0", tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 }] };
    c.stop("a0");
    c.advance(55_000);
    c.pods = [pod];
    c.advance(1_000, 1_000);
    expect(c.at(c.now + 2_000).evictions.map((e) => e.name)).toEqual(["two"]);
    c.pods = [pod];
    expect(c.at(c.now + 5_000).evictions.map((e) => e.name)).toEqual(["two"]);
  });
});

describe("planNodeLifecycle", () => {
  it("removes the controller's NoExecute taints from a node it has no memory of and queues it again (upstream's restart)", () => {
    const old = rfc3339(T0 - 600_000);
    const node = makeNode("n", { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: old }, { key: "user", effect: "NoExecute", value: "x" }] });
    node.status!.conditions!.find((x) => x.type === "Ready")!.status = "Unknown";
    const other = makeNode("m");
    const plan = planNodeLifecycle({ now: T0, nodes: [node, other], leases: [makeLease("m", T0)], pods: [] });
    expect(plan.taintUpdates).toEqual([
      {
        name: "n",
        resourceVersion: "1",
        taints: [
          { key: "user", effect: "NoExecute", value: "x" },
          { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: rfc3339(T0) },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: rfc3339(T0) },
        ],
        add: [
          { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: rfc3339(T0) },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: rfc3339(T0) },
        ],
        remove: [],
      },
    ]);
  });

  it("is deterministic and independent of the order of its inputs", () => {
    const c = zoneOf(10);
    c.stop("a3", "a5", "a7");
    c.advance(50_000);
    const nodes = [...c.nodes.values()];
    const input = { now: T0 + 51_000, nodes, leases: [...c.leases.values()], pods: [], state: c.state };
    const a = planNodeLifecycle(input);
    const b = planNodeLifecycle({ ...input, nodes: [...nodes].reverse(), leases: [...c.leases.values()].reverse() });
    expect(b).toEqual(a);
    expect(a.taintUpdates.filter((u) => u.taints.some((t) => t.effect === "NoExecute")).map((u) => u.name)).toEqual(["a3"]);
  });

  it("reports the earliest grace expiry as the next wake-up", () => {
    const c = new SimCluster();
    c.addNode("n");
    const plan = c.pass();
    expect(plan.nextWakeAt).toBe(T0 + 50_001);
  });

  it("takes the grace period options", () => {
    const c = zoneOf(3, "a", new SimCluster({ nodeMonitorGracePeriodMs: 20_000 }));
    c.stop("a0");
    c.advance(20_000);
    expect(c.ready("a0")).toBe("True");
    c.advance(5_000);
    expect(c.ready("a0")).toBe("Unknown");
  });
});
