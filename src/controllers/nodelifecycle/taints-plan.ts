// The taints the node lifecycle controller owns on a node and what they should be: NoSchedule
// taints mirroring the conditions at once (upstream's doNoScheduleTaintingPass), and the
// not-ready/unreachable NoExecute taints that make pods leave (processTaintBaseEviction,
// markNodeAsReachable, doNoExecuteTaintingPass), the latter through the zone's rate limiter.
import { type Taint, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE } from "../../apis/core/v1/taints.js";
import type { NodeCondition } from "./types.js";

export const TAINT_NODE_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_NODE_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_NODE_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
export const TAINT_NODE_PID_PRESSURE = "node.kubernetes.io/pid-pressure";

/** nodeConditionToTaintKeyStatusMap: which condition status calls for which NoSchedule taint. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

type TaintRef = Pick<Taint, "key" | "effect">;

/** Taint.MatchTaint: same key and effect. */
const matches = (a: TaintRef, b: TaintRef) => a.key === b.key && a.effect === b.effect;

export function hasTaint(taints: readonly TaintRef[], ref: TaintRef): boolean {
  return taints.some((t) => matches(t, ref));
}

export const NOT_READY_NO_EXECUTE: TaintRef = { key: TAINT_NODE_NOT_READY, effect: "NoExecute" };
export const UNREACHABLE_NO_EXECUTE: TaintRef = { key: TAINT_NODE_UNREACHABLE, effect: "NoExecute" };

/**
 * SwapNodeControllerTaint: drop the taints matching `remove`, then append those of `add` not
 * already there (key and effect), stamped with `at`. Order of the others is kept.
 */
export function swapTaints(taints: readonly Taint[], add: readonly TaintRef[], remove: readonly TaintRef[], at: string): Taint[] {
  const next = taints.filter((t) => !remove.some((r) => matches(t, r)));
  for (const a of add) if (!hasTaint(next, a)) next.push({ key: a.key, effect: a.effect, timeAdded: at });
  return next;
}

/** The NoSchedule taints the conditions (and spec.unschedulable) call for, in condition order. */
export function conditionTaints(conditions: readonly NodeCondition[], unschedulable: boolean | undefined): TaintRef[] {
  const out: TaintRef[] = [];
  for (const c of conditions) {
    const key = CONDITION_TAINTS[c.type ?? ""]?.[c.status ?? ""];
    if (key) out.push({ key, effect: "NoSchedule" });
  }
  if (unschedulable) out.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" });
  return out;
}

/** doNoScheduleTaintingPass: the controller's NoSchedule taints brought in line with the conditions. */
export function reconcileNoScheduleTaints(taints: readonly Taint[], conditions: readonly NodeCondition[], unschedulable: boolean | undefined, at: string): Taint[] {
  const desired = conditionTaints(conditions, unschedulable);
  const owned = taints.filter((t) => t.effect === "NoSchedule" && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
  const add = desired.filter((d) => !hasTaint(owned, d));
  const remove = owned.filter((o) => !hasTaint(desired, o));
  if (add.length === 0 && remove.length === 0) return [...taints];
  return swapTaints(taints, add, remove, at);
}

/** The NoExecute taint a Ready status calls for, and its opposite; none for True or never posted. */
export function noExecuteTaintFor(ready: string | undefined): { want: TaintRef; opposite: TaintRef } | undefined {
  if (ready === "False") return { want: NOT_READY_NO_EXECUTE, opposite: UNREACHABLE_NO_EXECUTE };
  if (ready === "Unknown") return { want: UNREACHABLE_NO_EXECUTE, opposite: NOT_READY_NO_EXECUTE };
  return undefined;
}

export interface NoExecuteDecision {
  taints: Taint[];
  /** The node waits for its zone's limiter before it gets `noExecuteTaintFor(ready).want`. */
  queue: boolean;
}

export interface NoExecuteContext {
  /** First time this controller (memory) sees the node: upstream marks it reachable first. */
  isNew: boolean;
  /** Every zone is fully disrupted: no NoExecute taint is kept or added. */
  allDisrupted: boolean;
}

/**
 * processTaintBaseEviction for one node, before the rate limiter: Ready True (or a newly seen
 * node, or everything disrupted) loses the NoExecute taints; a not-ready node holding the
 * opposite taint swaps it at once; one holding neither queues. A node that never posted Ready (or
 * posted a status other than True, False, Unknown) is left as it is.
 */
export function planNoExecute(taints: readonly Taint[], ready: string | undefined, ctx: NoExecuteContext, at: string): NoExecuteDecision {
  const target = noExecuteTaintFor(ready);
  if (ready === undefined || (ready !== "True" && !target)) return { taints: [...taints], queue: false };
  if (!target || ctx.isNew || ctx.allDisrupted) {
    return { taints: swapTaints(taints, [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE], at), queue: target !== undefined };
  }
  if (hasTaint(taints, target.want)) return { taints: swapTaints(taints, [], [target.opposite], at), queue: false };
  if (hasTaint(taints, target.opposite)) return { taints: swapTaints(taints, [target.want], [target.opposite], at), queue: false };
  return { taints: [...taints], queue: true };
}

/** doNoExecuteTaintingPass for a node the limiter let through. */
export function applyQueuedNoExecute(taints: readonly Taint[], ready: string | undefined, at: string): Taint[] {
  const target = noExecuteTaintFor(ready);
  return target ? swapTaints(taints, [target.want], [target.opposite], at) : [...taints];
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && (a.value ?? "") === (b.value ?? "") && a.effect === b.effect && a.timeAdded === b.timeAdded;

/** Same taints in the same order (key, value, effect, timeAdded)? */
export function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => sameTaint(t, b[i]));
}

/** The edits that turn `before` into `after`: taints set anew, and key/effect pairs gone. */
export function taintEdits(before: readonly Taint[], after: readonly Taint[]): { add: Taint[]; remove: TaintRef[] } {
  const add = after.filter((t) => !before.some((b) => sameTaint(b, t)));
  const remove = before.filter((b) => !hasTaint(after, b)).map((b) => ({ key: b.key, effect: b.effect }));
  return { add, remove };
}

/** Replays a NodeTaintUpdate's edits onto the node's current spec.taints (for a read-modify-write). */
export function applyTaintUpdate(current: readonly Taint[], update: { add: readonly Taint[]; remove: readonly TaintRef[] }): Taint[] {
  const next = current.filter((t) => !update.remove.some((r) => matches(t, r)));
  for (const a of update.add) {
    const i = next.findIndex((t) => matches(t, a));
    if (i >= 0) next[i] = { ...a };
    else next.push({ ...a });
  }
  return next;
}
