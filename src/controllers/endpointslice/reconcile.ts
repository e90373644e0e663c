// The EndpointSlice reconciler: read the Service, the pods it selects and the slices this
// controller manages for it, plan, and write through the namespace's registry. Keyed
// `namespace/name` of the Service. Slices of a deleted Service go with it: they name the Service
// as their owner, and the garbage collector deletes them (as upstream).
import type { Service } from "../../apis/core/v1/service.js";
import { type EndpointSlice, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from "../../apis/discovery/v1/endpointslice.js";
import { findKind } from "../../apis/index.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { SERVICES, WRITE_OPTIONS, deleteIgnoringNotFound, errorMessage, getOrUndefined, listAll, recordWarning, selectedPods } from "../endpoint/reconcile.js";
import type { TriggerTimeTracker } from "../endpoint/trigger-time.js";
import type { EventRecorder } from "../runtime/events.js";
import { type ReconcileResult, type Reconciler, isConflict, joinKey, splitKey } from "../runtime/reconciler.js";
import { CONTROLLER_NAME } from "./desired.js";
import type { OwnWrites } from "./own-writes.js";
import { selectorOf } from "./pod-endpoints.js";
import { type SlicePlan, planSlices } from "./plan.js";

export const ENDPOINTSLICE_RECONCILER = "endpointslice";
export const ENDPOINT_SLICES = findKind("discovery.k8s.io", "v1", "endpointslices")!;

/** The slices labelled for a Service and managed by `controllerName`, without those being deleted. */
export function managedSlices(store: GenericStore, service: string, controllerName: string): EndpointSlice[] {
  return listAll<EndpointSlice>(store, ENDPOINT_SLICES).filter(
    (s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service && s.metadata.labels?.[MANAGED_BY_LABEL] === controllerName && !s.metadata.deletionTimestamp,
  );
}

/** Creates, updates (resourceVersion as precondition) and deletes (uid as precondition) a plan's slices. */
export function applySlicePlan(store: GenericStore, plan: SlicePlan): void {
  for (const slice of plan.create) store.create(ENDPOINT_SLICES, slice, WRITE_OPTIONS);
  for (const slice of plan.update) store.update(ENDPOINT_SLICES, slice.metadata.name ?? "", slice, undefined, WRITE_OPTIONS);
  for (const slice of plan.delete) deleteIgnoringNotFound(store, ENDPOINT_SLICES, slice.metadata.name ?? "", slice.metadata.uid);
}

export interface EndpointSliceReconcilerOptions {
  storeFor: (namespace: string) => GenericStore;
  recorder: EventRecorder;
  triggerTimes: TriggerTimeTracker;
  ownWrites: OwnWrites;
}

/** upstream's endpointslice controller syncService as a Reconciler. */
export class EndpointSliceReconciler implements Reconciler {
  readonly name = ENDPOINTSLICE_RECONCILER;

  constructor(private readonly o: EndpointSliceReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const service = getOrUndefined<Service>(store, SERVICES, name);
    if (!service) {
      this.o.triggerTimes.deleteService(namespace, name);
      return;
    }
    // ExternalName Services get no slices; those without a selector get theirs from users (or mirrored).
    const selector = service.spec.type === "ExternalName" ? undefined : selectorOf(service);
    if (!selector) return;
    const pods = selectedPods(store, selector);
    const existing = managedSlices(store, name, CONTROLLER_NAME);
    const triggerTime = this.o.triggerTimes.compute(namespace, service, pods);
    const plan = planSlices({ service, pods, existing, triggerTime });
    try {
      this.o.ownWrites.run(joinKey(namespace, name), () => applySlicePlan(store, plan));
    } catch (e) {
      if (!isConflict(e)) {
        recordWarning(this.o.recorder, store, namespace, service, "Service", "FailedToUpdateEndpointSlices", `Error updating Endpoint Slices for Service ${namespace}/${name}: ${errorMessage(e)}`);
      }
      throw e;
    }
  }
}
