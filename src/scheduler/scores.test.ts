// Each score plugin on its own, with the normalisation upstream applies, and the weighted sum.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../apis/types.js";
import { SchedulerCache } from "./cache.js";
import { podFacts } from "./facts.js";
import { type ScorePlugin, defaultNormalizeScore } from "./framework.js";
import { balancedAllocation, balancedResourceScore } from "./scores/balanced-allocation.js";
import { leastAllocated, leastRequestedScore } from "./scores/least-allocated.js";
import { nodeAffinityScore } from "./scores/node-affinity.js";
import { podTopologySpreadScore } from "./scores/pod-topology-spread.js";
import { taintTolerationScore } from "./scores/taint-toleration.js";
import { prioritizeNodes } from "./schedule.js";
import { makeNode, makePod } from "./testing.js";

function cache(nodes: KubeObject[], pods: KubeObject[] = []): SchedulerCache {
  const c = new SchedulerCache();
  nodes.forEach((n) => c.upsertNode(n));
  pods.forEach((p) => c.upsertPod(p));
  return c;
}

/** PreScore, Score and NormalizeScore of one plugin over every node of the cache (all feasible). */
function scoreAll(plugin: ScorePlugin, pod: KubeObject, c: SchedulerCache): Record<string, number> | "skip" {
  const facts = podFacts(pod);
  const nodes = c.nodeInfos();
  let state: unknown;
  if (plugin.preScore) {
    const r = plugin.preScore(facts, nodes, nodes);
    if ("skip" in r) return "skip";
    state = r.state;
  }
  const scores = nodes.map((ni) => plugin.score(facts, ni, state));
  plugin.normalize?.(scores, nodes, state);
  return Object.fromEntries(nodes.map((ni, i) => [ni.name, scores[i]]));
}

describe("defaultNormalizeScore", () => {
  it.each([
    [[0, 0, 0], false, [0, 0, 0]],
    [[0, 0, 0], true, [100, 100, 100]],
    [[8, 3, 0], false, [100, 37, 0]],
    [[2, 1, 0], true, [0, 50, 100]],
  ])("%j reverse=%s", (input, reverse, want) => {
    const s = [...input];
    defaultNormalizeScore(s, reverse);
    expect(s).toEqual(want);
  });
});

describe("NodeResourcesFit LeastAllocated", () => {
  it.each([
    [0, 4000, 100],
    [100, 4000, 97],
    [2000, 4000, 50],
    [4000, 4000, 0],
    [5000, 4000, 0],
    [1, 0, 0],
  ])("leastRequestedScore(%d, %d) = %d", (req, cap, want) => {
    expect(leastRequestedScore(req, cap)).toBe(want);
  });

  const c = cache([makeNode("n1", { cpu: "4", memory: "8Gi" }), makeNode("empty", { cpu: "4", memory: "8Gi" })], [makePod("a", { nodeName: "n1", cpu: "1", memory: "2Gi" })]);
  it.each([
    ["requests counted as given", { cpu: "1", memory: "2Gi" }, { n1: 50, empty: 75 }],
    // 100m / 200Mi defaults: cpu 2900/4000 -> 72, memory (8192-2248)/8192 -> 72; empty: 97, 97.
    ["a best-effort pod counts 100m / 200Mi", {}, { n1: 72, empty: 97 }],
  ])("%s", (_n, opts, want) => {
    expect(scoreAll(leastAllocated, makePod("p", opts), c)).toEqual(want);
  });
});

describe("NodeResourcesBalancedAllocation", () => {
  it("scores 100 * (1 - std) of the cpu and memory fractions", () => {
    expect(balancedResourceScore([[2000, 4000], [3072, 8192]])).toBe(93);
    expect(balancedResourceScore([[4000, 4000], [0, 8192]])).toBe(50);
    expect(balancedResourceScore([[8000, 4000], [4096, 8192]])).toBe(75);
    expect(balancedResourceScore([[1, 0], [4096, 8192]])).toBe(100);
  });

  it("uses actual requests and skips best-effort pods", () => {
    const c = cache([makeNode("n1", { cpu: "4", memory: "8Gi" })], [makePod("a", { nodeName: "n1", cpu: "1", memory: "2Gi" })]);
    expect(scoreAll(balancedAllocation, makePod("p", { cpu: "1", memory: "1Gi" }), c)).toEqual({ n1: 93 });
    expect(scoreAll(balancedAllocation, makePod("p"), c)).toBe("skip");
  });
});

describe("NodeAffinity score", () => {
  const c = cache([makeNode("n1", { labels: { zone: "a", disk: "ssd" } }), makeNode("n2", { labels: { disk: "ssd" } }), makeNode("n3")]);
  it("normalizes the matched weights so the best node gets 100", () => {
    const affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 5, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          { weight: 3, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
        ],
      },
    };
    expect(scoreAll(nodeAffinityScore, makePod("p", { affinity }), c)).toEqual({ n1: 100, n2: 37, n3: 0 });
    expect(scoreAll(nodeAffinityScore, makePod("p"), c)).toBe("skip");
  });
});

describe("TaintToleration score", () => {
  const c = cache([
    makeNode("clean"),
    makeNode("one", { taints: [{ key: "spot", effect: "PreferNoSchedule" }] }),
    makeNode("two", { taints: [{ key: "spot", effect: "PreferNoSchedule" }, { key: "old", value: "yes", effect: "PreferNoSchedule" }, { key: "hard", effect: "NoSchedule" }] }),
  ]);
  it("prefers fewer intolerable PreferNoSchedule taints", () => {
    expect(scoreAll(taintTolerationScore, makePod("p"), c)).toEqual({ clean: 100, one: 50, two: 0 });
  });
  it("counts only tolerations with effect PreferNoSchedule or empty", () => {
    expect(scoreAll(taintTolerationScore, makePod("p", { tolerations: [{ key: "spot", operator: "Exists" }] }), c)).toEqual({ clean: 100, one: 100, two: 0 });
    expect(scoreAll(taintTolerationScore, makePod("p", { tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule" }] }), c)).toEqual({ clean: 100, one: 50, two: 0 });
  });
});

describe("PodTopologySpread score", () => {
  it("spreads pods of the same controller by hostname with the system defaults", () => {
    const c = cache(
      [makeNode("n1"), makeNode("n2"), makeNode("n3")],
      [
        makePod("a", { nodeName: "n1", owner: "rs" }),
        makePod("b", { nodeName: "n1", owner: "rs" }),
        makePod("c", { nodeName: "n2", owner: "rs" }),
        makePod("d", { nodeName: "n3", owner: "other" }),
      ],
    );
    // Hostname weight log(5): n1 2*1.61+2 -> 5, n2 1.61+2 -> 4, n3 2; inverted onto 0..100.
    expect(scoreAll(podTopologySpreadScore, makePod("p", { owner: "rs" }), c)).toEqual({ n1: 40, n2: 60, n3: 100 });
    expect(scoreAll(podTopologySpreadScore, makePod("p"), c)).toBe("skip");
  });

  it("adds zone spreading for zoned nodes", () => {
    const c = cache(
      [makeNode("a1", { labels: { "topology.kubernetes.io/zone": "a" } }), makeNode("a2", { labels: { "topology.kubernetes.io/zone": "a" } }), makeNode("b1", { labels: { "topology.kubernetes.io/zone": "b" } })],
      [makePod("x", { nodeName: "a1", owner: "rs" })],
    );
    // hostname log(5)=1.609, zone log(4)=1.386 (maxSkew 5 adds 4):
    // a1: 1.609+2 + 1.386+4 = 8.99 -> 9; a2: 2 + 5.386 -> 7; b1: 2 + 4 = 6.
    expect(scoreAll(podTopologySpreadScore, makePod("p", { owner: "rs" }), c)).toEqual({ a1: 66, a2: 88, b1: 100 });
  });

  it("uses the pod's own ScheduleAnyway constraints, scoring nodes without the key 0", () => {
    const c = cache(
      [makeNode("a1", { labels: { zone: "a" } }), makeNode("b1", { labels: { zone: "b" } }), makeNode("x")],
      [makePod("w1", { nodeName: "a1", labels: { app: "web" } }), makePod("w2", { nodeName: "a1", labels: { app: "web" } })],
    );
    const pod = makePod("p", { labels: { app: "web" }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }] });
    // zone weight log(2+2)=1.386: a1 2*1.386 -> 3, b1 0; max 3 min 0.
    expect(scoreAll(podTopologySpreadScore, pod, c)).toEqual({ a1: 0, b1: 100, x: 0 });
  });
});

describe("prioritizeNodes", () => {
  it("weights and sums the plugins", () => {
    const c = cache([makeNode("n1", { cpu: "4", memory: "8Gi", taints: [{ key: "spot", effect: "PreferNoSchedule" }] }), makeNode("n2", { cpu: "4", memory: "8Gi" })]);
    const pod = podFacts(makePod("p", { cpu: "2", memory: "4Gi" }));
    // TaintToleration 3*(0 | 100), LeastAllocated 50, Balanced 100; no spreading (no owner), no node affinity.
    expect(prioritizeNodes(pod, c.nodeInfos(), c.nodeInfos())).toEqual([150, 450]);
  });
});
