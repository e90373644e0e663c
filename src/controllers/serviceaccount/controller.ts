// The ServiceAccounts controller's handlers, in each namespace store: deleting a default account
// enqueues the namespace; the resync (and the cluster store's poke when a namespace is added)
// enqueues it every time, which costs one local read when nothing is missing.
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { namespaceActiveVia } from "./namespace.js";
import { DEFAULT_SERVICE_ACCOUNTS } from "./plan.js";
import { ServiceAccountsReconciler } from "./reconcile.js";

export function serviceAccountsController(deps: ControllerDeps): Controller {
  return {
    reconciler: new ServiceAccountsReconciler({ storeFor: deps.storeFor, namespaceActive: namespaceActiveVia(deps.env) }),
    keysFor(e, ctx) {
      if (e.resource !== "serviceaccounts" || !DEFAULT_SERVICE_ACCOUNTS.includes(e.name)) return [];
      return e.type === "DELETED" ? [ctx.namespace] : [];
    },
    resyncKeys(ctx) {
      return [ctx.namespace];
    },
  };
}
