// The namespace controller's handlers, in the cluster store: a namespace write enqueues the
// namespace once it is being deleted; the resync enqueues every namespace being deleted.
import { findKind } from "../../apis/index.js";
import { namespaceStore } from "../../api/stores.js";
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { NamespaceReconciler } from "./reconcile.js";

const NAMESPACES = findKind("", "v1", "namespaces")!;

export function namespaceController(deps: ControllerDeps): Controller {
  return {
    reconciler: new NamespaceReconciler({
      store: deps.storeFor(""),
      deleteContent: (ns) => namespaceStore(deps.env, ns).deleteAllContent(ns),
      now: deps.now,
    }),
    keysFor(e) {
      if (e.resource !== "namespaces" || e.type === "DELETED" || !e.object.metadata.deletionTimestamp) return [];
      return [e.name];
    },
    resyncKeys(ctx) {
      return ctx.list(NAMESPACES).filter((ns) => ns.metadata.deletionTimestamp).map((ns) => ns.metadata.name as string);
    },
  };
}
