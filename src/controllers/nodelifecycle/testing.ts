// A small simulated cluster for the node lifecycle tests: nodes whose agents renew leases and post
// status on a fake clock, passes run every monitor period, and the plan's writes applied back,
// as the Durable Object that wires planNodeLifecycle would.
import type { Lease } from "../../apis/coordination/v1/lease.js";
import type { Node } from "../../apis/core/v1/node.js";
import type { Taint } from "../../apis/core/v1/taints.js";
import { rfc3339, rfc3339Micro } from "../../lib/clock.js";
import { planNodeLifecycle } from "./plan.js";
import { applyTaintUpdate } from "./taints-plan.js";
import { NODE_LEASE_NAMESPACE, NODE_MONITOR_PERIOD_MS, type NodeCondition, type NodeLifecycleOptions, type NodeLifecyclePlan, type NodeLifecycleState, type PodOnNode } from "./types.js";

export const T0 = Date.parse("2025-01-01T00:00:00Z");

export interface NodeSpecOptions {
  zone?: string;
  region?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Conditions to post; default a healthy kubelet's. */
  conditions?: NodeCondition[];
  createdAt?: number;
}

export function healthyConditions(at: string): NodeCondition[] {
  return [
    { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", lastHeartbeatTime: at, lastTransitionTime: at },
    { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", lastHeartbeatTime: at, lastTransitionTime: at },
    { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", lastHeartbeatTime: at, lastTransitionTime: at },
    { type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: at, lastTransitionTime: at },
  ];
}

export function makeNode(name: string, o: NodeSpecOptions = {}, now = T0): Node {
  const labels: Record<string, string> = { ...o.labels };
  if (o.zone !== undefined) labels["topology.kubernetes.io/zone"] = o.zone;
  if (o.region !== undefined) labels["topology.kubernetes.io/region"] = o.region;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "1", creationTimestamp: rfc3339(o.createdAt ?? now), labels },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: o.conditions ?? healthyConditions(rfc3339(now)) },
  } as Node;
}

export function makeLease(name: string, renewAt: number): Lease {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace: NODE_LEASE_NAMESPACE }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(renewAt) } } as Lease;
}

export class SimCluster {
  now = T0;
  nodes = new Map<string, Node>();
  leases = new Map<string, Lease>();
  pods: PodOnNode[] = [];
  /** Nodes whose agent is running: they renew their lease before every pass. */
  alive = new Set<string>();
  state?: NodeLifecycleState;
  plans: NodeLifecyclePlan[] = [];
  private rv = 1;

  constructor(readonly options: Partial<NodeLifecycleOptions> = {}) {}

  addNode(name: string, o: NodeSpecOptions = {}, withAgent = true): Node {
    const node = makeNode(name, o, this.now);
    this.nodes.set(name, node);
    if (withAgent) {
      this.alive.add(name);
      this.leases.set(name, makeLease(name, this.now));
    }
    return node;
  }

  node(name: string): Node {
    return this.nodes.get(name)!;
  }

  stop(...names: string[]): void {
    for (const n of names) this.alive.delete(n);
  }

  /** The agent comes back: renews its lease again (its Ready condition is posted separately). */
  start(...names: string[]): void {
    for (const n of names) this.alive.add(n);
  }

  /** The kubelet posts Ready `status` (heartbeat now; transition now when it changes). */
  postReady(name: string, status: string, reason = status === "True" ? "KubeletReady" : "KubeletNotReady"): void {
    const node = this.node(name);
    const at = rfc3339(this.now);
    const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
    for (const c of conditions) {
      if (c.type === "Ready") {
        if (c.status !== status) c.lastTransitionTime = at;
        Object.assign(c, { status, reason, message: "", lastHeartbeatTime: at });
      } else if (c.type !== "NetworkUnavailable") {
        if (c.status !== "False") c.lastTransitionTime = at;
        Object.assign(c, { status: "False", lastHeartbeatTime: at });
      }
    }
    node.status = { ...node.status, conditions };
    node.metadata.resourceVersion = String(++this.rv);
  }

  taintKeys(name: string): string[] {
    return (this.node(name).spec.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  }

  taint(name: string, key: string, effect: string): Taint | undefined {
    return (this.node(name).spec.taints ?? []).find((t) => t.key === key && t.effect === effect);
  }

  ready(name: string): string | undefined {
    return this.node(name).status?.conditions?.find((c) => c.type === "Ready")?.status;
  }

  /** One pass at the current time, its writes applied. */
  pass(): NodeLifecyclePlan {
    for (const n of this.alive) this.leases.set(n, makeLease(n, this.now));
    const plan = planNodeLifecycle({ now: this.now, nodes: [...this.nodes.values()], leases: [...this.leases.values()], pods: this.pods, state: this.state, options: this.options });
    for (const u of plan.nodeStatusUpdates) {
      const node = this.node(u.name);
      node.status = { ...node.status, conditions: u.conditions };
      node.metadata.resourceVersion = String(++this.rv);
    }
    for (const u of plan.taintUpdates) {
      const node = this.node(u.name);
      // The edits replayed on the node as it is now must agree with the full list.
      const replayed = applyTaintUpdate(node.spec.taints ?? [], u);
      const norm = (ts: Taint[]) => ts.map((t) => JSON.stringify([t.key, t.effect, t.value, t.timeAdded])).sort();
      if (JSON.stringify(norm(replayed)) !== JSON.stringify(norm(u.taints))) throw new Error(`taint edits for ${u.name} disagree with the list`);
      node.spec = { ...node.spec, taints: u.taints };
      node.metadata.resourceVersion = String(++this.rv);
    }
    const evicted = new Set(plan.evictions.map((e) => e.uid));
    this.pods = this.pods.filter((p) => !evicted.has(p.uid));
    this.state = plan.state;
    this.plans.push(plan);
    return plan;
  }

  /** Advances the clock by `ms` in monitor periods, a pass after each step; returns the last plan. */
  advance(ms: number, step = NODE_MONITOR_PERIOD_MS): NodeLifecyclePlan {
    const end = this.now + ms;
    let plan: NodeLifecyclePlan | undefined;
    while (this.now < end) {
      this.now = Math.min(this.now + step, end);
      plan = this.pass();
    }
    return plan ?? this.pass();
  }

  /** Advances to the exact time `t` and runs one pass. */
  at(t: number): NodeLifecyclePlan {
    this.now = t;
    return this.pass();
  }
}
