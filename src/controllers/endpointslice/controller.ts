// The handlers of the EndpointSlice controller and of the EndpointSlice mirroring controller:
// which Services a stored write concerns. Both react to Service writes; the EndpointSlice
// controller to pod writes that change an endpoint, the mirroring controller to Endpoints writes
// of selectorless Services; each to writes of its own slices that it did not make (a user edit
// or delete is put right at once, as upstream's EndpointSliceTracker arranges).
import { type EndpointSlice, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from "../../apis/discovery/v1/endpointslice.js";
import type { Clock } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { Controller, StoreContext } from "../controller.js";
import { ENDPOINTS } from "../endpoint/reconcile.js";
import { TriggerTimeTracker } from "../endpoint/trigger-time.js";
import { EventRecorder } from "../runtime/events.js";
import { joinKey } from "../runtime/reconciler.js";
import { CONTROLLER_NAME, MIRRORING_CONTROLLER_NAME } from "./desired.js";
import { EndpointSliceMirroringReconciler } from "./mirroring-reconcile.js";
import { OwnWrites } from "./own-writes.js";
import { EndpointSliceReconciler } from "./reconcile.js";
import { ServiceSelectorIndex, serviceAndPodHandlers } from "./service-index.js";

/** The Services whose slices, managed by `controllerName`, this write touched, unless the controller made it. */
function sliceKeys(e: StoredEvent, ctx: StoreContext, controllerName: string, own: OwnWrites): string[] {
  if (e.resource !== "endpointslices") return [];
  const keys = new Set<string>();
  for (const obj of [e.object, e.prev]) {
    const labels = (obj as EndpointSlice | undefined)?.metadata.labels;
    const service = labels?.[SERVICE_NAME_LABEL];
    if (!service || labels?.[MANAGED_BY_LABEL] !== controllerName) continue;
    const key = joinKey(ctx.namespace, service);
    if (!own.has(key)) keys.add(key);
  }
  return [...keys];
}

export function endpointSliceController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  const ownWrites = new OwnWrites();
  return {
    reconciler: new EndpointSliceReconciler({
      storeFor,
      recorder: new EventRecorder({ component: "endpoint-slice-controller", now }),
      triggerTimes: new TriggerTimeTracker(),
      ownWrites,
    }),
    ...serviceAndPodHandlers((e, ctx) => sliceKeys(e, ctx, CONTROLLER_NAME, ownWrites)),
  };
}

export function endpointSliceMirroringController(storeFor: (namespace: string) => GenericStore, now: Clock): Controller {
  const services = new ServiceSelectorIndex();
  const ownWrites = new OwnWrites();
  return {
    reconciler: new EndpointSliceMirroringReconciler({
      storeFor,
      recorder: new EventRecorder({ component: "endpoint-slice-mirroring-controller", now }),
      ownWrites,
    }),
    keysFor(e, ctx) {
      services.observe(e, ctx);
      switch (e.resource) {
        case "services":
          return [joinKey(ctx.namespace, e.name)];
        case "endpoints":
          // The Endpoints of a Service with a selector are the Endpoints controller's, never
          // mirrored; a Service gaining a selector is a Service write, which is handled above.
          return services.hasSelector(ctx, e.name) ? [] : [joinKey(ctx.namespace, e.name)];
        default:
          return sliceKeys(e, ctx, MIRRORING_CONTROLLER_NAME, ownWrites);
      }
    },
    resyncKeys(ctx) {
      services.rebuild(ctx);
      return ctx.list(ENDPOINTS).map((ep) => joinKey(ctx.namespace, ep.metadata.name ?? ""));
    },
  };
}
