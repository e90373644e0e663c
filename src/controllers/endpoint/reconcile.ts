// The Endpoints reconciler: read the Service, the namespace's pods and the Endpoints object,
// plan, and write through the namespace's registry (the path any API client takes, so
// validation, preconditions and watch events are a kubectl write's). Keyed `namespace/name` of
// the Service.
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { selectorOf } from "../endpointslice/pod-endpoints.js";
import { emitEvent, involvedObject } from "../runtime/emit.js";
import type { EventRecorder } from "../runtime/events.js";
import { type ReconcileResult, type Reconciler, isConflict, splitKey } from "../runtime/reconciler.js";
import { planEndpoints } from "./plan.js";
import type { TriggerTimeTracker } from "./trigger-time.js";

export const ENDPOINTS_RECONCILER = "endpoint";
export const FIELD_MANAGER = "kube-controller-manager";

const def = (group: string, plural: string) => findKind(group, "v1", plural)!;
export const SERVICES = def("", "services");
export const PODS = def("", "pods");
export const ENDPOINTS = def("", "endpoints");
const EVENTS = def("", "events");

/** store.get, undefined when the object does not exist. */
export function getOrUndefined<T>(store: GenericStore, kind: typeof SERVICES, name: string): T | undefined {
  try {
    return store.get(kind, name) as unknown as T;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

export const listAll = <T>(store: GenericStore, kind: typeof SERVICES): T[] => (store.list(kind, {}) as unknown as { items: T[] }).items;

export interface EndpointsReconcilerOptions {
  storeFor: (namespace: string) => GenericStore;
  recorder: EventRecorder;
  triggerTimes: TriggerTimeTracker;
}

/** upstream's endpoint controller syncService as a Reconciler. */
export class EndpointsReconciler implements Reconciler {
  readonly name = ENDPOINTS_RECONCILER;

  constructor(private readonly o: EndpointsReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const service = getOrUndefined<Service>(store, SERVICES, name);
    if (!service) this.o.triggerTimes.deleteService(namespace, name);
    const current = getOrUndefined<Endpoints>(store, ENDPOINTS, name);
    // Only a Service with a selector, not ExternalName, gets Endpoints from this controller.
    const wanted = service && service.spec.type !== "ExternalName" && selectorOf(service) !== undefined;
    const pods = wanted ? listAll<Pod>(store, PODS) : [];
    // Computed on every sync, even one that writes nothing, so the tracker stays current.
    const triggerTime = wanted ? this.o.triggerTimes.compute(namespace, service, pods) : undefined;
    const action = planEndpoints({ service, pods, current, triggerTime });
    const opts = { fieldManager: FIELD_MANAGER };
    try {
      switch (action.type) {
        case "none":
          return;
        case "delete":
          try {
            store.delete(ENDPOINTS, action.name, { preconditions: { uid: action.uid } });
          } catch (e) {
            if (!(e instanceof StatusError && e.code === 404)) throw e;
          }
          return;
        case "create":
          store.create(ENDPOINTS, action.endpoints, opts);
          return;
        case "update":
          // The resourceVersion read is the precondition: a concurrent write is a 409 and a retry.
          store.update(ENDPOINTS, name, action.endpoints, undefined, opts);
          return;
      }
    } catch (e) {
      if (isConflict(e) || (action.type !== "create" && action.type !== "update")) throw e;
      const message = e instanceof Error ? e.message : String(e);
      const [reason, text] =
        action.type === "create"
          ? ["FailedToCreateEndpoint", `Failed to create endpoint for service ${namespace}/${name}: ${message}`]
          : ["FailedToUpdateEndpoint", `Failed to update endpoint ${namespace}/${name}: ${message}`];
      const about = { ...(action.endpoints as unknown as KubeObject), metadata: { ...action.endpoints.metadata, namespace } };
      emitEvent(this.o.recorder, eventSink(store), involvedObject(about, "Endpoints", "v1"), "Warning", reason, text);
      throw e;
    }
  }
}

/** Where the controllers' events go: the namespace's store. */
export function eventSink(store: GenericStore) {
  const opts = { fieldManager: FIELD_MANAGER };
  return {
    createEvent: (event: KubeObject) => void store.create(EVENTS, event, opts),
    updateEvent: (event: KubeObject) => void store.update(EVENTS, event.metadata.name ?? "", event, undefined, opts),
  };
}
