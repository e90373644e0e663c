// Taint eviction timing: which toleration counts, from when, and what is skipped.
import { describe, expect, it } from "vitest";
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Taint, Toleration } from "../../apis/core/v1/taints.js";
import { getMatchingTolerations, minTolerationSeconds, planTaintEviction, podOnNode } from "./eviction.js";
import type { PodOnNode } from "./types.js";

const T = Date.parse("2025-01-01T00:00:00Z");
const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2025-01-01T00:00:00Z" };
const pod = (name: string, tolerations?: Toleration[], extra: Partial<PodOnNode> = {}): PodOnNode => ({ namespace: "ns", name, uid: `u-${name}`, nodeName: "n", ...(tolerations ? { tolerations } : {}), ...extra });
const tol = (seconds?: number, key = "node.kubernetes.io/unreachable"): Toleration => ({ key, operator: "Exists", effect: "NoExecute", ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });

describe("getMatchingTolerations / minTolerationSeconds", () => {
  it("uses the first toleration matching each taint", () => {
    const forever: Toleration = { operator: "Exists" };
    expect(getMatchingTolerations([unreachable], [forever, tol(300)]).used).toEqual([forever]);
    expect(getMatchingTolerations([unreachable, { key: "x", effect: "NoExecute" }], [tol(300)])).toEqual({ allTolerated: false, used: [] });
  });

  it("takes the shortest seconds, counts negative as 0 and none as forever", () => {
    expect(minTolerationSeconds([tol(300), tol(20), tol()])).toBe(20);
    expect(minTolerationSeconds([tol(300), tol(-5)])).toBe(0);
    expect(minTolerationSeconds([tol(), tol()])).toBe(-1);
  });
});

describe("planTaintEviction", () => {
  const base = { nodeName: "n", taints: [unreachable], memory: {}, nodeKnown: true };

  it("evicts an untolerating pod now, schedules a tolerating one, skips forever and terminating pods", () => {
    const r = planTaintEviction({ ...base, now: T, pods: [pod("a"), pod("b", [tol(2)]), pod("c", [tol()]), pod("d", undefined, { deletionTimestamp: "2025-01-01T00:00:00Z" })] });
    expect(r.evictions.map((e) => [e.name, e.reason, e.message])).toEqual([["a", "TaintManagerEviction", "Marking for deletion Pod ns/a"]]);
    expect(r.memory).toEqual({ "u-b": { nodeName: "n", since: T } });
    expect(r.nextDueAt).toBe(T + 2_000);
  });

  it("counts from when the pod was first seen tolerating, across passes", () => {
    const memory = { "u-b": { nodeName: "n", since: T } };
    expect(planTaintEviction({ ...base, memory, now: T + 1_999, pods: [pod("b", [tol(2)])] }).evictions).toEqual([]);
    expect(planTaintEviction({ ...base, memory, now: T + 2_000, pods: [pod("b", [tol(2)])] }).evictions.map((e) => e.name)).toEqual(["b"]);
    // A pod newly on a node already tainted starts now; memory from another node does not count.
    const moved = { "u-b": { nodeName: "other", since: T } };
    expect(planTaintEviction({ ...base, memory: moved, now: T + 60_000, pods: [pod("b", [tol(2)])] }).nextDueAt).toBe(T + 62_000);
  });

  it("without memory of the node, counts from the oldest NoExecute timeAdded", () => {
    const r = planTaintEviction({ ...base, nodeKnown: false, now: T + 1_000, pods: [pod("b", [tol(2)])] });
    expect(r.nextDueAt).toBe(T + 2_000);
    expect(planTaintEviction({ ...base, nodeKnown: false, now: T + 5_000, pods: [pod("b", [tol(2)])] }).evictions).toHaveLength(1);
  });

  it("does nothing on a node without NoExecute taints", () => {
    const r = planTaintEviction({ ...base, taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }], now: T, pods: [pod("a")] });
    expect(r).toEqual({ evictions: [], memory: {} });
  });
});

describe("podOnNode", () => {
  it("reads a bound pod and ignores an unbound one", () => {
    const p = { apiVersion: "v1", kind: "Pod", metadata: { namespace: "ns", name: "p", uid: "u" }, spec: { nodeName: "n", tolerations: [tol(1)], containers: [] } } as unknown as Pod;
    expect(podOnNode(p)).toEqual({ namespace: "ns", name: "p", uid: "u", nodeName: "n", tolerations: [tol(1)] });
    expect(podOnNode({ ...p, spec: { ...p.spec, nodeName: undefined } } as Pod)).toBeUndefined();
  });
});
