// The singleton ("cluster") that runs the cluster-wide controllers needing every pod in view: the
// scheduler and the node lifecycle controller. The class only routes: the stores feed it their
// changes (src/controllers/cluster/change-feed.ts), the informer keeps the view, the runners
// decide and write back through the stores. Its alarm runs the rounds; the cron resync re-lists.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env.js";
import type { Change } from "../src/controllers/cluster/change-feed.js";
import { ClusterInformer } from "../src/controllers/cluster/informer.js";
import { NodeLifecycleRunner, type NodeLifecycleStats } from "../src/controllers/cluster/node-lifecycle-runner.js";
import { SchedulerRunner, type SchedulerStats } from "../src/controllers/cluster/scheduler-runner.js";

/** A full re-list at most this often on the cron resync (the feed carries every change between). */
const RELIST_EVERY_MS = 5 * 60_000;
/** One alarm runs rounds for at most this long, then yields to incoming changes. */
const ALARM_BUDGET_MS = 2_000;
const RETRY_MS = 1_000;

export interface ClusterControllersState {
  synced: boolean;
  scheduler: SchedulerStats;
  nodeLifecycle: NodeLifecycleStats;
}

export class ClusterControllers extends DurableObject<Env> {
  private readonly scheduler: SchedulerRunner;
  private readonly lifecycle: NodeLifecycleRunner;
  private readonly informer: ClusterInformer;
  private alarmAt: number | undefined;
  private forceRelist = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.scheduler = new SchedulerRunner({ env, now: Date.now });
    this.lifecycle = new NodeLifecycleRunner({ env, now: Date.now, pods: (node) => this.scheduler.cache.podsOn(node) });
    this.informer = new ClusterInformer({
      pod: (type, pod) => {
        this.scheduler.onPod(type, pod);
        if (type !== "DELETED") this.lifecycle.onPod(pod);
      },
      node: (type, node) => {
        this.scheduler.onNode(type, node);
        this.lifecycle.onNode(type, node);
      },
      lease: (type, lease) => this.lifecycle.onLease(type, lease),
    });
  }

  /** A store's batch of changes (pods, Nodes, node Leases). */
  async changed(changes: Change[]): Promise<void> {
    for (const c of changes) this.informer.apply(c);
    this.arm(this.informer.synced ? this.nextDueAt() : Date.now());
  }

  /** The cron resync: re-list now and then, give parked pods another chance, run a lifecycle pass. */
  async resync(): Promise<void> {
    if (Date.now() - this.informer.lastListAt >= RELIST_EVERY_MS) this.forceRelist = true;
    this.scheduler.flushUnschedulable();
    this.arm(Date.now());
  }

  async state(): Promise<ClusterControllersState> {
    return { synced: this.informer.synced, scheduler: this.scheduler.stats(), nodeLifecycle: this.lifecycle.stats() };
  }

  async alarm(): Promise<void> {
    this.alarmAt = undefined;
    const started = Date.now();
    try {
      if (!this.informer.synced || this.forceRelist) {
        this.forceRelist = false;
        await this.informer.relist(this.env, Date.now());
      }
      while (Date.now() - started < ALARM_BUDGET_MS && (this.scheduler.nextDueAt() ?? Infinity) <= Date.now()) {
        if ((await this.scheduler.round()) === 0) break;
      }
      await this.lifecycle.runIfDue();
    } catch (e) {
      console.warn("cluster controllers: round failed", e instanceof Error ? e.message : e);
      this.arm(Date.now() + RETRY_MS);
      return;
    }
    this.arm(this.nextDueAt());
  }

  private nextDueAt(): number | undefined {
    const a = this.scheduler.nextDueAt();
    const b = this.lifecycle.nextDueAt();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  private arm(due: number | undefined): void {
    if (due === undefined) return;
    const at = Math.max(Date.now(), due);
    if (this.alarmAt !== undefined && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
