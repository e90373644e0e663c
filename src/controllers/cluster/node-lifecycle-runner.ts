// The node lifecycle controller as it runs in the ClusterControllers Durable Object: Nodes and
// node Leases from the informer, the pods on each node from the scheduler's cache, a pass every
// node monitor period (5 s) while there are nodes (src/controllers/nodelifecycle decides), and
// the writes: node conditions through nodes/status, taints through a read-modify-write of the
// node, evictions through the pods' stores.
import type { Lease } from "../../apis/coordination/v1/lease.js";
import type { Node } from "../../apis/core/v1/node.js";
import type { KubeObject } from "../../apis/types.js";
import { clusterStore, namespaceStore, unwrap } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { Clock } from "../../lib/clock.js";
import type { Target } from "../../registry/requests.js";
import type { PodFacts } from "../../scheduler/facts.js";
import { applyTaintUpdate, NODE_MONITOR_PERIOD_MS, planNodeLifecycle, type NodeLifecycleOptions, type NodeLifecycleState, type NodeTaintUpdate, type PodEviction, type PodOnNode } from "../nodelifecycle/index.js";
import type { Change } from "./change-feed.js";

const NODE = (name: string, subresource?: string): Target => ({ group: "", version: "v1", resource: "nodes", namespace: "", name, subresource });
const FIELD_MANAGER = "node-lifecycle-controller";

export interface NodeLifecycleStats {
  nodes: number;
  passes: number;
  statusUpdates: number;
  taintUpdates: number;
  evictions: number;
  allZonesDisrupted: boolean;
}

/** What a pass reads of a node beyond its heartbeat. */
function shape(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  return JSON.stringify([node.spec?.taints ?? [], node.spec?.unschedulable ?? false, ready?.status ?? ""]);
}

export function nodeLifecycleOptions(env: Env): Partial<NodeLifecycleOptions> {
  const seconds = (v: string | undefined) => (v === undefined || v === "" || !Number.isFinite(Number(v)) ? undefined : Number(v) * 1000);
  const o: Partial<NodeLifecycleOptions> = {};
  const grace = seconds(env.NODE_MONITOR_GRACE_PERIOD_SECONDS);
  if (grace !== undefined) o.nodeMonitorGracePeriodMs = grace;
  const startup = seconds(env.NODE_STARTUP_GRACE_PERIOD_SECONDS);
  if (startup !== undefined) o.nodeStartupGracePeriodMs = startup;
  if (env.NODE_EVICTION_RATE !== undefined && Number.isFinite(Number(env.NODE_EVICTION_RATE))) o.evictionLimiterQPS = Number(env.NODE_EVICTION_RATE);
  return o;
}

export class NodeLifecycleRunner {
  private readonly nodes = new Map<string, Node>();
  private readonly leases = new Map<string, Lease>();
  private state: NodeLifecycleState | undefined;
  private dueAt: number | undefined;
  private readonly counters = { passes: 0, statusUpdates: 0, taintUpdates: 0, evictions: 0, allZonesDisrupted: false };

  constructor(private readonly o: { env: Env; now: Clock; pods: (node: string) => PodFacts[] }) {}

  onNode(type: Change["type"], node: KubeObject): void {
    const name = node.metadata.name as string;
    const before = this.nodes.get(name);
    if (type === "DELETED") this.nodes.delete(name);
    else this.nodes.set(name, node as unknown as Node);
    // A pass at once when taints or readiness change (not for a heartbeat alone).
    if (type === "DELETED" || !before || shape(before) !== shape(node as unknown as Node)) this.wake();
  }

  /** A pod bound to a node with NoExecute taints: taint eviction looks at it at once. */
  onPod(pod: KubeObject): void {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? this.nodes.get(nodeName) : undefined;
    if (node?.spec?.taints?.some((t) => t.effect === "NoExecute")) this.wake();
  }

  private wake(): void {
    const now = this.o.now();
    if (this.dueAt === undefined || this.dueAt > now) this.dueAt = now;
  }

  onLease(type: Change["type"], lease: KubeObject): void {
    const name = lease.metadata.name as string;
    if (type === "DELETED") this.leases.delete(name);
    else this.leases.set(name, lease as unknown as Lease);
  }

  /** The next pass: at the plan's wake-up or the monitor period, whichever is first; none without nodes. */
  nextDueAt(): number | undefined {
    return this.nodes.size === 0 ? undefined : this.dueAt;
  }

  stats(): NodeLifecycleStats {
    return { nodes: this.nodes.size, ...this.counters };
  }

  async runIfDue(): Promise<void> {
    const now = this.o.now();
    if (this.nodes.size === 0 || this.dueAt === undefined || this.dueAt > now) return;
    const pods: PodOnNode[] = [];
    for (const name of this.nodes.keys()) {
      for (const p of this.o.pods(name)) {
        pods.push({ namespace: p.namespace, name: p.name, uid: p.uid, nodeName: name, tolerations: p.tolerations, deletionTimestamp: p.terminating ? "terminating" : undefined });
      }
    }
    const plan = planNodeLifecycle({ now, nodes: [...this.nodes.values()], leases: [...this.leases.values()], pods, state: this.state, options: nodeLifecycleOptions(this.o.env) });
    this.state = plan.state;
    this.counters.passes++;
    this.counters.allZonesDisrupted = plan.allZonesDisrupted;
    this.dueAt = Math.min(now + NODE_MONITOR_PERIOD_MS, plan.nextWakeAt ?? Infinity);

    for (const u of plan.nodeStatusUpdates) {
      const node = this.nodes.get(u.name);
      if (!node) continue;
      const next = { ...node, metadata: { ...node.metadata, resourceVersion: u.resourceVersion }, status: { ...node.status, conditions: u.conditions } };
      const r = await clusterStore(this.o.env).update(NODE(u.name, "status"), next, { fieldManager: FIELD_MANAGER });
      if (r.ok) {
        this.counters.statusUpdates++;
        this.nodes.set(u.name, r.body as Node);
      }
    }
    for (const t of plan.taintUpdates) await this.retaint(t);
    const byNs = new Map<string, PodEviction[]>();
    for (const e of plan.evictions) byNs.set(e.namespace, [...(byNs.get(e.namespace) ?? []), e]);
    await Promise.all(
      [...byNs].map(async ([ns, list]) => {
        try {
          const results = await namespaceStore(this.o.env, ns).evictPods(ns, list);
          this.counters.evictions += results.filter((r) => r.ok).length;
        } catch (e) {
          console.warn("node lifecycle: eviction failed", ns, e instanceof Error ? e.message : e);
        }
      }),
    );
  }

  /** Replays the taint edits onto the node as stored now; retries once on a conflict. */
  private async retaint(t: NodeTaintUpdate): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = await clusterStore(this.o.env).get(NODE(t.name));
      if (!got.ok) return;
      const node = got.body as Node;
      const taints = applyTaintUpdate(node.spec?.taints ?? [], t);
      const next = { ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } };
      const r = await clusterStore(this.o.env).update(NODE(t.name), next, { fieldManager: FIELD_MANAGER });
      if (r.ok) {
        this.counters.taintUpdates++;
        this.nodes.set(t.name, unwrap(r).body as Node);
        return;
      }
      if (r.status.code !== 409) return;
    }
  }
}
