// The controller manager of one namespace store: one work queue, the reconcilers that run in
// the store, and the mapping from stored writes to work keys (upstream's informer event
// handlers). It never reconciles on a write: onStoredEvent only enqueues and says when the
// queue is next due, so the Durable Object can set its alarm; runDue (the alarm) does the work.
import type { KubeObject } from "../apis/types.js";
import type { Clock } from "../lib/clock.js";
import type { GenericStore } from "../registry/generic-store.js";
import { labelSelectorFromObject } from "../registry/selectors/index.js";
import type { StoredEvent } from "../storage/interface.js";
import { findKind } from "../apis/index.js";
import { controllerOf } from "./replicaset/pods.js";
import { REPLICASET_RECONCILER, ReplicaSetReconciler, storeClient } from "./replicaset/reconcile.js";
import { EventRecorder } from "./runtime/events.js";
import { type Reconciler, type RunSummary, joinKey, runDue, workKey } from "./runtime/reconciler.js";
import { WorkQueue } from "./runtime/work-queue.js";

export interface ControllerManagerOptions {
  /**
   * The namespace the store holds, when known. A Durable Object learns it from the objects it
   * stores (or from resync(namespace)); until then, and in the cluster store, nothing runs.
   */
  namespace?: string;
  /** The registry of one namespace (the same path API requests take). */
  storeFor: (namespace: string) => GenericStore;
  now?: Clock;
  /** Most keys per alarm, so one alarm stays within its CPU budget. */
  maxPerRun?: number;
}

const REPLICASETS = findKind("apps", "v1", "replicasets")!;

export class ControllerManager {
  readonly queue: WorkQueue;
  private readonly now: Clock;
  private readonly reconcilers: Reconciler[];
  private namespace: string;
  private readonly storeFor: (namespace: string) => GenericStore;
  private readonly maxPerRun: number;

  constructor(o: ControllerManagerOptions) {
    this.now = o.now ?? Date.now;
    this.namespace = o.namespace ?? "";
    this.storeFor = o.storeFor;
    this.maxPerRun = o.maxPerRun ?? 100;
    this.queue = new WorkQueue({ now: this.now });
    this.reconcilers = [
      new ReplicaSetReconciler({
        client: (ns) => storeClient(this.storeFor(ns)),
        recorder: new EventRecorder({ component: "replicaset-controller", now: this.now }),
        now: this.now,
      }),
    ];
  }

  /** Map a stored write to the keys it affects and enqueue them; returns when the queue is next due. */
  onStoredEvent(e: StoredEvent): number | undefined {
    if (e.resource !== "replicasets" && e.resource !== "pods") return undefined;
    if (!this.namespace) this.namespace = e.object.metadata.namespace ?? "";
    if (!this.namespace) return undefined;
    if (e.resource === "replicasets") {
      this.queue.add(workKey(REPLICASET_RECONCILER, joinKey(this.namespace, e.name)));
    } else if (e.resource === "pods") {
      this.podChanged(e.object, e.type === "DELETED" ? undefined : e.object, e.prev);
    } else {
      return undefined;
    }
    return this.queue.nextDueAt();
  }

  /** Run the due keys; the summary's nextDueAt is where to set the next alarm. */
  runDue(now: number = this.now()): Promise<RunSummary> {
    return runDue(this.queue, this.reconcilers, () => now, { maxPerRun: this.maxPerRun });
  }

  /** Enqueue every ReplicaSet of the namespace (cron resync, and after an eviction). */
  resyncAll(namespace?: string): number | undefined {
    if (namespace && !this.namespace) this.namespace = namespace;
    if (!this.namespace) return undefined;
    for (const rs of this.listReplicaSets()) this.queue.add(workKey(REPLICASET_RECONCILER, joinKey(this.namespace, rs.metadata.name as string)));
    return this.queue.nextDueAt();
  }

  nextDueAt(): number | undefined {
    return this.queue.nextDueAt();
  }

  /** upstream's addPod/updatePod/deletePod: the controllers of the old and new pod, else the ReplicaSets that may adopt it. */
  private podChanged(obj: KubeObject, cur: KubeObject | undefined, prev: KubeObject | undefined): void {
    const keys = new Set<string>();
    for (const p of [obj, prev]) {
      const ref = p && controllerOf(p as never);
      if (ref && ref.kind === "ReplicaSet" && ref.name) keys.add(joinKey(this.namespace, ref.name));
    }
    if (cur && !controllerOf(cur as never) && !cur.metadata.deletionTimestamp) {
      const labels = cur.metadata.labels ?? {};
      for (const rs of this.listReplicaSets()) {
        try {
          if (labelSelectorFromObject((rs.spec as { selector?: never } | undefined)?.selector).matches(labels)) keys.add(joinKey(this.namespace, rs.metadata.name as string));
        } catch {
          // an invalid selector matches nothing
        }
      }
    }
    for (const k of keys) this.queue.add(workKey(REPLICASET_RECONCILER, k));
  }

  private listReplicaSets(): KubeObject[] {
    return (this.storeFor(this.namespace).list(REPLICASETS, {}) as unknown as { items: KubeObject[] }).items;
  }
}
