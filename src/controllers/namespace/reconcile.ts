// The namespace reconciler (upstream's namespace controller and NamespacedResourcesDeleter.Delete),
// run in the cluster store: a Terminating namespace's store deletes its content and says what is
// left; the plan turns that into conditions, a wait, or the removal of the "kubernetes"
// finalizer through namespaces/<name>/finalize, after which the registry removes the namespace.
import type { Namespace } from "../../apis/core/v1/namespace.js";
import { findKind } from "../../apis/index.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";
import type { ContentReport } from "./content.js";
import { awaitsContentDeletion, plan } from "./plan.js";

export const NAMESPACE_RECONCILER = "namespace";
export const FIELD_MANAGER = "kube-controller-manager";

const NAMESPACES = findKind("", "v1", "namespaces")!;

export interface NamespaceReconcilerOptions {
  /** The cluster store's registry, which holds the Namespaces. */
  store: GenericStore;
  /** Has the namespace's own store delete its content and report what remains. */
  deleteContent(namespace: string): Promise<ContentReport>;
  now: Clock;
}

export class NamespaceReconciler implements Reconciler {
  readonly name = NAMESPACE_RECONCILER;

  constructor(private readonly o: NamespaceReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { name } = splitKey(key);
    const ns = this.get(name);
    if (!ns || !awaitsContentDeletion(ns)) return;
    const report = await this.o.deleteContent(name);

    // Other writes may have landed while the namespace's store worked: plan on the namespace as
    // it is now (one synchronous turn from here on, so the writes below cannot conflict).
    const latest = this.get(name);
    if (!latest || latest.metadata.uid !== ns.metadata.uid || !awaitsContentDeletion(latest)) return;
    const p = plan(latest, report, this.o.now());
    const { store } = this.o;
    const opts = { fieldManager: FIELD_MANAGER };
    let current = latest;
    if (p.status) current = store.update(NAMESPACES, name, { ...latest, status: p.status }, "status", opts).body as Namespace;
    if (p.error !== undefined) throw new Error(p.error);
    if (p.requeueAfterSeconds !== undefined) return { requeueAfterMs: p.requeueAfterSeconds * 1000 };
    if (p.finalize) {
      try {
        store.update(NAMESPACES, name, { ...current, spec: { ...current.spec, finalizers: p.finalize } }, "finalize", opts);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e; // already gone: done
      }
    }
  }

  private get(name: string): Namespace | undefined {
    try {
      return this.o.store.get(NAMESPACES, name) as unknown as Namespace;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  }
}
