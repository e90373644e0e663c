// What a controller plugs into the manager of a store: its reconciler, and upstream's informer
// event handlers as a function from a stored write to the keys it affects, plus the keys of a
// full resync. Keys are `namespace/name` as the reconciler reads them.
import type { KindDef, KubeObject } from "../apis/types.js";
import type { Clock } from "../lib/clock.js";
import type { GenericStore } from "../registry/generic-store.js";
import type { StoredEvent } from "../storage/interface.js";
import type { Reconciler } from "./runtime/reconciler.js";

/** The store a controller runs in, as handlers see it. */
export interface StoreContext {
  /** The namespace the store holds ("" for the cluster-scoped store). */
  namespace: string;
  /** The registry of that namespace: the same path API requests take. */
  store: GenericStore;
  /** Every object of a kind in the store. */
  list(def: KindDef): KubeObject[];
  now: Clock;
}

export interface Controller {
  reconciler: Reconciler;
  /** The keys a stored write affects (upstream's add/update/delete handlers). */
  keysFor(e: StoredEvent, ctx: StoreContext): Iterable<string>;
  /** Every key, for the cron resync and after the instance lost its in-memory queue. */
  resyncKeys(ctx: StoreContext): Iterable<string>;
}
