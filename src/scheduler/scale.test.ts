// 1,000 nodes with 10,000 bound pods, then 1,000 more pods: correctness at size, timing printed.
import { describe, expect, it } from "vitest";
import { SchedulerCache } from "./cache.js";
import { podFacts } from "./facts.js";
import { schedulePod } from "./schedule.js";
import { makeNode, makePod, seededRandom } from "./testing.js";

const NODES = 1_000;
const EXISTING_PER_NODE = 10;
const NEW_PODS = 1_000;

describe("scale: 1,000 nodes, 10,000 bound pods, 1,000 more to place", () => {
  it("places every pod on a node with room and overcommits none", () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const c = new SchedulerCache();
    const full = new Set<string>();
    const tainted = new Set<string>();
    for (let i = 0; i < NODES; i++) {
      const name = `node-${String(i).padStart(4, "0")}`;
      const taints = i % 50 === 1 ? [{ key: "dedicated", value: "infra", effect: "NoSchedule" }] : undefined;
      if (taints) tainted.add(name);
      c.upsertNode(makeNode(name, { cpu: "4", memory: "16Gi", pods: "110", taints, labels: { "topology.kubernetes.io/zone": `zone-${i % 3}` } }));
      // Every tenth node is nearly full: 10 pods of 390m leave 100m.
      const cpu = i % 10 === 0 ? "390m" : `${100 + (i % 5) * 20}m`;
      if (i % 10 === 0) full.add(name);
      for (let j = 0; j < EXISTING_PER_NODE; j++) {
        c.upsertPod(makePod(`old-${i}-${j}`, { namespace: `team-${j % 4}`, nodeName: name, cpu, memory: "256Mi", owner: `rs-old-${(i * 7 + j) % 400}`, labels: { app: `old-${j}` } }));
      }
    }
    expect(c.stats()).toEqual({ nodes: NODES, pods: NODES * EXISTING_PER_NODE, assumed: 0 });
    const heapAfter = process.memoryUsage().heapUsed;

    const random = seededRandom(7);
    const start = performance.now();
    const placedOn = new Map<string, number>();
    for (let k = 0; k < NEW_PODS; k++) {
      const pod = podFacts(makePod(`new-${k}`, { namespace: "web", cpu: "200m", memory: "512Mi", owner: `rs-new-${k % 50}`, labels: { app: `new-${k % 50}` } }));
      const r = schedulePod(pod, c, { random });
      if (!r.ok) throw new Error(`pod ${pod.key} unschedulable: ${r.message}`);
      expect(r.evaluatedNodes).toBeGreaterThanOrEqual(r.feasibleNodes);
      c.assume(pod, r.nodeName);
      placedOn.set(r.nodeName, (placedOn.get(r.nodeName) ?? 0) + 1);
    }
    const elapsed = performance.now() - start;
    console.log(
      `scheduled ${NEW_PODS} pods over ${NODES} nodes with ${NODES * EXISTING_PER_NODE} existing pods in ${elapsed.toFixed(0)} ms ` +
        `(${(elapsed / NEW_PODS).toFixed(2)} ms/pod); cache heap ≈ ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MB`,
    );

    expect(c.stats()).toEqual({ nodes: NODES, pods: NODES * EXISTING_PER_NODE + NEW_PODS, assumed: NEW_PODS });
    for (const name of [...full, ...tainted]) expect(placedOn.get(name) ?? 0).toBe(0);
    for (const ni of c.nodeInfos()) {
      const pods = c.podsOn(ni.name);
      const cpu = pods.reduce((a, p) => a + p.requests.milliCPU, 0);
      const mem = pods.reduce((a, p) => a + p.requests.memory, 0);
      expect(cpu).toBe(ni.requested.milliCPU);
      expect(cpu).toBeLessThanOrEqual(ni.node!.allocatable.milliCPU);
      expect(mem).toBeLessThanOrEqual(ni.node!.allocatable.memory);
      expect(pods.length).toBeLessThanOrEqual(ni.node!.allocatable.pods);
    }
    // Spreading: no node took a disproportionate share of the new pods.
    expect(Math.max(...placedOn.values())).toBeLessThanOrEqual(5);
  });
});
