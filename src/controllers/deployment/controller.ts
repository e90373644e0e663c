// The Deployment controller's handlers (upstream's addDeployment/updateDeployment, addReplicaSet/
// updateReplicaSet/deleteReplicaSet and deletePod): which Deployments a write concerns.
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import type { Clock } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Controller } from "../controller.js";
import { podKeys } from "../replicaset/controller.js";
import { controllerOf } from "../replicaset/pods.js";
import { EventRecorder } from "../runtime/events.js";
import { joinKey } from "../runtime/reconciler.js";
import { DeploymentReconciler } from "./reconcile.js";

const DEPLOYMENTS = findKind("apps", "v1", "deployments")!;
const REPLICASETS = findKind("apps", "v1", "replicasets")!;

export function deploymentController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  return {
    reconciler: new DeploymentReconciler({ storeFor, recorder: new EventRecorder({ component: "deployment-controller", now }), now }),
    keysFor(e, ctx) {
      if (e.resource === "deployments") return [joinKey(ctx.namespace, e.name)];
      if (e.resource === "replicasets") return podKeys(ctx, e.object, e.type === "DELETED" ? undefined : e.object, e.prev, "Deployment", DEPLOYMENTS);
      if (e.resource === "pods" && e.type === "DELETED") {
        // Recreate waits for old pods to be gone: a deleted pod concerns its ReplicaSet's Deployment.
        const rsRef = controllerOf(e.object as never);
        if (rsRef?.kind !== "ReplicaSet") return [];
        const rs = getReplicaSet(ctx.store, rsRef.name);
        const dRef = rs && controllerOf(rs as never);
        return dRef?.kind === "Deployment" ? [joinKey(ctx.namespace, dRef.name)] : [];
      }
      return [];
    },
    resyncKeys(ctx) {
      return ctx.list(DEPLOYMENTS).map((d) => joinKey(ctx.namespace, d.metadata.name as string));
    },
  };
}

function getReplicaSet(store: GenericStore, name: string): KubeObject | undefined {
  try {
    return store.get(REPLICASETS, name) as KubeObject;
  } catch {
    return undefined;
  }
}
