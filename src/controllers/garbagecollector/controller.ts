// The garbage collector's handlers (upstream's GraphBuilder turning informer events into
// attemptToDelete / attemptToOrphan work): which objects a stored write concerns, kept cheap
// since it runs on every write of the store, with the dependency index kept current alongside.
//
// One garbage collector runs in every store and sees that store's objects only, which is all
// a namespaced owner can have as dependents. A cluster-scoped owner (a Node, a Namespace) may
// have dependents in every namespace: the cluster store does not notify the namespace stores
// when one is deleted, so those dependents are collected by the cron resync (every minute),
// which re-checks every object with ownerReferences. For the same reason the orphan and
// foreground finalizers of a cluster-scoped owner only wait for its cluster-scoped dependents.
import { findKind } from "../../apis/index.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { clusterStore, namespaceStore } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Target } from "../../registry/requests.js";
import type { Controller, StoreContext } from "../controller.js";
import { EventRecorder } from "../runtime/events.js";
import { DependencyIndex } from "./dependency-index.js";
import { itemKey, kindOfOwner, kindOfStored, storedKinds } from "./keys.js";
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type OwnerReference, hasFinalizer, isDeletingDependents } from "./plan.js";
import { FIELD_MANAGER, GarbageCollectorReconciler } from "./reconcile.js";

const EVENTS = findKind("", "v1", "events")!;

export interface GarbageCollectorDeps {
  storeFor: (namespace: string) => GenericStore;
  now: Clock;
  /** To read cluster-scoped owners and write events in other stores. */
  env: Env;
}

export function garbageCollectorController(deps: GarbageCollectorDeps): Controller {
  const index = new DependencyIndex();
  /** Builds the index by one scan of every kind of the store, the first time it is needed. */
  const ensureIndex = (namespace: string, list: (def: KindDef) => KubeObject[]) => {
    if (!index.built) index.rebuild(scan(namespace, list));
  };
  const listOf = (namespace: string) => (def: KindDef) => listAll(deps.storeFor(namespace), def);

  const reconciler = new GarbageCollectorReconciler({
    storeFor: deps.storeFor,
    dependents(namespace, uid) {
      ensureIndex(namespace, listOf(namespace));
      return index.dependents(uid);
    },
    clusterObject: async (def, name) => {
      const out = await clusterStore(deps.env).get({ group: def.group, version: def.version, resource: def.plural, namespace: "", name });
      if (out.ok) return out.body as KubeObject;
      if (out.status.code === 404) return undefined;
      throw new StatusError(out.status);
    },
    recorder: new EventRecorder({ component: "garbage-collector-controller", now: deps.now }),
    writeEvent: (from, event, mode) => writeEvent(deps, from, event, mode),
  });

  return {
    reconciler,
    keysFor(e, ctx) {
      const def = kindOfStored(e.resource, ctx.namespace !== "");
      if (!def) return [];
      const key = itemKey(ctx.namespace, def, e.name);
      const deleted = e.type === "DELETED";
      const cur = deleted ? undefined : e.object;
      const prev = deleted ? e.object : e.prev;
      index.observe(key, cur);

      const keys = new Set<string>();
      const curRefs = cur?.metadata.ownerReferences ?? [];
      const prevRefs = prev?.metadata.ownerReferences ?? [];
      // Its ownerReferences were set or changed: is it still owned?
      if (curRefs.length > 0 && !sameJson(curRefs, prevRefs)) keys.add(key);

      // Its deletion started, or its finalizers changed while being deleted: an owner with the
      // orphan or foregroundDeletion finalizer has work to do, and its dependents see it change.
      const deleting = !!cur?.metadata.deletionTimestamp;
      const started = deleting && !prev?.metadata.deletionTimestamp;
      const finalizersChanged = deleting && !sameJson(cur!.metadata.finalizers ?? [], prev?.metadata.finalizers ?? []);
      if ((started || finalizersChanged) && (hasFinalizer(cur!, FINALIZER_ORPHAN) || hasFinalizer(cur!, FINALIZER_FOREGROUND))) keys.add(key);
      if (deleted || started || finalizersChanged) {
        ensureIndex(ctx.namespace, ctx.list);
        for (const d of index.dependents(e.object.metadata.uid ?? "")) keys.add(d);
      }

      // An owner in foreground deletion waits for this object while it blocks it: once it is
      // gone, or no longer names or blocks that owner, the owner may go.
      for (const r of prevRefs) {
        if (r.blockOwnerDeletion !== true) continue;
        if (curRefs.some((c) => c.uid === r.uid && c.blockOwnerDeletion === true)) continue;
        const ownerKey = waitingOwnerKey(ctx, r);
        if (ownerKey) keys.add(ownerKey);
      }
      return keys;
    },
    resyncKeys(ctx) {
      // The full scan refreshes the index too (and builds it after an eviction).
      const items = [...scan(ctx.namespace, ctx.list)];
      index.rebuild(items);
      const keys: string[] = [];
      for (const { key, object } of items) {
        const m = object.metadata;
        const gcFinalizer = hasFinalizer(object, FINALIZER_ORPHAN) || hasFinalizer(object, FINALIZER_FOREGROUND);
        if ((m.ownerReferences ?? []).length > 0 || (m.deletionTimestamp && gcFinalizer)) keys.push(key);
      }
      return keys;
    },
  };
}

/** Every object of the store, with its work key. */
function* scan(namespace: string, list: (def: KindDef) => KubeObject[]): Generator<{ key: string; object: KubeObject }> {
  for (const def of storedKinds(namespace !== "")) {
    for (const object of list(def)) yield { key: itemKey(namespace, def, object.metadata.name ?? ""), object };
  }
}

/** The key of the owner `r` names, when it lives in this store and waits for its dependents. */
function waitingOwnerKey(ctx: StoreContext, r: OwnerReference): string | undefined {
  const def = kindOfOwner(r.apiVersion, r.kind);
  if (!def || def.namespaced !== (ctx.namespace !== "")) return undefined;
  let owner: KubeObject;
  try {
    owner = ctx.store.get(def, r.name);
  } catch {
    return undefined;
  }
  return owner.metadata.uid === r.uid && isDeletingDependents(owner) ? itemKey(ctx.namespace, def, r.name) : undefined;
}

function listAll(store: GenericStore, def: KindDef): KubeObject[] {
  return (store.list(def, {}) as unknown as { items: KubeObject[] }).items;
}

/**
 * An Event lives in its involved object's namespace, "default" for a cluster-scoped object:
 * written here when that is this store's namespace, else over RPC.
 */
async function writeEvent(deps: GarbageCollectorDeps, from: string, event: KubeObject, mode: "create" | "update"): Promise<void> {
  const namespace = event.metadata.namespace ?? "default";
  const opts = { fieldManager: FIELD_MANAGER };
  if (namespace === from) {
    const store = deps.storeFor(namespace);
    if (mode === "create") store.create(EVENTS, event, opts);
    else store.update(EVENTS, event.metadata.name ?? "", event, undefined, opts);
    return;
  }
  const t: Target = { group: "", version: "v1", resource: "events", namespace };
  const stub = namespaceStore(deps.env, namespace);
  const out = mode === "create" ? await stub.create(t, event, opts) : await stub.update({ ...t, name: event.metadata.name }, event, opts);
  if (!out.ok) throw new StatusError(out.status);
}

const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
