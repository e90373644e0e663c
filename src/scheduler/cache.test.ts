// SchedulerCache accounting: bound, assumed, forgotten, terminal and moving pods, pods before their node.
import { describe, expect, it } from "vitest";
import { SchedulerCache } from "./cache.js";
import { podFacts } from "./facts.js";
import { makeNode, makePod } from "./testing.js";

const Mi = 1024 * 1024;

function cacheWith(...nodes: string[]): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.upsertNode(makeNode(n));
  return c;
}

describe("SchedulerCache", () => {
  it("accounts a bound pod's requests, count, ports and owner on its node", () => {
    const c = cacheWith("n1");
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "500m", memory: "1Gi", hostPorts: [{ hostPort: 80 }], owner: "rs" }));
    const ni = c.nodeInfo("n1")!;
    expect(ni.pods.size).toBe(1);
    expect(ni.requested).toEqual({ milliCPU: 500, memory: 1024 * Mi, ephemeralStorage: 0 });
    expect(ni.nonZeroRequested).toEqual({ milliCPU: 500, memory: 1024 * Mi });
    expect(ni.usedPorts.conflicts({ hostIP: "0.0.0.0", protocol: "TCP", port: 80 })).toBe(true);
    expect(ni.ownerCount("rs")).toBe(1);
    expect(c.stats()).toEqual({ nodes: 1, pods: 1, assumed: 0 });
  });

  it("does not account a pod without nodeName", () => {
    const c = cacheWith("n1");
    c.upsertPod(makePod("a", { cpu: "1" }));
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(0);
    expect(c.pod("default/a")).toBeUndefined();
    expect(c.stats().pods).toBe(0);
  });

  it("replaces the accounting on update: a pod that turns Succeeded frees its resources", () => {
    const c = cacheWith("n1");
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1", hostPorts: [{ hostPort: 80 }] }));
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1", hostPorts: [{ hostPort: 80 }] }));
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1", hostPorts: [{ hostPort: 80 }], phase: "Succeeded" }));
    const ni = c.nodeInfo("n1")!;
    expect(ni.requested.milliCPU).toBe(0);
    expect(ni.pods.size).toBe(0);
    expect(ni.usedPorts.size).toBe(0);
    expect(c.stats().pods).toBe(0);
    c.upsertPod(makePod("b", { nodeName: "n1", cpu: "1", phase: "Failed" }));
    expect(c.nodeInfo("n1")!.pods.size).toBe(0);
  });

  it("moves a pod bound elsewhere", () => {
    const c = cacheWith("n1", "n2");
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "300m" }));
    c.upsertPod(makePod("a", { nodeName: "n2", cpu: "300m" }));
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(0);
    expect(c.nodeInfo("n2")!.requested.milliCPU).toBe(300);
    expect(c.podsOn("n2").map((p) => p.key)).toEqual(["default/a"]);
  });

  it("remembers pods bound to a node it has not seen and counts them once the node arrives", () => {
    const c = new SchedulerCache();
    c.upsertPod(makePod("early", { nodeName: "late", cpu: "2" }));
    expect(c.nodeInfo("late")).toBeUndefined();
    expect(c.nodeInfos()).toHaveLength(0);
    expect(c.podsOn("late")).toHaveLength(1);
    c.upsertNode(makeNode("late"));
    expect(c.nodeInfo("late")!.requested.milliCPU).toBe(2000);
    expect(c.nodeInfos().map((n) => n.name)).toEqual(["late"]);
  });

  it("keeps pods of a removed node and counts them again when it comes back", () => {
    const c = cacheWith("n1");
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1" }));
    c.removeNode("n1");
    expect(c.nodeInfos()).toHaveLength(0);
    expect(c.stats()).toEqual({ nodes: 0, pods: 1, assumed: 0 });
    c.upsertNode(makeNode("n1"));
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    c.removePod("default/a");
    c.removeNode("n1");
    expect(c.podsOn("n1")).toHaveLength(0);
  });

  it("assumes a pod before its binding and forgets it when binding fails", () => {
    const c = cacheWith("n1");
    const pod = podFacts(makePod("a", { cpu: "1" }));
    c.assume(pod, "n1");
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    expect(c.isAssumed("default/a")).toBe(true);
    expect(c.pod("default/a")!.nodeName).toBe("n1");
    expect(pod.nodeName).toBeUndefined();
    // A stale unbound version of the pod (the watch lagging the binding) keeps the assumption.
    c.upsertPod(makePod("a", { cpu: "1" }));
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    c.forget("default/a");
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(0);
    expect(c.stats()).toEqual({ nodes: 1, pods: 0, assumed: 0 });
  });

  it("confirms an assumed pod when the bound pod arrives, after which forget does nothing", () => {
    const c = cacheWith("n1", "n2");
    c.assume(podFacts(makePod("a", { cpu: "1" })), "n1");
    c.upsertPod(makePod("a", { cpu: "1", nodeName: "n1" }));
    expect(c.isAssumed("default/a")).toBe(false);
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    c.forget("default/a");
    expect(c.nodeInfo("n1")!.requested.milliCPU).toBe(1000);
    expect(c.stats()).toEqual({ nodes: 2, pods: 1, assumed: 0 });
  });

  it("does not count terminating pods for owner spreading but keeps their resources", () => {
    const c = cacheWith("n1");
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1", owner: "rs" }));
    c.upsertPod(makePod("a", { nodeName: "n1", cpu: "1", owner: "rs", deleting: true }));
    const ni = c.nodeInfo("n1")!;
    expect(ni.ownerCount("rs")).toBe(0);
    expect(ni.requested.milliCPU).toBe(1000);
  });

  it("lists nodes interleaved by zone, sorted within a zone", () => {
    const c = new SchedulerCache();
    for (const [n, z] of [["b1", "b"], ["a2", "a"], ["a1", "a"], ["b2", "b"], ["a3", "a"]]) c.upsertNode(makeNode(n, { labels: { "topology.kubernetes.io/zone": z } }));
    c.upsertNode(makeNode("nozone"));
    const order = c.nodeInfos().map((n) => n.name);
    expect(order).toEqual(["nozone", "a1", "b1", "a2", "b2", "a3"]);
    c.upsertNode(makeNode("a2", { labels: { "topology.kubernetes.io/zone": "b" } }));
    expect(c.nodeInfos().map((n) => n.name)).toEqual(["nozone", "a1", "a2", "a3", "b1", "b2"]);
  });
});
