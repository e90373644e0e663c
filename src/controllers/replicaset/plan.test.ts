import { describe, expect, it } from "vitest";
import { type Pod, PodSchema } from "../../apis/core/v1/pod.js";
import { type ReplicaSet, ReplicaSetSchema } from "../../apis/apps/v1/replicaset.js";
import { rfc3339 } from "../../lib/clock.js";
import { activePodLess, podsToDelete } from "./pods.js";
import { type ReplicaSetAction, plan } from "./plan.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");

function makeRS(over: { replicas?: number; minReadySeconds?: number; deleting?: boolean } = {}): ReplicaSet {
  return ReplicaSetSchema.parse({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default", uid: "rs-uid", generation: 2, ...(over.deleting ? { deletionTimestamp: rfc3339(T0) } : {}) },
    spec: {
      replicas: over.replicas ?? 3,
      minReadySeconds: over.minReadySeconds,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web", tier: "fe" }, annotations: { note: "x" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  });
}

interface PodOpts {
  node?: string;
  phase?: string;
  readySince?: number;
  restarts?: number;
  created?: number;
  labels?: Record<string, string>;
  owner?: string | null;
  deleting?: boolean;
  cost?: number;
}

function makePod(name: string, o: PodOpts = {}): Pod {
  return PodSchema.parse({
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: "7",
      creationTimestamp: rfc3339(o.created ?? T0 - 3600_000),
      labels: o.labels ?? { app: "web", tier: "fe" },
      ...(o.cost !== undefined ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": String(o.cost) } } : {}),
      ...(o.owner === null ? {} : { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: o.owner ?? "rs-uid", controller: true }] }),
      ...(o.deleting ? { deletionTimestamp: rfc3339(T0) } : {}),
    },
    spec: { nodeName: o.node ?? "node-a", containers: [{ name: "c", image: "nginx" }] },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.readySince !== undefined ? [{ type: "Ready", status: "True", lastTransitionTime: rfc3339(o.readySince) }] : [{ type: "Ready", status: "False" }],
      containerStatuses: [{ name: "c", restartCount: o.restarts ?? 0, ready: o.readySince !== undefined, image: "nginx", imageID: "" }],
    },
  });
}

const ready = (name: string, o: PodOpts = {}) => makePod(name, { readySince: T0 - 600_000, ...o });
const types = (actions: ReplicaSetAction[]) => actions.map((a) => a.type);
let n = 0;
const suffix = () => `s${String(n++).padStart(4, "0")}`;

describe("replica count", () => {
  it("creates the missing pods from the template with a controller reference", () => {
    const { actions, status } = plan(makeRS(), [], { now: T0, randomSuffix: () => "bcd42" });
    expect(types(actions)).toEqual(["createPod", "createPod", "createPod"]);
    const pod = (actions[0] as Extract<ReplicaSetAction, { type: "createPod" }>).pod;
    expect(pod.metadata).toEqual({
      generateName: "web-",
      name: "web-bcd42",
      namespace: "default",
      labels: { app: "web", tier: "fe" },
      annotations: { note: "x" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-uid", controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec.containers![0].image).toBe("nginx");
    expect(status).toEqual({ replicas: 0, observedGeneration: 2 });
  });

  it("converges step by step: create, then nothing, then delete the surplus", () => {
    const rs = makeRS({ replicas: 2 });
    expect(types(plan(rs, [ready("a")], { now: T0, randomSuffix: suffix }).actions)).toEqual(["createPod"]);
    const steady = plan(rs, [ready("a"), ready("b")], { now: T0 });
    expect(steady.actions).toEqual([]);
    expect(steady.status).toEqual({ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 });
    const down = plan(makeRS({ replicas: 1 }), [ready("a"), ready("b")], { now: T0 });
    expect(types(down.actions)).toEqual(["deletePod"]);
    expect(down.actions[0]).toMatchObject({ uid: expect.stringMatching(/^uid-/), resourceVersion: "7" });
  });

  it("caps one sync at the burst", () => {
    expect(plan(makeRS({ replicas: 600 }), [], { now: T0, randomSuffix: suffix }).actions).toHaveLength(500);
    expect(plan(makeRS({ replicas: 10 }), [], { now: T0, randomSuffix: suffix, burst: 4 }).actions).toHaveLength(4);
  });

  it("leaves creations and deletions alone while expectations are pending or the set is deleted", () => {
    expect(plan(makeRS(), [], { now: T0, expectationsSatisfied: false }).actions).toEqual([]);
    expect(plan(makeRS({ deleting: true }), [], { now: T0 }).actions).toEqual([]);
  });

  it("does not count terminating or finished pods", () => {
    const pods = [ready("a"), ready("b", { deleting: true }), makePod("c", { phase: "Succeeded" }), makePod("d", { phase: "Failed" })];
    const { actions, status } = plan(makeRS({ replicas: 2 }), pods, { now: T0, randomSuffix: suffix });
    expect(types(actions)).toEqual(["createPod"]);
    expect(status.replicas).toBe(1);
  });
});

describe("deletion victims", () => {
  it("ranks as upstream's ActivePods: unassigned, Pending, Unknown, not ready, cost, colocated, ready shortest, restarts, newest", () => {
    const now = T0;
    const pods = [
      ready("oldest-ready", { readySince: now - 86400_000 * 30, created: now - 86400_000 * 40, node: "n1" }),
      ready("ready-1h", { readySince: now - 3600_000, node: "n2" }),
      ready("ready-1m", { readySince: now - 60_000, node: "n3" }),
      ready("restarts", { readySince: now - 86400_000 * 30, created: now - 86400_000 * 40, restarts: 5, node: "n4" }),
      makePod("not-ready", { node: "n5" }),
      makePod("unknown", { phase: "Unknown", node: "n6" }),
      makePod("pending", { phase: "Pending", node: "n7" }),
      makePod("unassigned", { phase: "Pending", node: "" }),
      ready("cheap", { readySince: now - 86400_000 * 30, created: now - 86400_000 * 40, cost: -10, node: "n8" }),
    ];
    const order = podsToDelete(pods, pods, pods.length - 1, now).map((p) => p.metadata.name);
    expect(order).toEqual(["unassigned", "pending", "unknown", "not-ready", "cheap", "ready-1m", "ready-1h", "restarts"]);
  });

  it("prefers pods doubled up on a node with related pods", () => {
    const a = ready("alone", { node: "n1" });
    const b = ready("crowded", { node: "n2" });
    const sibling = ready("sibling", { node: "n2", owner: "other-rs" });
    expect(podsToDelete([a, b], [a, b, sibling], 1, T0).map((p) => p.metadata.name)).toEqual(["crowded"]);
  });

  it("deletes newer pods first when everything else is equal (log scale, then uid)", () => {
    const older = ready("older", { created: T0 - 86400_000 * 10 });
    const newer = ready("newer", { created: T0 - 60_000 });
    expect(activePodLess(newer, older, 0, 0, T0)).toBe(true);
    expect(activePodLess(older, newer, 0, 0, T0)).toBe(false);
    // Within the same power of two, the uid decides.
    const x = ready("x", { created: T0 - 1000_000 });
    const y = ready("y", { created: T0 - 1001_000 });
    expect(activePodLess(x, y, 0, 0, T0)).toBe(true);
    expect(activePodLess(y, x, 0, 0, T0)).toBe(false);
  });

  it("plans deletions of the lowest-ranked pods", () => {
    const pods = [ready("good"), makePod("bad"), makePod("worse", { phase: "Pending" })];
    const { actions } = plan(makeRS({ replicas: 1 }), pods, { now: T0 });
    expect(actions.map((a) => (a as { name: string }).name)).toEqual(["worse", "bad"]);
  });
});

describe("claiming", () => {
  it("adopts matching orphans and counts them", () => {
    const { actions, status } = plan(makeRS({ replicas: 2 }), [ready("mine"), ready("orphan", { owner: null })], { now: T0 });
    expect(actions).toEqual([
      { type: "adoptPod", name: "orphan", uid: "uid-orphan", ownerReference: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-uid", controller: true, blockOwnerDeletion: true } },
    ]);
    expect(status.replicas).toBe(2);
  });

  it("ignores terminating orphans, non-matching orphans and other controllers' pods", () => {
    const pods = [
      ready("mine"),
      ready("dying", { owner: null, deleting: true }),
      ready("stranger", { owner: null, labels: { app: "db" } }),
      ready("foreign", { owner: "someone-else" }),
    ];
    const { actions } = plan(makeRS({ replicas: 1 }), pods, { now: T0 });
    expect(actions).toEqual([]);
  });

  it("releases owned pods whose labels no longer match, and replaces them", () => {
    const { actions, status } = plan(makeRS({ replicas: 2 }), [ready("mine"), ready("relabelled", { labels: { app: "debug" } })], { now: T0, randomSuffix: suffix });
    expect(actions[0]).toEqual({ type: "releasePod", name: "relabelled", uid: "uid-relabelled", ownerUid: "rs-uid" });
    expect(types(actions)).toEqual(["releasePod", "createPod"]);
    expect(status.replicas).toBe(1);
  });

  it("neither adopts nor releases while the ReplicaSet is being deleted", () => {
    const pods = [ready("orphan", { owner: null }), ready("relabelled", { labels: { app: "debug" } })];
    expect(plan(makeRS({ deleting: true }), pods, { now: T0 }).actions).toEqual([]);
  });
});

describe("status", () => {
  it("counts availability after minReadySeconds from the Ready transition, and asks to come back", () => {
    const rs = makeRS({ replicas: 2, minReadySeconds: 10 });
    const pods = [ready("a", { readySince: T0 - 5_000 }), ready("b", { readySince: T0 - 60_000 })];
    const early = plan(rs, pods, { now: T0 });
    expect(early.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 1 });
    expect(early.requeueAfterSeconds).toBe(10);
    const later = plan(rs, pods, { now: T0 + 5_001 });
    expect(later.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    expect(later.requeueAfterSeconds).toBeUndefined();
    // Exactly minReadySeconds is not yet available (strictly before now).
    expect(plan(rs, pods, { now: T0 + 5_000 }).status.availableReplicas).toBe(1);
  });

  it("counts fully labelled replicas against the template's labels", () => {
    const { status } = plan(makeRS({ replicas: 2 }), [ready("a"), ready("b", { labels: { app: "web" } })], { now: T0 });
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 1 });
  });

  it("sets ReplicaFailure on a failed create and clears it once syncs succeed", () => {
    const failed = plan(makeRS({ replicas: 2 }), [ready("a")], { now: T0, lastError: 'pods "web-x" is forbidden: exceeded quota', randomSuffix: suffix });
    expect(failed.status.conditions).toEqual([
      { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(T0), reason: "FailedCreate", message: 'pods "web-x" is forbidden: exceeded quota' },
    ]);
    const rs = makeRS({ replicas: 2 });
    rs.status = failed.status;
    expect(plan(rs, [ready("a"), ready("b")], { now: T0 + 1000 }).status.conditions).toBeUndefined();
  });
});
