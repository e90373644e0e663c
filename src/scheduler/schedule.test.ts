// Scenarios over the cache and schedulePod, each pod assumed after it is placed as the scheduler does.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../apis/types.js";
import { SchedulerCache } from "./cache.js";
import { podFacts } from "./facts.js";
import { type ScheduleResult, schedulePod } from "./schedule.js";
import { makeNode, makePod, seededRandom } from "./testing.js";

function cache(nodes: KubeObject[], pods: KubeObject[] = []): SchedulerCache {
  const c = new SchedulerCache();
  nodes.forEach((n) => c.upsertNode(n));
  pods.forEach((p) => c.upsertPod(p));
  return c;
}

const random = seededRandom(42);

/** Schedules and, on success, assumes the pod as the scheduler does before binding. */
function scheduleAndAssume(c: SchedulerCache, pod: KubeObject): ScheduleResult {
  const facts = podFacts(pod);
  const r = schedulePod(facts, c, { random });
  if (r.ok) c.assume(facts, r.nodeName);
  return r;
}

const placement = (c: SchedulerCache) => Object.fromEntries(c.nodeInfos().map((ni) => [ni.name, ni.pods.size]));

describe("schedulePod", () => {
  it("spreads 30 replicas of one ReplicaSet 10/10/10 over 3 identical nodes", () => {
    const c = cache([makeNode("n1"), makeNode("n2"), makeNode("n3")]);
    for (let i = 0; i < 30; i++) {
      const r = scheduleAndAssume(c, makePod(`web-${i}`, { cpu: "100m", owner: "rs-web", labels: { app: "web" } }));
      expect(r.ok).toBe(true);
    }
    expect(placement(c)).toEqual({ n1: 10, n2: 10, n3: 10 });
  });

  it("reports feasible and evaluated node counts", () => {
    const c = cache([makeNode("n1"), makeNode("n2", { cpu: "1" }), makeNode("n3")]);
    expect(schedulePod(podFacts(makePod("p", { cpu: "2" })), c, { random })).toMatchObject({ ok: true, feasibleNodes: 2, evaluatedNodes: 3 });
  });

  it("honours nodeSelector", () => {
    const c = cache([makeNode("n1"), makeNode("n2", { labels: { disk: "ssd" } }), makeNode("n3")]);
    for (let i = 0; i < 5; i++) expect(scheduleAndAssume(c, makePod(`p${i}`, { nodeSelector: { disk: "ssd" } }))).toMatchObject({ ok: true, nodeName: "n2" });
    const r = scheduleAndAssume(c, makePod("q", { nodeSelector: { disk: "nvme" } }));
    expect(r).toEqual({ ok: false, message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", reasons: { "node(s) didn't match Pod's node affinity/selector": 3 } });
  });

  it("explains a pod that fits nowhere with upstream's message, and tolerations let it through", () => {
    const c = cache(
      [makeNode("gpu", { cpu: "8", taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), makeNode("n2", { cpu: "2" }), makeNode("n3", { cpu: "2" })],
      [makePod("busy", { nodeName: "n2", cpu: "1" })],
    );
    const pod = makePod("big", { cpu: "3" });
    expect(scheduleAndAssume(c, pod)).toEqual({
      ok: false,
      message: "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.",
      reasons: { "node(s) had untolerated taint {dedicated: gpu}": 1, "Insufficient cpu": 2 },
    });
    const tolerant = makePod("big", { cpu: "3", tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] });
    expect(scheduleAndAssume(c, tolerant)).toMatchObject({ ok: true, nodeName: "gpu", feasibleNodes: 1 });
  });

  it("stops at a node's first failing filter, but reports every insufficient resource", () => {
    const c = cache([makeNode("tainted", { cpu: "1", taints: [{ key: "a", effect: "NoSchedule" }] }), makeNode("small", { cpu: "1", memory: "1Gi" })]);
    expect(scheduleAndAssume(c, makePod("p", { cpu: "2", memory: "2Gi" }))).toMatchObject({
      ok: false,
      message: "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had untolerated taint {a: }.",
    });
  });

  it("treats nodes that are not Ready as tainted", () => {
    const c = cache([makeNode("down", { ready: "Unknown" }), makeNode("sick", { ready: "False" }), makeNode("fresh", { ready: null })]);
    expect(scheduleAndAssume(c, makePod("p"))).toMatchObject({
      ok: false,
      message: "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.",
    });
  });

  it("skips cordoned nodes", () => {
    const c = cache([makeNode("n1", { unschedulable: true }), makeNode("n2")]);
    expect(scheduleAndAssume(c, makePod("p"))).toMatchObject({ ok: true, nodeName: "n2" });
    c.upsertNode(makeNode("n2", { unschedulable: true }));
    expect(scheduleAndAssume(c, makePod("q"))).toMatchObject({ ok: false, message: "0/2 nodes are available: 2 node(s) were unschedulable." });
  });

  it("says so when there are no nodes", () => {
    expect(schedulePod(podFacts(makePod("p")), new SchedulerCache())).toEqual({ ok: false, message: "no nodes available to schedule pods", reasons: {} });
  });

  it("spreads 3 replicas with required hostname anti-affinity and fails the 4th", () => {
    const c = cache([makeNode("n1"), makeNode("n2"), makeNode("n3")]);
    const replica = (i: number) =>
      makePod(`db-${i}`, {
        labels: { app: "db" },
        owner: "rs-db",
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" }] } },
      });
    for (let i = 0; i < 3; i++) expect(scheduleAndAssume(c, replica(i)).ok).toBe(true);
    expect(placement(c)).toEqual({ n1: 1, n2: 1, n3: 1 });
    expect(scheduleAndAssume(c, replica(3))).toMatchObject({ ok: false, message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." });
    // A pod the replicas' anti-affinity selects is kept away by the existing pods' terms.
    expect(scheduleAndAssume(c, makePod("intruder", { labels: { app: "db" } }))).toMatchObject({
      ok: false,
      message: "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.",
    });
  });

  it("keeps pods with the same host port apart", () => {
    const c = cache([makeNode("n1"), makeNode("n2")]);
    const ingress = (i: number) => makePod(`ingress-${i}`, { hostPorts: [{ hostPort: 443 }] });
    expect(scheduleAndAssume(c, ingress(0)).ok).toBe(true);
    expect(scheduleAndAssume(c, ingress(1)).ok).toBe(true);
    expect(placement(c)).toEqual({ n1: 1, n2: 1 });
    expect(scheduleAndAssume(c, ingress(2))).toMatchObject({ ok: false, message: "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports." });
    expect(scheduleAndAssume(c, makePod("udp", { hostPorts: [{ hostPort: 443, protocol: "UDP" }] })).ok).toBe(true);
  });

  it("selects with Gt and Lt on a numeric label", () => {
    const c = cache([makeNode("old", { labels: { gen: "3" } }), makeNode("mid", { labels: { gen: "5" } }), makeNode("new", { labels: { gen: "12" } })]);
    const req = (exprs: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } });
    expect(scheduleAndAssume(c, makePod("a", { affinity: req([{ key: "gen", operator: "Gt", values: ["9"] }]) }))).toMatchObject({ ok: true, nodeName: "new" });
    expect(scheduleAndAssume(c, makePod("b", { affinity: req([{ key: "gen", operator: "Gt", values: ["3"] }, { key: "gen", operator: "Lt", values: ["12"] }]) }))).toMatchObject({ ok: true, nodeName: "mid" });
    expect(scheduleAndAssume(c, makePod("c", { affinity: req([{ key: "gen", operator: "Lt", values: ["3"] }]) }))).toMatchObject({ ok: false });
  });

  it("pins a node with matchFields metadata.name, counting the other nodes as left out by PreFilter", () => {
    const c = cache([makeNode("n1"), makeNode("n2", { cpu: "1" }), makeNode("n3")]);
    const pinned = (name: string, cpu?: string) =>
      makePod(`p-${name}-${cpu}`, { cpu, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [name] }] }] } } } });
    expect(scheduleAndAssume(c, pinned("n3"))).toEqual({ ok: true, nodeName: "n3", feasibleNodes: 1, evaluatedNodes: 1 });
    expect(scheduleAndAssume(c, pinned("n2", "2"))).toMatchObject({
      ok: false,
      message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    });
    expect(scheduleAndAssume(c, pinned("gone"))).toMatchObject({ ok: false, message: "0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]." });
  });

  it("avoids a PreferNoSchedule taint when it can, and uses the node when nothing else fits", () => {
    const c = cache([makeNode("spot", { cpu: "8", taints: [{ key: "spot", effect: "PreferNoSchedule" }] }), makeNode("n2", { cpu: "2" })]);
    expect(scheduleAndAssume(c, makePod("small", { cpu: "500m" }))).toMatchObject({ ok: true, nodeName: "n2" });
    expect(scheduleAndAssume(c, makePod("big", { cpu: "4" }))).toMatchObject({ ok: true, nodeName: "spot" });
  });

  it("prefers nodes matching preferred node affinity", () => {
    const c = cache([makeNode("n1"), makeNode("n2", { labels: { disk: "ssd" } }), makeNode("n3")]);
    const affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } }] } };
    expect(scheduleAndAssume(c, makePod("p", { affinity }))).toMatchObject({ ok: true, nodeName: "n2" });
  });

  it("enforces DoNotSchedule topology spread across zones", () => {
    const zone = (z: string) => ({ labels: { "topology.kubernetes.io/zone": z } });
    const c = cache([makeNode("a1", zone("a")), makeNode("a2", zone("a")), makeNode("b1", zone("b"))]);
    const pod = (i: number) =>
      makePod(`w${i}`, {
        labels: { app: "w" },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "w" } } }],
      });
    for (let i = 0; i < 6; i++) expect(scheduleAndAssume(c, pod(i)).ok).toBe(true);
    const perZone = { a: c.podsOn("a1").length + c.podsOn("a2").length, b: c.podsOn("b1").length };
    expect(perZone).toEqual({ a: 3, b: 3 });
  });

  it("rotates the starting node and stops once enough feasible nodes are found", () => {
    const nodes = Array.from({ length: 250 }, (_, i) => makeNode(`n${String(i).padStart(3, "0")}`));
    const c = cache(nodes);
    const r = schedulePod(podFacts(makePod("p")), c, { random });
    expect(r).toMatchObject({ ok: true, feasibleNodes: 120, evaluatedNodes: 120 });
    expect(c.nextStartNodeIndex).toBe(120);
    schedulePod(podFacts(makePod("q")), c, { random });
    expect(c.nextStartNodeIndex).toBe(240);
    schedulePod(podFacts(makePod("r")), c, { random });
    expect(c.nextStartNodeIndex).toBe(110);
  });

  it("frees a Succeeded pod's resources for the next pod", () => {
    const c = cache([makeNode("n1", { cpu: "1" })], [makePod("job", { nodeName: "n1", cpu: "1" })]);
    expect(scheduleAndAssume(c, makePod("p", { cpu: "1" }))).toMatchObject({ ok: false, message: "0/1 nodes are available: 1 Insufficient cpu." });
    c.upsertPod(makePod("job", { nodeName: "n1", cpu: "1", phase: "Succeeded" }));
    expect(scheduleAndAssume(c, makePod("p", { cpu: "1" }))).toMatchObject({ ok: true, nodeName: "n1" });
  });
});
