// The garbage collector's reconciler: read one object, resolve its owners, find its dependents,
// plan, and apply the plan through the registry (GenericStore), the path API writes take, so
// preconditions, finalizer handling and watch events are exactly those of a kubectl write.
// Reads of this store are synchronous and current; only a cluster-scoped owner of a namespaced
// object is read over RPC from the cluster store, and the object is read again after that wait.
import { apiVersionOf, groupResource } from "../../registry/kind-names.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { OBJECT_MODIFIED, StatusError, conflict } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { involvedObject } from "../runtime/emit.js";
import type { EventRecorder } from "../runtime/events.js";
import type { ReconcileResult, Reconciler } from "../runtime/reconciler.js";
import { kindOfOwner, parseItemKey, type ItemRef } from "./keys.js";
import { type GarbageCollectorAction, type Item, type OwnerLookup, type OwnerReference, needsDependents, plan } from "./plan.js";

export const GARBAGE_COLLECTOR_RECONCILER = "garbagecollector";
export const FIELD_MANAGER = "kube-controller-manager";

export interface GarbageCollectorOptions {
  /** The registry of one namespace of this store ("" for the cluster store). */
  storeFor: (namespace: string) => GenericStore;
  /** Keys of the objects of this store naming `uid` as an owner (the dependency index). */
  dependents: (namespace: string, uid: string) => string[];
  /** A cluster-scoped object from the cluster store (a namespaced object's owner); undefined: not found. */
  clusterObject: (def: KindDef, name: string) => Promise<KubeObject | undefined>;
  recorder: EventRecorder;
  /** Writes an Event the recorder decided on, from the store of namespace `from`, wherever the event's namespace lives. */
  writeEvent: (from: string, event: KubeObject, mode: "create" | "update") => Promise<void>;
}

/** attemptToDeleteItem and attemptToOrphanWorker as one Reconciler keyed by keys.ts's item keys. */
export class GarbageCollectorReconciler implements Reconciler {
  readonly name = GARBAGE_COLLECTOR_RECONCILER;

  constructor(private readonly o: GarbageCollectorOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const ref = parseItemKey(key);
    if (!ref) return; // not a key of ours, or a kind no longer served: nothing to collect
    const store = this.o.storeFor(ref.namespace);
    const object = getObject(store, ref.def, ref.name);
    if (!object) return; // its dependents were enqueued by its deletion

    let owners: Array<{ ref: OwnerReference; lookup: OwnerLookup }> = [];
    const refs = object.metadata.ownerReferences ?? [];
    if (!object.metadata.deletionTimestamp && refs.length > 0) {
      owners = await Promise.all(refs.map(async (r) => ({ ref: r, lookup: await this.lookupOwner(ref.namespace, r) })));
      // Other requests may have run while an owner was read over RPC: decide on current state only.
      const again = getObject(store, ref.def, ref.name);
      if (again?.metadata.resourceVersion !== object.metadata.resourceVersion) throw conflict(groupResource(ref.def), ref.name, OBJECT_MODIFIED);
    }

    const dependents: Item[] = [];
    const depKeys = needsDependents(object, owners) ? this.o.dependents(ref.namespace, object.metadata.uid ?? "") : [];
    for (const depKey of depKeys) {
      const dep = parseItemKey(depKey);
      const depObject = dep && getObject(this.o.storeFor(dep.namespace), dep.def, dep.name);
      if (depObject) dependents.push({ key: depKey, object: depObject });
    }

    const p = plan({ item: { key, object }, owners, dependents });
    for (const a of p.actions) await this.apply(a, ref, object);
  }

  /** isDangling's lookup: the owner's kind, then the object of that name where that kind lives. */
  private async lookupOwner(namespace: string, r: OwnerReference): Promise<OwnerLookup> {
    const def = kindOfOwner(r.apiVersion, r.kind);
    if (!def) return { state: "unknownKind" };
    if (!namespace && def.namespaced) return { state: "namespacedOwnerOfClusterScopedObject" };
    // A namespaced owner is looked up in the dependent's namespace only: owner references
    // across namespaces do not resolve, as upstream.
    const owner = def.namespaced || !namespace ? getObject(this.o.storeFor(namespace), def, r.name) : await this.o.clusterObject(def, r.name);
    return owner ? { state: "found", owner } : { state: "notFound" };
  }

  private async apply(a: GarbageCollectorAction, item: ItemRef, object: KubeObject): Promise<void> {
    const target = parseItemKey(a.key);
    if (!target) return;
    const store = this.o.storeFor(target.namespace);
    const opts = { fieldManager: FIELD_MANAGER };
    try {
      switch (a.type) {
        case "delete":
          store.delete(target.def, target.name, { propagationPolicy: a.propagationPolicy, preconditions: { uid: a.uid } });
          break;
        case "setOwnerReferences":
          store.patch(target.def, target.name, "merge", { metadata: { uid: a.uid, resourceVersion: a.resourceVersion, ownerReferences: a.ownerReferences } }, undefined, opts);
          break;
        case "removeFinalizer":
          store.patch(target.def, target.name, "merge", { metadata: { uid: a.uid, resourceVersion: a.resourceVersion, finalizers: a.finalizers } }, undefined, opts);
          break;
        case "event":
          await this.event(item, object, a.reason, a.message);
          break;
      }
    } catch (e) {
      // Gone already: nothing left to collect or orphan (a 409 is re-thrown: the runtime re-queues).
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  /** Best effort, as upstream's event broadcaster: a failed event write never fails the reconcile. */
  private async event(item: ItemRef, object: KubeObject, reason: string, message: string): Promise<void> {
    const action = this.o.recorder.record(involvedObject(object, item.def.kind, apiVersionOf(item.def)), "Warning", reason, message);
    try {
      if ("create" in action) await this.o.writeEvent(item.namespace, action.create as unknown as KubeObject, "create");
      else if ("update" in action) await this.o.writeEvent(item.namespace, action.update as unknown as KubeObject, "update");
    } catch (e) {
      console.warn("event write failed", e);
    }
  }
}

function getObject(store: GenericStore, def: KindDef, name: string): KubeObject | undefined {
  try {
    return store.get(def, name);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}
