// The ReplicaSet controller's handlers (upstream's addRS/updateRS and addPod/updatePod/deletePod):
// a ReplicaSet write enqueues that ReplicaSet; a pod write enqueues the controllers of the old
// and new pod, or, for an orphan, every ReplicaSet whose selector could adopt it.
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import type { Clock } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { labelSelectorFromObject } from "../../registry/selectors/index.js";
import type { Controller, StoreContext } from "../controller.js";
import { EventRecorder } from "../runtime/events.js";
import { joinKey } from "../runtime/reconciler.js";
import { controllerOf } from "./pods.js";
import { ReplicaSetReconciler, storeClient } from "./reconcile.js";

const REPLICASETS = findKind("apps", "v1", "replicasets")!;

export function replicaSetController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  return {
    reconciler: new ReplicaSetReconciler({
      client: (ns) => storeClient(storeFor(ns)),
      recorder: new EventRecorder({ component: "replicaset-controller", now }),
      now,
    }),
    keysFor(e, ctx) {
      if (e.resource === "replicasets") return [joinKey(ctx.namespace, e.name)];
      if (e.resource === "pods") return podKeys(ctx, e.object, e.type === "DELETED" ? undefined : e.object, e.prev);
      return [];
    },
    resyncKeys(ctx) {
      return ctx.list(REPLICASETS).map((rs) => joinKey(ctx.namespace, rs.metadata.name as string));
    },
  };
}

/** The ReplicaSets a pod change concerns. */
export function podKeys(ctx: StoreContext, obj: KubeObject, cur: KubeObject | undefined, prev: KubeObject | undefined, kind = "ReplicaSet", def = REPLICASETS): Set<string> {
  const keys = new Set<string>();
  for (const p of [obj, prev]) {
    const ref = p && controllerOf(p as never);
    if (ref && ref.kind === kind && ref.name) keys.add(joinKey(ctx.namespace, ref.name));
  }
  if (cur && !controllerOf(cur as never) && !cur.metadata.deletionTimestamp) {
    const labels = cur.metadata.labels ?? {};
    for (const owner of ctx.list(def)) {
      try {
        if (labelSelectorFromObject((owner.spec as { selector?: never } | undefined)?.selector).matches(labels)) keys.add(joinKey(ctx.namespace, owner.metadata.name as string));
      } catch {
        // an invalid selector matches nothing
      }
    }
  }
  return keys;
}
