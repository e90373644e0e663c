import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import { type GarbageCollectorInput, type Item, type OwnerLookup, type OwnerReference, needsDependents, plan } from "./plan.js";

const T = "2025-01-01T00:00:00Z";

function obj(name: string, o: { uid?: string; refs?: OwnerReference[]; finalizers?: string[]; deleting?: boolean; namespace?: string } = {}): KubeObject {
  return {
    metadata: {
      name,
      ...(o.namespace === "" ? {} : { namespace: o.namespace ?? "default" }),
      uid: o.uid ?? `uid-${name}`,
      resourceVersion: "7",
      ...(o.refs ? { ownerReferences: o.refs } : {}),
      ...(o.finalizers ? { finalizers: o.finalizers } : {}),
      ...(o.deleting ? { deletionTimestamp: T } : {}),
    },
  };
}

const ref = (name: string, o: { uid?: string; block?: boolean; kind?: string; apiVersion?: string } = {}): OwnerReference => ({
  apiVersion: o.apiVersion ?? "apps/v1",
  kind: o.kind ?? "ReplicaSet",
  name,
  uid: o.uid ?? `uid-${name}`,
  ...(o.block !== undefined ? { blockOwnerDeletion: o.block } : {}),
});

const item = (o: KubeObject, key = `default/pods~${o.metadata.name}`): Item => ({ key, object: o });
const found = (owner: KubeObject): OwnerLookup => ({ state: "found", owner });

function input(it: KubeObject, lookups: OwnerLookup[], dependents: Item[] = []): GarbageCollectorInput {
  const refs = it.metadata.ownerReferences ?? [];
  return { item: item(it), owners: refs.map((r, i) => ({ ref: r, lookup: lookups[i] })), dependents };
}

describe("attemptToDeleteItem", () => {
  it("keeps an object without owners or with a live owner", () => {
    expect(plan(input(obj("p"), []))).toEqual({ outcome: "ownersAlive", actions: [] });
    const p = obj("p", { refs: [ref("rs")] });
    expect(plan(input(p, [found(obj("rs"))]))).toEqual({ outcome: "ownersAlive", actions: [] });
  });

  it("collects an object whose owner is gone, or was replaced by another of the same name", () => {
    const p = obj("p", { refs: [ref("rs")] });
    for (const lookup of [{ state: "notFound" } as OwnerLookup, found(obj("rs", { uid: "someone-else" }))]) {
      expect(plan(input(p, [lookup]))).toEqual({ outcome: "collect", actions: [{ type: "delete", key: "default/pods~p", uid: "uid-p", propagationPolicy: "Background" }] });
    }
  });

  it("collects an object whose owner is being deleted without waiting for dependents only once it is gone", () => {
    const p = obj("p", { refs: [ref("rs")] });
    expect(plan(input(p, [found(obj("rs", { deleting: true, finalizers: ["example.com/hold"] }))])).outcome).toBe("ownersAlive");
  });

  it("honours a propagation finalizer already on the collected object", () => {
    const orphaning = obj("p", { refs: [ref("rs")], finalizers: ["orphan"] });
    expect(plan(input(orphaning, [{ state: "notFound" }])).actions).toMatchObject([{ type: "delete", propagationPolicy: "Orphan" }]);
    const fg = obj("p", { refs: [ref("rs")], finalizers: ["foregroundDeletion"] });
    expect(plan(input(fg, [{ state: "notFound" }])).actions).toMatchObject([{ type: "delete", propagationPolicy: "Foreground" }]);
  });

  it("with a solid owner, only drops the dangling and waiting references", () => {
    const refs = [ref("live"), ref("gone"), ref("waiting", { block: true })];
    const p = obj("p", { refs });
    const out = plan(input(p, [found(obj("live")), { state: "notFound" }, found(obj("waiting", { deleting: true, finalizers: ["foregroundDeletion"] }))]));
    expect(out).toEqual({
      outcome: "removeStaleReferences",
      actions: [{ type: "setOwnerReferences", key: "default/pods~p", uid: "uid-p", resourceVersion: "7", ownerReferences: [refs[0]] }],
    });
  });

  it("deletes in the foreground an object with dependents whose owner waits for its dependents", () => {
    const rs = obj("rs", { refs: [ref("d", { kind: "Deployment", block: true })] });
    const pod = item(obj("p", { refs: [ref("rs", { block: true })] }));
    const d = obj("d", { deleting: true, finalizers: ["foregroundDeletion"] });
    expect(plan(input(rs, [found(d)], [pod]))).toEqual({
      outcome: "collect",
      actions: [{ type: "delete", key: "default/pods~rs", uid: "uid-rs", propagationPolicy: "Foreground" }],
    });
    // Without dependents, a waiting owner is no reason for the foreground.
    expect(plan(input(rs, [found(d)])).actions).toMatchObject([{ type: "delete", propagationPolicy: "Background" }]);
  });

  it("unblocks its owners first when a dependent is itself waiting for its dependents (a possible cycle)", () => {
    const a = obj("a", { uid: "uid-a", refs: [ref("b", { kind: "ConfigMap", apiVersion: "v1", block: true })] });
    const b = obj("b", { uid: "uid-b", refs: [ref("a", { kind: "ConfigMap", apiVersion: "v1", block: true })], deleting: true, finalizers: ["foregroundDeletion"] });
    const out = plan({ ...input(a, [found(b)], [item(b, "default/configmaps~b")]), item: item(a, "default/configmaps~a") });
    expect(out.actions).toEqual([
      { type: "setOwnerReferences", key: "default/configmaps~a", uid: "uid-a", resourceVersion: "7", ownerReferences: [{ ...a.metadata.ownerReferences![0], blockOwnerDeletion: false }] },
      { type: "delete", key: "default/configmaps~a", uid: "uid-a", propagationPolicy: "Foreground" },
    ]);
  });

  it("does nothing while an owner cannot be resolved; warns of a namespaced owner of a cluster-scoped object", () => {
    const p = obj("p", { refs: [ref("gone"), ref("x", { apiVersion: "example.com/v1", kind: "Widget" })] });
    expect(plan(input(p, [{ state: "notFound" }, { state: "unknownKind" }]))).toEqual({ outcome: "unresolvableOwner", actions: [] });

    const node = obj("n1", { namespace: "", uid: "uid-n1", refs: [ref("rs", { uid: "u-rs" })] });
    const out = plan({ item: item(node, "nodes~n1"), owners: [{ ref: node.metadata.ownerReferences![0], lookup: { state: "namespacedOwnerOfClusterScopedObject" } }], dependents: [] });
    expect(out).toEqual({
      outcome: "unresolvableOwner",
      actions: [{ type: "event", key: "nodes~n1", eventType: "Warning", reason: "OwnerRefInvalidNamespace", message: 'ownerRef [apps/v1/ReplicaSet, namespace: , name: rs, uid: u-rs] does not exist in namespace ""' }],
    });
  });
});

describe("owners being deleted", () => {
  it("orphan: every dependent loses its reference to the owner, then the orphan finalizer goes", () => {
    const rs = obj("rs", { deleting: true, finalizers: ["orphan", "example.com/keep"] });
    const other = ref("other");
    const p1 = item(obj("p1", { refs: [ref("rs", { block: true }), other] }));
    const p2 = item(obj("p2", { refs: [ref("rs")] }));
    const stranger = item(obj("p3", { refs: [other] }));
    expect(plan({ item: item(rs), owners: [], dependents: [p1, p2, stranger] })).toEqual({
      outcome: "orphanDependents",
      actions: [
        { type: "setOwnerReferences", key: "default/pods~p1", uid: "uid-p1", resourceVersion: "7", ownerReferences: [other] },
        { type: "setOwnerReferences", key: "default/pods~p2", uid: "uid-p2", resourceVersion: "7", ownerReferences: [] },
        { type: "removeFinalizer", key: "default/pods~rs", uid: "uid-rs", resourceVersion: "7", finalizer: "orphan", finalizers: ["example.com/keep"] },
      ],
    });
  });

  it("foreground: waits while a dependent blocks the owner, then removes foregroundDeletion", () => {
    const rs = obj("rs", { deleting: true, finalizers: ["foregroundDeletion"] });
    const blocking = item(obj("p1", { refs: [ref("rs", { block: true })], deleting: true, finalizers: ["example.com/hold"] }));
    const nonBlocking = item(obj("p2", { refs: [ref("rs", { block: false })] }));
    expect(plan({ item: item(rs), owners: [], dependents: [blocking, nonBlocking] })).toEqual({ outcome: "waitingForDependents", actions: [], waitingFor: ["default/pods~p1"] });
    expect(plan({ item: item(rs), owners: [], dependents: [nonBlocking] })).toEqual({
      outcome: "dependentsDeleted",
      actions: [{ type: "removeFinalizer", key: "default/pods~rs", uid: "uid-rs", resourceVersion: "7", finalizer: "foregroundDeletion", finalizers: [] }],
    });
  });

  it("an object being deleted without a GC finalizer is left to finish", () => {
    const p = obj("p", { deleting: true, refs: [ref("rs")] });
    expect(plan(input(p, [{ state: "notFound" }]))).toEqual({ outcome: "beingDeleted", actions: [] });
  });
});

describe("needsDependents", () => {
  it("only owners deleted with a GC finalizer and objects with a waiting owner read their dependents", () => {
    const waiting = obj("rs", { deleting: true, finalizers: ["foregroundDeletion"] });
    const p = obj("p", { refs: [ref("rs")] });
    expect(needsDependents(p, input(p, [found(obj("rs"))]).owners)).toBe(false);
    expect(needsDependents(p, input(p, [{ state: "notFound" }]).owners)).toBe(false);
    expect(needsDependents(p, input(p, [found(waiting)]).owners)).toBe(true);
    expect(needsDependents(waiting, [])).toBe(true);
    expect(needsDependents(obj("rs", { deleting: true, finalizers: ["orphan"] }), [])).toBe(true);
    expect(needsDependents(obj("rs", { deleting: true, finalizers: ["example.com/x"] }), [])).toBe(false);
  });
});
