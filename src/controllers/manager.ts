// The controller manager of one store: one work queue, the controllers that run in the store,
// and the mapping from stored writes to work keys (upstream's informer event handlers). It never
// reconciles on a write: onStoredEvent only enqueues and says when the queue is next due, so the
// Durable Object can set its alarm; runDue (the alarm) does the work.
import type { KindDef, KubeObject } from "../apis/types.js";
import type { Clock } from "../lib/clock.js";
import type { GenericStore } from "../registry/generic-store.js";
import type { StoredEvent } from "../storage/interface.js";
import type { Controller, StoreContext } from "./controller.js";
import { type Reconciler, type RunSummary, runDue, workKey } from "./runtime/reconciler.js";
import { WorkQueue } from "./runtime/work-queue.js";

export interface ControllerManagerOptions {
  /**
   * The namespace the store holds, when known. A Durable Object learns it from the objects it
   * stores (or from resync(namespace)); until then nothing runs. The cluster store passes "".
   */
  namespace?: string;
  /** The registry of one namespace (the same path API requests take). */
  storeFor: (namespace: string) => GenericStore;
  /** The controllers of this store, given its clock. */
  controllers: (now: Clock) => Controller[];
  now?: Clock;
  /** Most keys per alarm, so one alarm stays within its CPU budget. */
  maxPerRun?: number;
}

export interface ControllerStats {
  /** Reconciles run per reconciler name. */
  reconciles: Record<string, number>;
  conflicts: number;
  failures: number;
  /** Keys waiting or in flight. */
  queueDepth: number;
}

export class ControllerManager {
  readonly queue: WorkQueue;
  private readonly now: Clock;
  private readonly controllers: Controller[];
  /** undefined: a namespace store that has not learnt its namespace yet. */
  private namespace: string | undefined;
  private readonly storeFor: (namespace: string) => GenericStore;
  private readonly maxPerRun: number;

  constructor(o: ControllerManagerOptions) {
    this.now = o.now ?? Date.now;
    this.namespace = o.namespace;
    this.storeFor = o.storeFor;
    this.maxPerRun = o.maxPerRun ?? 100;
    this.queue = new WorkQueue({ now: this.now });
    this.controllers = o.controllers(this.now);
    this.counted = this.controllers.map(({ reconciler: r }) => ({
      name: r.name,
      reconcile: (key: string) => {
        this.reconciles.set(r.name, (this.reconciles.get(r.name) ?? 0) + 1);
        return r.reconcile(key);
      },
    }));
  }

  private readonly counted: Reconciler[];
  private readonly reconciles = new Map<string, number>();
  private readonly totals = { conflicts: 0, failures: 0 };

  /** Map a stored write to the keys it affects and enqueue them; returns when the queue is next due. */
  onStoredEvent(e: StoredEvent): number | undefined {
    if (this.namespace === undefined) this.namespace = e.object.metadata.namespace || undefined;
    const ctx = this.context();
    if (!ctx) return undefined;
    let added = false;
    for (const c of this.controllers) {
      for (const key of c.keysFor(e, ctx)) {
        this.queue.add(workKey(c.reconciler.name, key));
        added = true;
      }
    }
    return added ? this.queue.nextDueAt() : undefined;
  }

  /** Run the due keys; the summary's nextDueAt is where to set the next alarm. */
  async runDue(now: number = this.now()): Promise<RunSummary> {
    const summary = await runDue(this.queue, this.counted, () => now, { maxPerRun: this.maxPerRun });
    this.totals.conflicts += summary.conflicts;
    this.totals.failures += summary.failed;
    return summary;
  }

  /** Reconciles run per controller since this instance started, and the queue's depth (upstream's workqueue metrics). */
  stats(): ControllerStats {
    return { reconciles: Object.fromEntries(this.reconciles), conflicts: this.totals.conflicts, failures: this.totals.failures, queueDepth: this.queue.len() };
  }

  /** Enqueue every key of every controller (cron resync, and after an eviction). */
  resyncAll(namespace?: string): number | undefined {
    if (namespace && this.namespace === undefined) this.namespace = namespace;
    const ctx = this.context();
    if (!ctx) return undefined;
    for (const c of this.controllers) for (const key of c.resyncKeys(ctx)) this.queue.add(workKey(c.reconciler.name, key));
    return this.queue.nextDueAt();
  }

  nextDueAt(): number | undefined {
    return this.queue.nextDueAt();
  }

  private context(): StoreContext | undefined {
    if (this.namespace === undefined) return undefined;
    const store = this.storeFor(this.namespace);
    return {
      namespace: this.namespace,
      store,
      list: (def: KindDef) => (store.list(def, {}) as unknown as { items: KubeObject[] }).items,
      now: this.now,
    };
  }
}
