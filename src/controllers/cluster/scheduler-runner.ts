// The scheduler as it runs in the ClusterControllers Durable Object: pods and nodes from the
// informer go into the scheduler cache and the scheduling queue (src/scheduler); a round pops
// pending pods in priority order, picks a node for each (assuming it in the cache so the next
// pod sees it taken), then writes in one RPC per namespace: bindings, and for pods that fit
// nowhere the Unschedulable condition and FailedScheduling event. Bound pods are never moved.
import type { KubeObject } from "../../apis/types.js";
import { namespaceStore } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { Clock } from "../../lib/clock.js";
import { SchedulerCache } from "../../scheduler/cache.js";
import { podFacts, nodeFacts, type PodFacts } from "../../scheduler/facts.js";
import { SchedulingQueue } from "../../scheduler/queue.js";
import { schedulePod } from "../../scheduler/schedule.js";
import type { Change } from "./change-feed.js";
import { SCHEDULER_NAME, type BindRequest, type Unschedulable, type WriteResult } from "./scheduling-writes.js";

/** Most pods decided per round, so one alarm stays well inside its CPU budget. */
const MAX_PER_ROUND = 500;

export interface SchedulerStats {
  pending: number;
  nodes: number;
  pods: number;
  bound: number;
  unschedulable: number;
  bindFailures: number;
  rounds: number;
  /** Wall time of the last round (decide + write), ms. */
  lastRoundMs: number;
}

interface Decided {
  pod: PodFacts;
  node: string;
}

export class SchedulerRunner {
  readonly cache = new SchedulerCache();
  readonly queue = new SchedulingQueue();
  /** Pods decided and not yet seen bound in the feed. */
  private readonly assumed = new Set<string>();
  /** A cheap hash of what scheduling reads of each queued pod, so status-only updates leave it where it is. */
  private readonly queuedShape = new Map<string, number>();
  private readonly nodeShapes = new Map<string, string>();
  private readonly counters = { bound: 0, unschedulable: 0, bindFailures: 0, rounds: 0, lastRoundMs: 0 };

  constructor(private readonly o: { env: Env; now: Clock; random?: () => number; maxPerRound?: number }) {}

  onPod(type: Change["type"], pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const now = this.o.now();
    if (type === "DELETED") {
      const wasBound = this.cache.pod(key)?.nodeName !== undefined;
      this.forgetPod(key);
      this.cache.removePod(key);
      if (wasBound) this.queue.moveAllToActive(now);
      return;
    }
    const spec = (pod.spec ?? {}) as { nodeName?: string; schedulerName?: string };
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (spec.nodeName) {
      const before = this.cache.pod(key);
      this.forgetPod(key);
      this.cache.upsertPod(pod);
      // A pod that finished frees its node's resources: parked pods may fit now.
      if (phase === "Succeeded" || phase === "Failed" || before?.nodeName !== spec.nodeName) this.queue.moveAllToActive(now);
      return;
    }
    if (this.assumed.has(key)) return; // its binding is in flight
    if ((spec.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME || pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed") {
      this.forgetPod(key);
      return;
    }
    // A parked pod stays parked through updates that change nothing scheduling reads (its own
    // Unschedulable condition among them), as upstream's queueing hints keep it.
    const shape = hash(JSON.stringify([pod.spec, pod.metadata.labels, pod.metadata.uid]));
    if (this.queue.has(key) && this.queuedShape.get(key) === shape) return;
    this.queuedShape.set(key, shape);
    this.queue.add(podFacts(pod));
  }

  onNode(type: Change["type"], node: KubeObject): void {
    const name = node.metadata.name as string;
    if (type === "DELETED") {
      this.cache.removeNode(name);
      this.nodeShapes.delete(name);
      return;
    }
    this.cache.upsertNode(node);
    // Only what filters read: a heartbeat alone does not wake the parked pods.
    const shape = JSON.stringify(nodeFacts(node));
    if (this.nodeShapes.get(name) === shape) return;
    this.nodeShapes.set(name, shape);
    this.queue.moveAllToActive(this.o.now());
  }

  /** Parked pods back to the active queue (the cron resync; upstream flushes them every 5 minutes). */
  flushUnschedulable(): void {
    this.queue.moveAllToActive(this.o.now());
  }

  /** When the next round is due (undefined: nothing waits). */
  nextDueAt(): number | undefined {
    if (this.cache.stats().nodes === 0) return undefined;
    return this.queue.activeLen() > 0 ? this.o.now() : this.queue.nextReadyAt();
  }

  /**
   * One round: decide up to MAX_PER_ROUND pods, then write the bindings and failures. With no node
   * registered (a control plane alone) pending pods are left as they are: its pods stay Pending
   * without a condition or an event each, where upstream would report "no nodes available".
   */
  async round(): Promise<number> {
    if (this.cache.stats().nodes === 0) return 0;
    const started = Date.now();
    const now = this.o.now();
    const binds = new Map<string, Decided[]>();
    const failures = new Map<string, Array<Unschedulable & { pod: PodFacts }>>();
    let decided = 0;
    for (let pod = this.queue.pop(now); pod; pod = decided + 1 < (this.o.maxPerRound ?? MAX_PER_ROUND) ? this.queue.pop(now) : undefined) {
      decided++;
      const r = schedulePod(pod, this.cache, { random: this.o.random });
      if (r.ok) {
        this.queue.done(pod.key);
        this.queuedShape.delete(pod.key);
        this.cache.assume(pod, r.nodeName);
        this.assumed.add(pod.key);
        push(binds, pod.namespace, { pod, node: r.nodeName });
      } else {
        this.queue.markUnschedulable(pod, now);
        push(failures, pod.namespace, { name: pod.name, uid: pod.uid, message: r.message, pod });
      }
    }
    if (decided === 0) return 0;
    const writes: Promise<void>[] = [];
    for (const [ns, list] of binds) writes.push(this.bind(ns, list));
    for (const [ns, list] of failures) writes.push(this.report(ns, list));
    await Promise.all(writes);
    this.counters.rounds++;
    this.counters.lastRoundMs = Date.now() - started;
    return decided;
  }

  stats(): SchedulerStats {
    const c = this.cache.stats();
    return { pending: this.queue.len(), nodes: c.nodes, pods: c.pods, ...this.counters };
  }

  private async bind(namespace: string, list: Decided[]): Promise<void> {
    const reqs: BindRequest[] = list.map((d) => ({ name: d.pod.name, uid: d.pod.uid, node: d.node }));
    let results: WriteResult[];
    try {
      results = await namespaceStore(this.o.env, namespace).bindPods(namespace, reqs);
    } catch (e) {
      console.warn("scheduler: binding failed", namespace, e instanceof Error ? e.message : e);
      results = reqs.map((r) => ({ name: r.name, ok: false, code: 503 }));
    }
    for (const [i, r] of results.entries()) {
      if (r.ok) {
        this.counters.bound++;
        continue;
      }
      const { pod } = list[i];
      this.counters.bindFailures++;
      this.assumed.delete(pod.key);
      this.cache.forget(pod.key);
      // Gone, or bound by someone else: the feed has (or brings) the truth. Otherwise try again after a backoff.
      if (r.code === 404 || /already assigned|being deleted/.test(r.message ?? "")) continue;
      this.queue.add(pod);
    }
  }

  private async report(namespace: string, list: Array<Unschedulable & { pod: PodFacts }>): Promise<void> {
    this.counters.unschedulable += list.length;
    try {
      await namespaceStore(this.o.env, namespace).reportUnschedulable(namespace, list.map(({ name, uid, message }) => ({ name, uid, message })));
    } catch (e) {
      console.warn("scheduler: reporting unschedulable pods failed", namespace, e instanceof Error ? e.message : e);
    }
  }

  private forgetPod(key: string): void {
    this.assumed.delete(key);
    this.queuedShape.delete(key);
    this.queue.delete(key);
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** FNV-1a, 32 bits. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
