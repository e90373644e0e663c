// Why: the scheduler's Durable Object heap cannot be read from outside workerd, so the bench
// builds the same state in its own process from the objects the control plane served (Nodes,
// node Leases, bound Pods, listed after a run), fed exactly as ClusterControllers feeds it, and
// reads the V8 heap before and after with forced collections. Two figures: the SchedulerCache
// alone, and the whole instance (informer revisions, scheduler cache and queue, the node
// lifecycle controller's Nodes and Leases). The same cache also times the scheduler's decisions
// alone (filter, score, assume; no writes), the ceiling its own CPU puts on throughput.
import v8 from "node:v8";
import vm from "node:vm";
import type { KubeObject } from "../src/apis/types.js";
import type { Env } from "../src/env.js";
import { ClusterInformer } from "../src/controllers/cluster/informer.js";
import { NodeLifecycleRunner } from "../src/controllers/cluster/node-lifecycle-runner.js";
import { SchedulerRunner } from "../src/controllers/cluster/scheduler-runner.js";
import { SchedulerCache } from "../src/scheduler/cache.js";
import { podFacts } from "../src/scheduler/facts.js";
import { schedulePod } from "../src/scheduler/schedule.js";

export interface ListedObjects {
  /** The answers of GET /api/v1/nodes, …/kube-node-lease/leases and the bench namespace's pods, as received. */
  nodes: Buffer;
  leases: Buffer;
  pods: Buffer;
}

export interface HeapResult {
  nodes: number;
  pods: number;
  /** Pods (or nodes) beyond the listed ones are copies of listed ones under new names. */
  listedNodes: number;
  listedPods: number;
  /** Heap retained, bytes (median of the repeats). */
  cacheBytes: number;
  instanceBytes: number;
  /** schedulePod + assume for `decided` more pods onto that cache, in this process (one core). */
  decided: number;
  decideMs: number;
  decideFailed: number;
  /** Whether collections could be forced (--expose-gc, or enabled at run time). */
  forcedGc: boolean;
}

/** global.gc when node runs with --expose-gc; otherwise enabled at run time through V8's flags. */
function collector(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn = vm.runInNewContext("gc") as unknown;
    return typeof fn === "function" ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const items = (b: Buffer) => (JSON.parse(b.toString("utf8")) as { items: KubeObject[] }).items;

/** Objects as the change feed sends them: managedFields dropped. */
function fed(o: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = o.metadata as KubeObject["metadata"] & { managedFields?: unknown };
  return { ...o, metadata } as KubeObject;
}

/** `count` objects: the listed ones, then copies of them under new names (new strings, as a fresh parse would give). */
function scaled(list: KubeObject[], count: number, rename: (o: any, copy: number) => void): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    if (i < list.length) {
      out.push(fed(list[i]));
      continue;
    }
    const o = JSON.parse(JSON.stringify(list[i % list.length]));
    rename(o, Math.floor(i / list.length));
    out.push(fed(o));
  }
  return out;
}

interface Inputs {
  nodes: KubeObject[];
  leases: KubeObject[];
  pods: KubeObject[];
}

function inputs(l: ListedObjects, nodeCount: number, podCount: number): Inputs {
  const listedNodes = items(l.nodes);
  const nodes = scaled(listedNodes, nodeCount, (o, k) => {
    o.metadata.name = `${o.metadata.name}-copy${k}`;
    o.metadata.uid = `${o.metadata.uid.slice(0, -6)}${String(k).padStart(6, "0")}`;
  });
  const leases = scaled(items(l.leases), nodeCount, (o, k) => (o.metadata.name = `${o.metadata.name}-copy${k}`));
  const listedPods = items(l.pods);
  const pods = scaled(listedPods, podCount, (o, k) => {
    o.metadata.name = `${o.metadata.name}-copy${k}`;
    o.metadata.uid = `${o.metadata.uid.slice(0, -6)}${String(k).padStart(6, "0")}`;
  });
  // Every pod on a node that exists: copies spread over the nodes in order.
  pods.forEach((p, i) => {
    if (i >= listedPods.length) (p.spec as { nodeName?: string }).nodeName = nodes[i % nodes.length].metadata.name as string;
  });
  return { nodes, leases, pods };
}

function cacheOnly(x: Inputs): unknown {
  const cache = new SchedulerCache();
  for (const n of x.nodes) cache.upsertNode(n);
  for (const p of x.pods) cache.upsertPod(p);
  return cache;
}

/** The ClusterControllers instance's state, wired as durable-objects/cluster-controllers.ts wires it. */
function instance(x: Inputs): unknown {
  const env = {} as Env;
  const scheduler = new SchedulerRunner({ env, now: Date.now });
  const lifecycle = new NodeLifecycleRunner({ env, now: Date.now, pods: (node) => scheduler.cache.podsOn(node) });
  const informer = new ClusterInformer({
    pod: (type, pod) => {
      scheduler.onPod(type, pod);
      if (type !== "DELETED") lifecycle.onPod(pod);
    },
    node: (type, node) => {
      scheduler.onNode(type, node);
      lifecycle.onNode(type, node);
    },
    lease: (type, lease) => lifecycle.onLease(type, lease),
  });
  const apply = (resource: string, namespace: string, o: KubeObject) =>
    informer.apply({ type: "ADDED", resource, namespace, name: o.metadata.name as string, revision: Number(o.metadata.resourceVersion), object: o });
  for (const n of x.nodes) apply("nodes", "", n);
  for (const l of x.leases) apply("leases", "kube-node-lease", l);
  for (const p of x.pods) apply("pods", p.metadata.namespace as string, p);
  return { scheduler, lifecycle, informer };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Heap retained by build(), measured `repeats` times; the inputs are parsed inside so their garbage is collected. */
function retained(gc: (() => void) | undefined, make: () => Inputs, build: (x: Inputs) => unknown, repeats: number): number[] {
  const settle = () => {
    if (!gc) return;
    for (let i = 0; i < 3; i++) gc();
  };
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    settle();
    const before = process.memoryUsage().heapUsed;
    let held: unknown = build(make());
    settle();
    out.push(process.memoryUsage().heapUsed - before);
    // Keep it alive until measured.
    if (held === null) out.push(NaN);
    held = undefined;
  }
  return out;
}

export function schedulerHeap(l: ListedObjects, nodeCount: number, podCount: number, decideCount = 2_000, repeats = 3): HeapResult {
  const gc = collector();
  const make = () => inputs(l, nodeCount, podCount);
  const cache = retained(gc, make, cacheOnly, repeats);
  const whole = retained(gc, make, instance, repeats);
  const x = make();
  const c = cacheOnly(x) as SchedulerCache;
  const pending = x.pods.slice(0, decideCount).map((p, i) => {
    const f = podFacts({ ...p, metadata: { ...p.metadata, name: `decide-${i}`, uid: `decide-${i}` }, spec: { ...(p.spec as object), nodeName: undefined } } as KubeObject);
    return f;
  });
  let decideFailed = 0;
  const t = performance.now();
  for (const pod of pending) {
    const r = schedulePod(pod, c);
    if (r.ok) c.assume(pod, r.nodeName);
    else decideFailed++;
  }
  const decideMs = performance.now() - t;
  return {
    decided: pending.length,
    decideMs,
    decideFailed,
    nodes: nodeCount,
    pods: podCount,
    listedNodes: items(l.nodes).length,
    listedPods: items(l.pods).length,
    cacheBytes: median(cache),
    instanceBytes: median(whole),
    forcedGc: !!gc,
  };
}
