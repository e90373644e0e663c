// Each filter plugin on its own, table-driven: PreFilter over the cache, then Filter on one node.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../apis/types.js";
import { SchedulerCache } from "./cache.js";
import { podFacts } from "./facts.js";
import { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY, interPodAffinity } from "./filters/inter-pod-affinity.js";
import { ERR_REASON_CONFLICT, ERR_REASON_POD, nodeAffinity } from "./filters/node-affinity.js";
import { ERR_REASON_PORTS, nodePorts } from "./filters/node-ports.js";
import { nodeResourcesFit } from "./filters/node-resources-fit.js";
import { ERR_REASON_UNSCHEDULABLE, nodeUnschedulable } from "./filters/node-unschedulable.js";
import { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, podTopologySpread } from "./filters/pod-topology-spread.js";
import { taintToleration } from "./filters/taint-toleration.js";
import type { FilterPlugin, FilterResult } from "./framework.js";
import { makeNode, makePod } from "./testing.js";

/** Runs one plugin's PreFilter over the whole cache, then its Filter on one node. */
function run(plugin: FilterPlugin, pod: KubeObject, cache: SchedulerCache, nodeName: string): FilterResult | "skip" {
  const facts = podFacts(pod);
  let state: unknown;
  if (plugin.preFilter) {
    const r = plugin.preFilter(facts, cache.nodeInfos());
    if ("skip" in r) return "skip";
    if ("rejected" in r) return [r.rejected];
    state = r.state;
  }
  return plugin.filter(facts, cache.nodeInfo(nodeName)!, state);
}

function cache(nodes: KubeObject[], pods: KubeObject[] = []): SchedulerCache {
  const c = new SchedulerCache();
  nodes.forEach((n) => c.upsertNode(n));
  pods.forEach((p) => c.upsertPod(p));
  return c;
}

describe("NodeUnschedulable", () => {
  const c = cache([makeNode("cordoned", { unschedulable: true }), makeNode("open")]);
  it.each([
    ["a schedulable node", "open", [], undefined],
    ["a cordoned node", "cordoned", [], [ERR_REASON_UNSCHEDULABLE]],
    ["a cordoned node, pod tolerates the unschedulable taint", "cordoned", [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }], undefined],
    ["a cordoned node, toleration of another effect", "cordoned", [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoExecute" }], [ERR_REASON_UNSCHEDULABLE]],
  ])("%s", (_n, node, tolerations, want) => {
    expect(run(nodeUnschedulable, makePod("p", { tolerations }), c, node)).toEqual(want);
  });
});

describe("TaintToleration filter", () => {
  const c = cache([
    makeNode("gpu", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
    makeNode("soft", { taints: [{ key: "dedicated", value: "gpu", effect: "PreferNoSchedule" }] }),
    makeNode("evict", { taints: [{ key: "maint", effect: "NoExecute" }, { key: "b", value: "x", effect: "NoSchedule" }] }),
    makeNode("down", { ready: "Unknown" }),
    makeNode("sick", { ready: "False" }),
  ]);
  it.each([
    ["untolerated NoSchedule", "gpu", [], ["node(s) had untolerated taint {dedicated: gpu}"]],
    ["tolerated with Equal", "gpu", [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], undefined],
    ["Equal with another value", "gpu", [{ key: "dedicated", operator: "Equal", value: "cpu" }], ["node(s) had untolerated taint {dedicated: gpu}"]],
    ["tolerated with Exists and no effect", "gpu", [{ key: "dedicated", operator: "Exists" }], undefined],
    ["PreferNoSchedule never filters", "soft", [], undefined],
    ["the first untolerated taint is reported", "evict", [], ["node(s) had untolerated taint {maint: }"]],
    ["NoExecute tolerated, next NoSchedule reported", "evict", [{ key: "maint", operator: "Exists" }], ["node(s) had untolerated taint {b: x}"]],
    ["an empty key with Exists tolerates everything", "evict", [{ operator: "Exists" }], undefined],
    ["a node with Ready Unknown is unreachable", "down", [], ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"]],
    ["a node with Ready False is not-ready", "sick", [], ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"]],
    ["tolerating not-ready", "sick", [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" }], undefined],
  ])("%s", (_n, node, tolerations, want) => {
    expect(run(taintToleration, makePod("p", { tolerations }), c, node)).toEqual(want);
  });
});

describe("NodeAffinity filter", () => {
  const c = cache([makeNode("n1", { labels: { disk: "ssd", gen: "5" } }), makeNode("n2", { labels: { disk: "hdd", gen: "3" } })]);
  const required = (terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
  it.each([
    ["no selector: skipped", "n2", {}, "skip"],
    ["nodeSelector matches", "n1", { nodeSelector: { disk: "ssd" } }, undefined],
    ["nodeSelector misses", "n2", { nodeSelector: { disk: "ssd" } }, [ERR_REASON_POD]],
    ["Gt on a numeric label", "n1", { affinity: required([{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }]) }, undefined],
    ["Gt fails", "n2", { affinity: required([{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }]) }, [ERR_REASON_POD]],
    ["terms ORed", "n2", { affinity: required([{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }, { matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] }]) }, undefined],
    ["nodeSelector ANDed with affinity", "n2", { nodeSelector: { disk: "ssd" }, affinity: required([{ matchExpressions: [{ key: "disk", operator: "Exists" }] }]) }, [ERR_REASON_POD]],
    ["matchFields metadata.name", "n2", { affinity: required([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }]) }, undefined],
    ["matchFields other name", "n1", { affinity: required([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }]) }, [ERR_REASON_POD]],
    [
      "name pins that conflict reject at PreFilter",
      "n1",
      { affinity: required([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }, { key: "metadata.name", operator: "In", values: ["n2"] }] }]) },
      [ERR_REASON_CONFLICT],
    ],
  ])("%s", (_n, node, opts, want) => {
    expect(run(nodeAffinity, makePod("p", opts), c, node)).toEqual(want);
  });

  it("narrows PreFilter to the pinned node names", () => {
    const pod = podFacts(makePod("p", { affinity: required([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2", "n9"] }] }]) }));
    const r = nodeAffinity.preFilter!(pod, c.nodeInfos());
    expect("state" in r && [...(r.nodeNames ?? [])]).toEqual(["n2", "n9"]);
    const unpinned = podFacts(makePod("q", { affinity: required([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] }]) }));
    const r2 = nodeAffinity.preFilter!(unpinned, c.nodeInfos());
    expect("state" in r2 && r2.nodeNames).toBeUndefined();
  });
});

describe("NodePorts", () => {
  const c = cache([makeNode("n1"), makeNode("n2")], [
    makePod("web", { nodeName: "n1", hostPorts: [{ hostPort: 80 }] }),
    makePod("dns", { nodeName: "n2", hostPorts: [{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.2" }] }),
  ]);
  it.each([
    ["no host ports: skipped", "n1", undefined, "skip"],
    ["same port and protocol on 0.0.0.0", "n1", [{ hostPort: 80 }], [ERR_REASON_PORTS]],
    ["a specific IP conflicts with 0.0.0.0", "n1", [{ hostPort: 80, hostIP: "10.0.0.1" }], [ERR_REASON_PORTS]],
    ["another protocol is free", "n1", [{ hostPort: 80, protocol: "UDP" }], undefined],
    ["another port is free", "n1", [{ hostPort: 81 }], undefined],
    ["0.0.0.0 conflicts with any IP", "n2", [{ hostPort: 53, protocol: "UDP" }], [ERR_REASON_PORTS]],
    ["another IP is free", "n2", [{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.3" }], undefined],
    ["the same IP conflicts", "n2", [{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.2" }], [ERR_REASON_PORTS]],
  ])("%s", (_n, node, hostPorts, want) => {
    expect(run(nodePorts, makePod("p", { hostPorts }), c, node)).toEqual(want);
  });
});

describe("NodeResourcesFit filter", () => {
  const c = cache(
    [makeNode("n1", { cpu: "2", memory: "4Gi", pods: "3", ephemeralStorage: "10Gi", allocatable: { "example.com/dongle": "1" } })],
    [makePod("a", { nodeName: "n1", cpu: "1500m", memory: "3Gi" }), makePod("b", { nodeName: "n1" })],
  );
  it.each([
    ["fits", { cpu: "500m", memory: "1Gi" }, undefined],
    ["cpu over", { cpu: "501m" }, ["Insufficient cpu"]],
    ["memory over", { memory: "1025Mi" }, ["Insufficient memory"]],
    ["every insufficient resource at once", { cpu: "1", memory: "2Gi", ephemeralStorage: "11Gi" }, ["Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage"]],
    ["extended resources", { requests: { "example.com/dongle": "2" } }, ["Insufficient example.com/dongle"]],
    ["a best-effort pod always fits resources", {}, undefined],
  ])("%s", (_n, opts, want) => {
    expect(run(nodeResourcesFit, makePod("p", opts), c, "n1")).toEqual(want);
  });

  it("counts pods against allocatable pods", () => {
    const full = cache([makeNode("n1", { pods: "2" })], [makePod("a", { nodeName: "n1" }), makePod("b", { nodeName: "n1" })]);
    expect(run(nodeResourcesFit, makePod("p"), full, "n1")).toEqual(["Too many pods"]);
    expect(run(nodeResourcesFit, makePod("p", { cpu: "5" }), full, "n1")).toEqual(["Too many pods", "Insufficient cpu"]);
  });
});

describe("InterPodAffinity filter", () => {
  const zones = { n1: "a", n2: "a", n3: "b" } as const;
  const nodes = Object.entries(zones).map(([n, z]) => makeNode(n, { labels: { zone: z } }));
  const anti = (app: string, topologyKey = "kubernetes.io/hostname") => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey }] } });
  const aff = (app: string, topologyKey = "zone") => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey }] } });

  it("skips when nothing in the cluster has required (anti-)affinity", () => {
    expect(run(interPodAffinity, makePod("p"), cache(nodes, [makePod("x", { nodeName: "n1", labels: { app: "db" } })]), "n1")).toBe("skip");
  });

  it("rejects nodes whose hostname already runs a pod the incoming anti-affinity selects", () => {
    const c = cache(nodes, [makePod("db-0", { nodeName: "n1", labels: { app: "db" } })]);
    const pod = makePod("db-1", { labels: { app: "db" }, affinity: anti("db") });
    expect(run(interPodAffinity, pod, c, "n1")).toEqual([ERR_REASON_ANTI_AFFINITY]);
    expect(run(interPodAffinity, pod, c, "n2")).toBeUndefined();
  });

  it("works with any node label as the topology key", () => {
    const c = cache(nodes, [makePod("db-0", { nodeName: "n1", labels: { app: "db" } })]);
    const pod = makePod("db-1", { labels: { app: "db" }, affinity: anti("db", "zone") });
    expect(run(interPodAffinity, pod, c, "n2")).toEqual([ERR_REASON_ANTI_AFFINITY]);
    expect(run(interPodAffinity, pod, c, "n3")).toBeUndefined();
  });

  it("honours existing pods' anti-affinity against the incoming pod", () => {
    const c = cache(nodes, [makePod("loner", { nodeName: "n1", labels: { app: "loner" }, affinity: anti("web") })]);
    expect(run(interPodAffinity, makePod("web", { labels: { app: "web" } }), c, "n1")).toEqual([ERR_REASON_EXISTING_ANTI_AFFINITY]);
    expect(run(interPodAffinity, makePod("web", { labels: { app: "web" } }), c, "n2")).toBeUndefined();
    expect(run(interPodAffinity, makePod("api", { labels: { app: "api" } }), c, "n1")).toBeUndefined();
  });

  it("only matches pods in the term's namespaces", () => {
    const c = cache(nodes, [makePod("db-0", { namespace: "other", nodeName: "n1", labels: { app: "db" } })]);
    expect(run(interPodAffinity, makePod("db-1", { labels: { app: "db" }, affinity: anti("db") }), c, "n1")).toBeUndefined();
  });

  it("requires a matching pod in the topology domain for required affinity", () => {
    const c = cache(nodes, [makePod("cache", { nodeName: "n1", labels: { app: "cache" } })]);
    const pod = makePod("web", { affinity: aff("cache") });
    expect(run(interPodAffinity, pod, c, "n2")).toBeUndefined();
    expect(run(interPodAffinity, pod, c, "n3")).toEqual([ERR_REASON_AFFINITY]);
  });

  it("lets the first pod of a self-affine group through", () => {
    const c = cache(nodes);
    expect(run(interPodAffinity, makePod("web", { labels: { app: "web" }, affinity: aff("web") }), c, "n3")).toBeUndefined();
    expect(run(interPodAffinity, makePod("web", { labels: { app: "other" }, affinity: aff("web") }), c, "n3")).toEqual([ERR_REASON_AFFINITY]);
  });
});

describe("PodTopologySpread filter", () => {
  const nodes = [makeNode("a1", { labels: { zone: "a" } }), makeNode("a2", { labels: { zone: "a" } }), makeNode("b1", { labels: { zone: "b" } }), makeNode("x")];
  const spread = (maxSkew: number, extra: Record<string, unknown> = {}) => [{ maxSkew, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, ...extra }];
  const existing = [makePod("w1", { nodeName: "a1", labels: { app: "web" } }), makePod("w2", { nodeName: "a2", labels: { app: "web" } }), makePod("other", { nodeName: "b1", labels: { app: "db" } })];
  const c = cache(nodes, existing);

  it.each([
    ["zone a has 2, b has 0: a would skew 3", "a1", 1, [ERR_REASON_CONSTRAINTS_NOT_MATCH]],
    ["zone b is the minimum", "b1", 1, undefined],
    ["maxSkew 3 allows zone a", "a1", 3, undefined],
    ["a node without the topology key", "x", 1, [ERR_REASON_NODE_LABEL_NOT_MATCH]],
  ])("%s", (_n, node, maxSkew, want) => {
    expect(run(podTopologySpread, makePod("w3", { labels: { app: "web" }, topologySpreadConstraints: spread(maxSkew) }), c, node)).toEqual(want);
  });

  it("does not count itself when its labels do not match the selector", () => {
    const pod = makePod("p", { labels: { app: "api" }, topologySpreadConstraints: spread(2) });
    expect(run(podTopologySpread, pod, c, "a1")).toBeUndefined();
  });

  it("treats the minimum as 0 with fewer domains than minDomains", () => {
    const pod = makePod("w3", { labels: { app: "web" }, topologySpreadConstraints: spread(2, { minDomains: 3 }) });
    expect(run(podTopologySpread, pod, c, "b1")).toBeUndefined();
    expect(run(podTopologySpread, pod, c, "a1")).toEqual([ERR_REASON_CONSTRAINTS_NOT_MATCH]);
  });

  it("ignores terminating pods and ScheduleAnyway constraints", () => {
    const c2 = cache(nodes, [makePod("w1", { nodeName: "a1", labels: { app: "web" }, deleting: true })]);
    expect(run(podTopologySpread, makePod("w3", { labels: { app: "web" }, topologySpreadConstraints: spread(0) }), c2, "a1")).toEqual([ERR_REASON_CONSTRAINTS_NOT_MATCH]);
    expect(run(podTopologySpread, makePod("w3", { labels: { app: "web" }, topologySpreadConstraints: spread(1) }), c2, "a1")).toBeUndefined();
    expect(run(podTopologySpread, makePod("w3", { labels: { app: "web" }, topologySpreadConstraints: spread(1, { whenUnsatisfiable: "ScheduleAnyway" }) }), c, "a1")).toBe("skip");
  });

  it("leaves out domains of nodes the pod's node affinity excludes (nodeAffinityPolicy Honor)", () => {
    // Only zone a is eligible: its minimum is its own count, so a1 passes with maxSkew 1.
    const pod = makePod("w3", { labels: { app: "web" }, nodeSelector: { zone: "a" }, topologySpreadConstraints: spread(1) });
    expect(run(podTopologySpread, pod, c, "a1")).toBeUndefined();
    const ignore = makePod("w3", { labels: { app: "web" }, nodeSelector: { zone: "a" }, topologySpreadConstraints: spread(1, { nodeAffinityPolicy: "Ignore" }) });
    expect(run(podTopologySpread, ignore, c, "a1")).toEqual([ERR_REASON_CONSTRAINTS_NOT_MATCH]);
  });
});
