// Node health as upstream's tryUpdateNodeHealth judges it: a node is alive while we, on our own
// clock, have seen its Lease renewTime or its Ready heartbeat change within the grace period;
// once it has not, its conditions become Unknown. The node's own timestamps are only compared
// for change, never against our clock.
import type { Lease } from "../../apis/coordination/v1/lease.js";
import type { Node } from "../../apis/core/v1/node.js";
import { rfc3339 } from "../../lib/clock.js";
import type { NodeCondition, NodeHealth, NodeLifecycleOptions, ObservedReady } from "./types.js";

/** The conditions a silent node's are turned Unknown (NetworkUnavailable stays: the control plane owns it). */
export const MONITORED_CONDITION_TYPES = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] as const;

export const REASON_NODE_STATUS_UNKNOWN = "NodeStatusUnknown";
export const MESSAGE_NODE_STATUS_UNKNOWN = "Kubelet stopped posting node status.";
export const REASON_NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated";
export const MESSAGE_NODE_STATUS_NEVER_UPDATED = "Kubelet never posted node status.";

export interface NodeHealthResult {
  health: NodeHealth;
  /** The node's conditions after this pass (the ones written, when statusUpdate is set). */
  conditions: NodeCondition[];
  /** Set when status.conditions must be written. */
  statusUpdate?: NodeCondition[];
  /** The Ready status after this pass; undefined while the node never posted one (startup grace). */
  ready?: string;
  /** The grace period that applies: the startup one while the node never posted Ready. */
  gracePeriodMs: number;
}

export function readyCondition(conditions: readonly NodeCondition[] | undefined): NodeCondition | undefined {
  return conditions?.find((c) => c.type === "Ready");
}

function observed(c: NodeCondition): ObservedReady {
  const o: ObservedReady = { status: c.status ?? "" };
  if (c.lastHeartbeatTime !== undefined) o.lastHeartbeatTime = c.lastHeartbeatTime;
  if (c.lastTransitionTime !== undefined) o.lastTransitionTime = c.lastTransitionTime;
  return o;
}

/**
 * MicroTime to microseconds since the epoch (Date.parse keeps only milliseconds); undefined when
 * unparseable.
 */
export function microTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const frac = /\.(\d+)/.exec(s);
  const ms = Date.parse(s.replace(/\.\d+/, ""));
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + (frac ? Number(frac[1].padEnd(6, "0").slice(0, 6)) : 0);
}

/** metav1.MicroTime.Before(observed): strictly later renewTime means the lease was renewed. */
function renewed(saved: { renewTime?: string } | undefined, lease: Lease): boolean {
  if (!saved) return true;
  const a = microTime(saved.renewTime);
  const b = microTime(lease.spec?.renewTime);
  if (a === undefined || b === undefined) return false;
  return a < b;
}

/**
 * One node's health this pass. `saved` is the previous pass's memory of it (undefined the first
 * time); `lease` its Lease in kube-node-lease, if any.
 */
export function observeNodeHealth(node: Node, lease: Lease | undefined, saved: NodeHealth | undefined, now: number, opts: NodeLifecycleOptions): NodeHealthResult {
  const conditions = node.status?.conditions ?? [];
  const current = readyCondition(conditions);
  const created = Date.parse(node.metadata.creationTimestamp ?? "");
  const createdAt = Number.isNaN(created) ? now : Math.min(created, now);
  const grace = current ? opts.nodeMonitorGracePeriodMs : opts.nodeStartupGracePeriodMs;

  let health: NodeHealth;
  if (!saved) {
    // A node never posted: its grace runs from its creation (the API server's clock, not the node's).
    health = current ? { probeTimestamp: now, readyTransitionTimestamp: now } : { probeTimestamp: createdAt, readyTransitionTimestamp: createdAt };
  } else if (!current) {
    health = { ...saved };
    delete health.ready;
  } else if (!saved.ready) {
    health = { ...saved, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if (saved.ready.lastHeartbeatTime !== current.lastHeartbeatTime) {
    // The kubelet posted status. Only the heartbeat counts: our own Unknown write keeps it, so a
    // write that failed is not mistaken for the node coming back.
    const transitioned = saved.ready.lastTransitionTime !== current.lastTransitionTime;
    health = { ...saved, probeTimestamp: now, readyTransitionTimestamp: transitioned ? now : saved.readyTransitionTimestamp };
  } else {
    health = { ...saved };
  }
  if (current && (!saved?.ready || saved.ready.lastHeartbeatTime !== current.lastHeartbeatTime)) health.ready = observed(current);
  if (lease && renewed(saved?.lease, lease)) {
    health.lease = lease.spec?.renewTime !== undefined ? { renewTime: lease.spec.renewTime } : {};
    health.probeTimestamp = now;
  }
  if (!lease) delete health.lease;

  const result: NodeHealthResult = { health, conditions: [...conditions], ready: current?.status, gracePeriodMs: grace };
  if (now <= health.probeTimestamp + grace) return result;

  // Silent for longer than the grace period: everything the kubelet reports is Unknown now.
  const at = rfc3339(now);
  const next = conditions.map((c) => ({ ...c }));
  for (const type of MONITORED_CONDITION_TYPES) {
    const c = next.find((x) => x.type === type);
    if (!c) {
      next.push({
        type,
        status: "Unknown",
        reason: REASON_NODE_STATUS_NEVER_UPDATED,
        message: MESSAGE_NODE_STATUS_NEVER_UPDATED,
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: at,
      });
    } else if (c.status !== "Unknown") {
      c.status = "Unknown";
      c.reason = REASON_NODE_STATUS_UNKNOWN;
      c.message = MESSAGE_NODE_STATUS_UNKNOWN;
      c.lastTransitionTime = at;
    }
  }
  // As upstream, the status is written only when Ready itself changes: a node already Unknown is
  // left alone pass after pass.
  if (current?.status === "Unknown") return result;
  const ready = readyCondition(next)!;
  health.ready = observed(ready);
  health.readyTransitionTimestamp = now;
  return { health, conditions: next, statusUpdate: next, ready: "Unknown", gracePeriodMs: grace };
}
