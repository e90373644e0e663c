// What the garbage collector does with one object, as a pure function of the object, what its
// ownerReferences resolve to and its dependents (upstream's attemptToDeleteItem,
// processDeletingDependentsItem and attemptToOrphanWorker in garbagecollector.go).
import type { KubeObject, ObjectMetaLike } from "../../apis/types.js";
import type { PropagationPolicy } from "../../registry/requests.js";

export type OwnerReference = NonNullable<ObjectMetaLike["ownerReferences"]>[number];

/** metav1.FinalizerOrphanDependents: the owner goes once its dependents no longer name it. */
export const FINALIZER_ORPHAN = "orphan";
/** metav1.FinalizerDeleteDependents: the owner goes once its blocking dependents are gone. */
export const FINALIZER_FOREGROUND = "foregroundDeletion";

/** What an ownerReference resolved to. */
export type OwnerLookup =
  /** The object of that kind and name; its uid may differ from the reference's (a successor). */
  | { state: "found"; owner: KubeObject }
  | { state: "notFound" }
  /** The apiVersion and kind name no served kind (upstream: a restMappingError, retried). */
  | { state: "unknownKind" }
  /** A cluster-scoped object naming a namespaced kind: never resolvable (upstream: namespacedOwnerOfClusterScopedObjectErr). */
  | { state: "namespacedOwnerOfClusterScopedObject" };

/** An object and its work key. */
export interface Item {
  key: string;
  object: KubeObject;
}

export interface GarbageCollectorInput {
  item: Item;
  /** The item's ownerReferences, each with what it resolved to (unused while the item is being deleted). */
  owners: Array<{ ref: OwnerReference; lookup: OwnerLookup }>;
  /** Objects of the item's store whose ownerReferences name the item's uid (may be left out when !needsDependents). */
  dependents: Item[];
}

export type GarbageCollectorAction =
  /** DELETE with the uid as precondition. */
  | { type: "delete"; key: string; uid: string; propagationPolicy: PropagationPolicy }
  /** Replace the object's ownerReferences; uid and resourceVersion are preconditions. */
  | { type: "setOwnerReferences"; key: string; uid: string; resourceVersion: string; ownerReferences: OwnerReference[] }
  /** Remove one finalizer (`finalizers` is what remains); uid and resourceVersion are preconditions. */
  | { type: "removeFinalizer"; key: string; uid: string; resourceVersion: string; finalizer: string; finalizers: string[] }
  | { type: "event"; key: string; eventType: "Warning"; reason: string; message: string };

export type GarbageCollectorOutcome =
  /** Nothing to do: the object has no owners, or a solid owner and no stale reference. */
  | "ownersAlive"
  /** Deletion in progress without a finalizer of the GC: wait for it to finish. */
  | "beingDeleted"
  | "unresolvableOwner"
  | "removeStaleReferences"
  | "collect"
  | "orphanDependents"
  | "waitingForDependents"
  | "dependentsDeleted";

export interface GarbageCollectorPlan {
  outcome: GarbageCollectorOutcome;
  actions: GarbageCollectorAction[];
  /** Keys of the blocking dependents an owner in foreground deletion waits for. */
  waitingFor?: string[];
}

export const hasFinalizer = (obj: KubeObject, f: string): boolean => (obj.metadata.finalizers ?? []).includes(f);

/** Upstream's node.isDeletingDependents: deletion started with the foregroundDeletion finalizer. */
export const isDeletingDependents = (obj: KubeObject): boolean => !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FINALIZER_FOREGROUND);

/** The references of `obj` to the owner with `uid`. */
const refsTo = (obj: KubeObject, uid: string): OwnerReference[] => (obj.metadata.ownerReferences ?? []).filter((r) => r.uid === uid);

/**
 * Whether the plan can need the item's dependents: an owner being deleted with a finalizer of
 * the GC, or an object one of whose owners waits for its dependents. Most reconciles (a pod
 * with a live owner) skip reading them.
 */
export function needsDependents(item: KubeObject, owners: GarbageCollectorInput["owners"]): boolean {
  if (item.metadata.deletionTimestamp) return hasFinalizer(item, FINALIZER_ORPHAN) || hasFinalizer(item, FINALIZER_FOREGROUND);
  return owners.some(({ ref, lookup }) => lookup.state === "found" && lookup.owner.metadata.uid === ref.uid && isDeletingDependents(lookup.owner));
}

export function plan(input: GarbageCollectorInput): GarbageCollectorPlan {
  const { item } = input;
  const meta = item.object.metadata;
  const uid = meta.uid ?? "";
  const dependents = input.dependents.filter((d) => refsTo(d.object, uid).length > 0);

  if (meta.deletionTimestamp) {
    // attemptToOrphanWorker: the dependents let go of the owner, then the owner goes.
    if (hasFinalizer(item.object, FINALIZER_ORPHAN)) {
      const actions: GarbageCollectorAction[] = dependents.map((d) => ({
        type: "setOwnerReferences",
        key: d.key,
        uid: d.object.metadata.uid ?? "",
        resourceVersion: d.object.metadata.resourceVersion ?? "",
        ownerReferences: (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      }));
      actions.push(removeFinalizer(item, FINALIZER_ORPHAN));
      return { outcome: "orphanDependents", actions };
    }
    // processDeletingDependentsItem: the owner waits for dependents that block its deletion.
    if (hasFinalizer(item.object, FINALIZER_FOREGROUND)) {
      const blocking = dependents.filter((d) => refsTo(d.object, uid).some((r) => r.blockOwnerDeletion === true));
      if (blocking.length === 0) return { outcome: "dependentsDeleted", actions: [removeFinalizer(item, FINALIZER_FOREGROUND)] };
      return { outcome: "waitingForDependents", actions: [], waitingFor: blocking.map((d) => d.key) };
    }
    // "being deleted" is a one-way trip: its dependents are handled once it is gone.
    return { outcome: "beingDeleted", actions: [] };
  }

  const refs = meta.ownerReferences ?? [];
  if (refs.length === 0) return { outcome: "ownersAlive", actions: [] };

  // classifyReferences. An owner that cannot be resolved stops the whole decision, as upstream.
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const { ref, lookup } of input.owners) {
    switch (lookup.state) {
      case "unknownKind":
        return { outcome: "unresolvableOwner", actions: [] };
      case "namespacedOwnerOfClusterScopedObject":
        return { outcome: "unresolvableOwner", actions: [invalidNamespaceEvent(item, ref)] };
      case "notFound":
        dangling.push(ref);
        break;
      case "found":
        if (lookup.owner.metadata.uid !== ref.uid) dangling.push(ref);
        else if (isDeletingDependents(lookup.owner)) waiting.push(ref);
        else solid.push(ref);
        break;
    }
  }

  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { outcome: "ownersAlive", actions: [] };
    // Waiting references go too, or their owners would wait for this object forever.
    const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
    return { outcome: "removeStaleReferences", actions: [setOwnerReferences(item, refs.filter((r) => !drop.has(r.uid)))] };
  }

  if (waiting.length > 0 && dependents.length > 0) {
    // An owner waits for this object, which has dependents of its own: delete it in the
    // foreground too. If a dependent is itself waiting for its dependents there may be a
    // cycle, so stop blocking the owners first (upstream's check, false positives and all).
    const actions: GarbageCollectorAction[] = [];
    if (dependents.some((d) => isDeletingDependents(d.object)) && refs.some((r) => r.blockOwnerDeletion === true)) {
      actions.push(setOwnerReferences(item, refs.map((r) => (r.blockOwnerDeletion === true ? { ...r, blockOwnerDeletion: false } : r))));
    }
    actions.push({ type: "delete", key: item.key, uid, propagationPolicy: "Foreground" });
    return { outcome: "collect", actions };
  }

  // No solid owner: collect it, honouring a propagation finalizer already on the object.
  const propagationPolicy: PropagationPolicy = hasFinalizer(item.object, FINALIZER_ORPHAN)
    ? "Orphan"
    : hasFinalizer(item.object, FINALIZER_FOREGROUND)
      ? "Foreground"
      : "Background";
  return { outcome: "collect", actions: [{ type: "delete", key: item.key, uid, propagationPolicy }] };
}

function setOwnerReferences(item: Item, ownerReferences: OwnerReference[]): GarbageCollectorAction {
  const m = item.object.metadata;
  return { type: "setOwnerReferences", key: item.key, uid: m.uid ?? "", resourceVersion: m.resourceVersion ?? "", ownerReferences };
}

function removeFinalizer(item: Item, finalizer: string): GarbageCollectorAction {
  const m = item.object.metadata;
  return {
    type: "removeFinalizer",
    key: item.key,
    uid: m.uid ?? "",
    resourceVersion: m.resourceVersion ?? "",
    finalizer,
    finalizers: (m.finalizers ?? []).filter((f) => f !== finalizer),
  };
}

/** Upstream's reportInvalidNamespaceOwnerRef, worded as its objectReference prints. */
function invalidNamespaceEvent(item: Item, ref: OwnerReference): GarbageCollectorAction {
  const ns = item.object.metadata.namespace ?? "";
  return {
    type: "event",
    key: item.key,
    eventType: "Warning",
    reason: "OwnerRefInvalidNamespace",
    message: `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${ns}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ${JSON.stringify(ns)}`,
  };
}
