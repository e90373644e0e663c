// The ResourceQuota controller's handlers (upstream's quota controller and its replenishment
// controllers): a quota is synced when created or when its spec changes; every quota that limits
// a kind is synced when an object of that kind is deleted or its usage changes (a pod finishing
// releases its compute); the resync syncs all. Creates need no sync: admission charged them.
import type { KindDef, KubeObject } from "../../apis/types.js";
import { equalLists } from "../../admission/resource-list.js";
import { evaluatorFor } from "../../admission/resourcequota/evaluators.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import type { Clock } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { Controller, StoreContext } from "../controller.js";
import { kindOfStored } from "../garbagecollector/keys.js";
import { joinKey } from "../runtime/reconciler.js";
import { QUOTAS, ResourceQuotaReconciler } from "./reconcile.js";

/** The quotas of the namespace that limit something `def` accounts. */
function quotasLimiting(ctx: StoreContext, def: KindDef): string[] {
  const e = evaluatorFor(def);
  if (!e) return [];
  return ctx
    .list(QUOTAS)
    .filter((q) => e.matchingResources(Object.keys((q.spec as { hard?: object } | undefined)?.hard ?? {})).length > 0)
    .map((q) => joinKey(ctx.namespace, q.metadata.name as string));
}

export function quotaKeysFor(e: StoredEvent, ctx: StoreContext): string[] {
  if (e.resource === QUOTAS.plural) {
    if (e.type === "DELETED") return [];
    const specChanged = !e.prev || canonicalJson(e.prev.spec ?? {}) !== canonicalJson(e.object.spec ?? {});
    return specChanged ? [joinKey(ctx.namespace, e.name)] : [];
  }
  const def = kindOfStored(e.resource, true);
  if (!def) return [];
  if (e.type === "ADDED") return [];
  if (e.type === "MODIFIED") {
    const evaluator = evaluatorFor(def);
    if (!evaluator || !e.prev) return [];
    const now = ctx.now();
    if (equalLists(evaluator.usage(e.prev as KubeObject, now), evaluator.usage(e.object, now))) return [];
  }
  return quotasLimiting(ctx, def);
}

export function resourceQuotaController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  return {
    reconciler: new ResourceQuotaReconciler({ storeFor, now }),
    keysFor: quotaKeysFor,
    resyncKeys(ctx) {
      return ctx.list(QUOTAS).map((q) => joinKey(ctx.namespace, q.metadata.name as string));
    },
  };
}
