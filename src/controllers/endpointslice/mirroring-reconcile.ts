// The EndpointSlice mirroring reconciler: for a Service without a selector, mirror the Endpoints
// object users wrote into EndpointSlices (so the service proxy, which reads slices only, serves
// it); for any other Service, or without an Endpoints object to mirror, delete the mirrored
// slices. Keyed `namespace/name` of the Service (= of the Endpoints).
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import type { Service } from "../../apis/core/v1/service.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { ENDPOINTS, SERVICES, getOrUndefined, recordWarning } from "../endpoint/reconcile.js";
import type { EventRecorder } from "../runtime/events.js";
import { type ReconcileResult, type Reconciler, joinKey, splitKey } from "../runtime/reconciler.js";
import { MIRRORING_CONTROLLER_NAME } from "./desired.js";
import { MAX_ENDPOINTS_PER_SUBSET, planMirroring, shouldMirror } from "./mirroring-plan.js";
import type { OwnWrites } from "./own-writes.js";
import { selectorOf } from "./pod-endpoints.js";
import { applySlicePlan, managedSlices } from "./reconcile.js";

export const MIRRORING_RECONCILER = "endpointslicemirroring";

export interface MirroringReconcilerOptions {
  storeFor: (namespace: string) => GenericStore;
  recorder: EventRecorder;
  ownWrites: OwnWrites;
}

/** upstream's endpointslicemirroring controller syncEndpoints as a Reconciler. */
export class EndpointSliceMirroringReconciler implements Reconciler {
  readonly name = MIRRORING_RECONCILER;

  constructor(private readonly o: MirroringReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const service = getOrUndefined<Service>(store, SERVICES, name);
    // A Service that is gone takes its Endpoints, and the garbage collector their slices.
    if (!service || service.spec.type === "ExternalName") return;
    const endpoints = selectorOf(service) ? undefined : getOrUndefined<Endpoints>(store, ENDPOINTS, name);
    const existing = managedSlices(store, name, MIRRORING_CONTROLLER_NAME);
    if (!endpoints || !shouldMirror(endpoints)) {
      if (existing.length) this.write(store, namespace, name, { create: [], update: [], delete: existing });
      return;
    }
    const plan = planMirroring(endpoints, existing);
    this.write(store, namespace, name, plan);
    if (plan.invalidAddresses > 0) {
      recordWarning(this.o.recorder, store, namespace, endpoints, "Endpoints", "InvalidIPAddress", `Skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (plan.skippedAddresses > plan.invalidAddresses) {
      const message = `A max of ${MAX_ENDPOINTS_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skippedAddresses} addresses were skipped`;
      recordWarning(this.o.recorder, store, namespace, endpoints, "Endpoints", "TooManyAddressesToMirror", message);
    }
  }

  private write(store: GenericStore, namespace: string, name: string, plan: Parameters<typeof applySlicePlan>[1]): void {
    this.o.ownWrites.run(joinKey(namespace, name), () => applySlicePlan(store, plan));
  }
}
