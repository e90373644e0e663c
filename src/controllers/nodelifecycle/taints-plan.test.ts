// The controller's NoSchedule and NoExecute taints, before the rate limiter.
import { describe, expect, it } from "vitest";
import type { Taint } from "../../apis/core/v1/taints.js";
import { applyTaintUpdate, planNoExecute, reconcileNoScheduleTaints, swapTaints, taintEdits } from "./taints-plan.js";
import type { NodeCondition } from "./types.js";

const AT = "2025-01-01T00:00:00Z";
const LATER = "2025-01-01T00:01:00Z";
const cond = (type: string, status: string): NodeCondition => ({ type, status });
const keys = (ts: Taint[]) => ts.map((t) => `${t.key}:${t.effect}`);
const ctx = { isNew: false, allDisrupted: false };

describe("reconcileNoScheduleTaints", () => {
  it("mirrors Ready False/Unknown, the pressure conditions and spec.unschedulable", () => {
    expect(keys(reconcileNoScheduleTaints([], [cond("Ready", "False")], false, AT))).toEqual(["node.kubernetes.io/not-ready:NoSchedule"]);
    expect(keys(reconcileNoScheduleTaints([], [cond("Ready", "Unknown")], true, AT))).toEqual(["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"]);
    expect(keys(reconcileNoScheduleTaints([], [cond("MemoryPressure", "True"), cond("DiskPressure", "True"), cond("PIDPressure", "True"), cond("NetworkUnavailable", "True"), cond("Ready", "True")], false, AT))).toEqual([
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/network-unavailable:NoSchedule",
    ]);
    expect(reconcileNoScheduleTaints([], [cond("Ready", "False")], false, AT)[0].timeAdded).toBe(AT);
  });

  it("removes its own when the condition clears, keeps the timeAdded of those still due, and leaves other taints alone", () => {
    const taints: Taint[] = [
      { key: "dedicated", value: "gpu", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", effect: "NoSchedule", timeAdded: AT },
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: AT },
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: AT },
    ];
    expect(reconcileNoScheduleTaints(taints, [cond("Ready", "True")], false, LATER)).toEqual([taints[0], taints[2]]);
    expect(reconcileNoScheduleTaints(taints, [cond("Ready", "False")], true, LATER)).toEqual(taints);
  });
});

describe("planNoExecute", () => {
  const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: AT };
  const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: AT };

  it("queues a not-ready node without the taint, swaps the opposite one at once, keeps the right one", () => {
    expect(planNoExecute([], "Unknown", ctx, LATER)).toEqual({ taints: [], queue: true });
    expect(planNoExecute([notReady], "Unknown", ctx, LATER)).toEqual({ taints: [{ ...unreachable, timeAdded: LATER }], queue: false });
    expect(planNoExecute([unreachable], "False", ctx, LATER)).toEqual({ taints: [{ ...notReady, timeAdded: LATER }], queue: false });
    expect(planNoExecute([unreachable], "Unknown", ctx, LATER)).toEqual({ taints: [unreachable], queue: false });
  });

  it("removes both on Ready True, and withholds them (still queued) when everything is disrupted or the node is new", () => {
    const user: Taint = { key: "user", effect: "NoExecute" };
    expect(planNoExecute([user, unreachable], "True", ctx, LATER)).toEqual({ taints: [user], queue: false });
    expect(planNoExecute([unreachable], "Unknown", { isNew: false, allDisrupted: true }, LATER)).toEqual({ taints: [], queue: true });
    expect(planNoExecute([notReady], "False", { isNew: true, allDisrupted: false }, LATER)).toEqual({ taints: [], queue: true });
  });

  it("leaves a node that never posted Ready as it is", () => {
    expect(planNoExecute([unreachable], undefined, ctx, LATER)).toEqual({ taints: [unreachable], queue: false });
  });
});

describe("swapTaints", () => {
  it("does not add a taint whose key and effect are already there", () => {
    const t: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: AT };
    expect(swapTaints([t], [{ key: t.key, effect: t.effect }], [], LATER)).toEqual([t]);
  });
});

describe("taintEdits / applyTaintUpdate", () => {
  it("replays the change onto a node someone else tainted meanwhile, keeping their taint", () => {
    const before: Taint[] = [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: AT }];
    const after: Taint[] = [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: LATER }, { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: LATER }];
    const edits = taintEdits(before, after);
    expect(edits).toEqual({ add: after, remove: [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" }] });
    const meanwhile: Taint[] = [...before, { key: "maintenance", effect: "NoSchedule" }];
    expect(applyTaintUpdate(meanwhile, edits)).toEqual([{ key: "maintenance", effect: "NoSchedule" }, ...after]);
  });

  it("restamps a taint of the same key and effect in place", () => {
    const edits = taintEdits([{ key: "k", effect: "NoExecute", timeAdded: AT }], [{ key: "k", effect: "NoExecute", timeAdded: LATER }]);
    expect(edits).toEqual({ add: [{ key: "k", effect: "NoExecute", timeAdded: LATER }], remove: [] });
    expect(applyTaintUpdate([{ key: "a", effect: "NoSchedule" }, { key: "k", effect: "NoExecute", timeAdded: AT }], edits)).toEqual([{ key: "a", effect: "NoSchedule" }, { key: "k", effect: "NoExecute", timeAdded: LATER }]);
  });
});
