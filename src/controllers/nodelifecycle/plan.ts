// One pass of the node lifecycle controller (upstream's monitorNodeHealth, handleDisruption,
// doNoScheduleTaintingPass, doNoExecuteTaintingPass and the taint eviction controller), as a pure
// function of the nodes, leases, pods, our clock and our memory. Pure: the caller writes the
// node statuses and taints, evicts the pods, keeps `state` and wakes us at `nextWakeAt`.
//
// Where one pass differs from upstream's goroutines: everything here is decided from the
// conditions as this pass leaves them, so a node found silent gets its Unknown status, its
// NoSchedule taint and (limiter permitting) its NoExecute taint in the same pass, where upstream
// takes the NoExecute step a monitor period later.
import type { Lease } from "../../apis/coordination/v1/lease.js";
import type { Node } from "../../apis/core/v1/node.js";
import type { Taint } from "../../apis/core/v1/taints.js";
import { rfc3339 } from "../../lib/clock.js";
import { planTaintEviction } from "./eviction.js";
import { type NodeHealthResult, observeNodeHealth } from "./health.js";
import { applyQueuedNoExecute, planNoExecute, reconcileNoScheduleTaints, sameTaints, taintEdits } from "./taints-plan.js";
import {
  DEFAULT_NODE_LIFECYCLE_OPTIONS,
  NODE_LEASE_NAMESPACE,
  type NodeHealth,
  type NodeLifecycleInput,
  type NodeLifecyclePlan,
  type NodeLifecycleState,
  type PodOnNode,
  type ZoneState,
  emptyNodeLifecycleState,
} from "./types.js";
import { handleDisruption, isExcludedFromDisruptionChecks, tryAccept, zoneKey } from "./zones.js";

interface NodeView {
  node: Node;
  name: string;
  zone: string;
  isNew: boolean;
  result: NodeHealthResult;
  health: NodeHealth;
  taints: Taint[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function planNodeLifecycle(input: NodeLifecycleInput): NodeLifecyclePlan {
  const opts = { ...DEFAULT_NODE_LIFECYCLE_OPTIONS, ...input.options };
  const { now } = input;
  const at = rfc3339(now);
  const prev: NodeLifecycleState = input.state ?? emptyNodeLifecycleState();
  const plan: NodeLifecyclePlan = { nodeStatusUpdates: [], taintUpdates: [], evictions: [], zoneStates: {}, allZonesDisrupted: false, state: emptyNodeLifecycleState() };
  const wake = (t: number | undefined) => {
    if (t === undefined || !(t > now)) return;
    const w = Math.ceil(t);
    if (plan.nextWakeAt === undefined || w < plan.nextWakeAt) plan.nextWakeAt = w;
  };

  const leases = new Map<string, Lease>();
  for (const l of input.leases) if ((l.metadata.namespace ?? NODE_LEASE_NAMESPACE) === NODE_LEASE_NAMESPACE && l.metadata.name) leases.set(l.metadata.name, l);

  // 1. Health: who has gone silent, and their conditions.
  const views: NodeView[] = [];
  for (const node of input.nodes) {
    const name = node.metadata.name ?? "";
    if (!name) continue;
    const saved = prev.nodes[name];
    const result = observeNodeHealth(node, leases.get(name), saved, now, opts);
    views.push({ node, name, zone: zoneKey(node), isNew: !saved, result, health: result.health, taints: [...(node.spec?.taints ?? [])] });
    if (result.statusUpdate) plan.nodeStatusUpdates.push({ name, ...resourceVersion(node), conditions: result.statusUpdate });
  }
  views.sort(byName);
  plan.nodeStatusUpdates.sort(byName);

  // 2. Zones: their states and tainting rates.
  const disruption = handleDisruption(prev.zones, views.map((v) => ({ zone: v.zone, excluded: isExcludedFromDisruptionChecks(v.node), ready: v.result.ready })), now, opts);
  const zones = disruption.zones;
  plan.allZonesDisrupted = disruption.allDisrupted;
  for (const v of views) {
    // Leaving "all nodes unhealthy": every node gets a full grace period from now.
    if (disruption.exited) v.health = { ...v.health, probeTimestamp: now, readyTransitionTimestamp: now };
    const staleAt = v.health.probeTimestamp + v.result.gracePeriodMs;
    if (now <= staleAt) wake(staleAt + 1);
  }

  // 3. Taints: NoSchedule at once; NoExecute at once when swapping or removing, queued when adding.
  for (const v of views) {
    v.taints = reconcileNoScheduleTaints(v.taints, v.result.conditions, v.node.spec?.unschedulable, at);
    const d = planNoExecute(v.taints, v.result.ready, { isNew: v.isNew, allDisrupted: disruption.allDisrupted }, at);
    v.taints = d.taints;
    if (d.queue) v.health = { ...v.health, taintQueuedAt: v.health.taintQueuedAt ?? now };
    else if (v.health.taintQueuedAt !== undefined) v.health = dequeued(v.health);
  }
  if (!disruption.allDisrupted) {
    for (const [zone, z] of Object.entries(zones).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const queue = views
        .filter((v) => v.zone === zone && v.health.taintQueuedAt !== undefined)
        .sort((a, b) => a.health.taintQueuedAt! - b.health.taintQueuedAt! || byName(a, b));
      for (const v of queue) {
        if (!tryAccept(z, now)) break;
        v.taints = applyQueuedNoExecute(v.taints, v.result.ready, at);
        v.health = dequeued(v.health);
      }
      if (views.some((v) => v.zone === zone && v.health.taintQueuedAt !== undefined) && z.qps > 0) wake(z.tokenAt);
    }
  }
  for (const v of views) {
    const before = v.node.spec?.taints ?? [];
    if (!sameTaints(v.taints, before)) plan.taintUpdates.push({ name: v.name, ...resourceVersion(v.node), taints: v.taints, ...taintEdits(before, v.taints) });
  }

  // 4. Taint eviction, against the taints as this pass leaves them.
  const podsByNode = new Map<string, PodOnNode[]>();
  for (const p of input.pods) {
    const list = podsByNode.get(p.nodeName) ?? [];
    list.push(p);
    podsByNode.set(p.nodeName, list);
  }
  for (const v of views) {
    const r = planTaintEviction({ nodeName: v.name, taints: v.taints, pods: podsByNode.get(v.name) ?? [], memory: prev.pods, nodeKnown: !v.isNew, now });
    plan.evictions.push(...r.evictions);
    Object.assign(plan.state.pods, r.memory);
    wake(r.nextDueAt);
  }

  for (const v of views) plan.state.nodes[v.name] = v.health;
  plan.state.zones = zones;
  const states: Record<string, ZoneState> = {};
  for (const [k, z] of Object.entries(zones)) states[k] = z.state;
  plan.zoneStates = states;
  return plan;
}

function dequeued(h: NodeHealth): NodeHealth {
  const { taintQueuedAt: _, ...rest } = h;
  return rest;
}

function resourceVersion(node: Node): { resourceVersion?: string } {
  return node.metadata.resourceVersion ? { resourceVersion: node.metadata.resourceVersion } : {};
}
