// The ResourceQuota controller's sync (upstream's syncResourceQuota): recompute what the quota's
// hard resources add up to in the namespace and write status.hard/used when they changed. It
// reads and writes in one synchronous step of the store, with the quota's resourceVersion as
// precondition, so it never overwrites a charge admission made meanwhile.
import { findKind } from "../../apis/index.js";
import type { ResourceQuota } from "../../apis/core/v1/resourcequota.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { equalLists, fromWire, toWire } from "../../admission/resource-list.js";
import { calculateUsage, type UsageSource } from "../../admission/resourcequota/usage.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";

export const QUOTAS = findKind("", "v1", "resourcequotas")!;

/** Objects of a kind in one namespace's registry, and how many (read through a one-item page). */
export function registrySource(store: GenericStore): UsageSource {
  return {
    list: (def: KindDef) => (store.list(def, {}) as unknown as { items: KubeObject[] }).items,
    count: (def: KindDef) => {
      const page = store.list(def, { limit: 1 }) as unknown as { items: KubeObject[]; metadata: { remainingItemCount?: number } };
      return page.items.length + (page.metadata.remainingItemCount ?? 0);
    },
  };
}

/** The status a quota should have now, or undefined when it already has it. */
export function planStatus(q: ResourceQuota, source: UsageSource, now: number): ResourceQuota["status"] | undefined {
  const hard = q.spec?.hard ?? {};
  const used = calculateUsage(q.spec, source, now);
  const current = q.status ?? {};
  const sameHard = equalLists(fromWire(current.hard), fromWire(hard));
  if (sameHard && equalLists(fromWire(current.used), used)) return undefined;
  return { hard: { ...hard }, used: toWire(used) };
}

export class ResourceQuotaReconciler implements Reconciler {
  readonly name = "resourcequota";

  constructor(private readonly o: { storeFor: (namespace: string) => GenericStore; now: Clock }) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    let q: ResourceQuota;
    try {
      q = store.get(QUOTAS, name) as unknown as ResourceQuota;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
    const status = planStatus(q, registrySource(store), this.o.now());
    if (!status) return;
    // Same synchronous step as the read, and guarded by the quota's resourceVersion.
    store.update(QUOTAS, name, { ...q, status }, "status", { fieldManager: "kube-controller-manager" });
  }
}
