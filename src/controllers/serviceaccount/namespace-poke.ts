// A namespace store learns that it exists only when something is written into it or it is
// resynced; the cron resync comes within a minute. So the cluster store, when a Namespace is
// added, asks the new namespace's store to resync at once: its default ServiceAccount and
// kube-root-ca.crt ConfigMap then appear within a few alarms (well under a second), as they do
// right after `kubectl create namespace` upstream.
import { namespaceStore } from "../../api/stores.js";
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";

export const NAMESPACE_POKE_RECONCILER = "namespace-defaults";

export function namespacePokeController(deps: ControllerDeps, resync = (ns: string) => namespaceStore(deps.env, ns).resync(ns)): Controller {
  const reconciler: Reconciler = {
    name: NAMESPACE_POKE_RECONCILER,
    async reconcile(key: string): Promise<ReconcileResult> {
      await resync(splitKey(key).name);
    },
  };
  return {
    reconciler,
    keysFor(e) {
      return e.resource === "namespaces" && e.type === "ADDED" ? [e.name] : [];
    },
    // Every namespace store is resynced by the Worker's cron tick already.
    resyncKeys() {
      return [];
    },
  };
}
