// The Endpoints controller's handlers (upstream's addService/updateService/deleteService,
// addPod/updatePod/deletePod and onEndpointsDelete): every Service write enqueues that Service;
// a pod write enqueues the Services selecting it (before and after) when it changes an endpoint;
// a deleted Endpoints object enqueues its Service, so one that is still wanted comes back.
//
// Unlike upstream, a (re)start does not enqueue every Endpoints object to delete those without a
// Service (checkLeftoverEndpoints): a store restarts often here, and Endpoints a user writes
// before its Service would be lost. Endpoints go when their Service is deleted.
import type { Clock } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Controller } from "../controller.js";
import { serviceAndPodHandlers } from "../endpointslice/service-index.js";
import { EventRecorder } from "../runtime/events.js";
import { joinKey } from "../runtime/reconciler.js";
import { EndpointsReconciler } from "./reconcile.js";
import { TriggerTimeTracker } from "./trigger-time.js";

export function endpointsController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  return {
    reconciler: new EndpointsReconciler({
      storeFor,
      recorder: new EventRecorder({ component: "endpoint-controller", now }),
      triggerTimes: new TriggerTimeTracker(),
    }),
    ...serviceAndPodHandlers((e, ctx) => (e.resource === "endpoints" && e.type === "DELETED" ? [joinKey(ctx.namespace, e.name)] : [])),
  };
}
