// The Endpoints reconciler: read the Service, the pods it selects and the Endpoints object, plan,
// and write through the namespace's registry (the path any API client takes, so validation,
// preconditions and watch events are a kubectl write's). Keyed `namespace/name` of the Service.
// The reads, writes and warnings here serve the EndpointSlice reconcilers too.
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { selectorMatches, selectorOf } from "../endpointslice/pod-endpoints.js";
import { type EventSink, emitEvent, involvedObject } from "../runtime/emit.js";
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
/** The options of every write the Endpoints and EndpointSlice controllers make. */
export const WRITE_OPTIONS = Object.freeze({ fieldManager: FIELD_MANAGER });

const isNotFound = (e: unknown) => e instanceof StatusError && e.code === 404;

/** store.get, undefined when the object does not exist. */
export function getOrUndefined<T>(store: GenericStore, kind: typeof SERVICES, name: string): T | undefined {
  try {
    return store.get(kind, name) as unknown as T;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export const listAll = <T>(store: GenericStore, kind: typeof SERVICES): T[] => (store.list(kind, {}) as unknown as { items: T[] }).items;

/** The pods of the namespace the Service's selector matches (upstream's podLister.List(selector)). */
export function selectedPods(store: GenericStore, selector: Record<string, string>): Pod[] {
  return listAll<Pod>(store, PODS).filter((p) => selectorMatches(selector, p.metadata.labels));
}

/** store.delete with the uid read as precondition; an object already gone is no error (IgnoreNotFound). */
export function deleteIgnoringNotFound(store: GenericStore, kind: typeof SERVICES, name: string, uid: string | undefined): void {
  try {
    store.delete(kind, name, { preconditions: { uid } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/**
 * A Warning event about an object of this namespace, written to the namespace's store, best effort.
 * The namespace is set here: an object the plan built does not carry it yet.
 */
export function recordWarning(recorder: EventRecorder, store: GenericStore, namespace: string, obj: { metadata: KubeObject["metadata"] }, kind: "Endpoints" | "Service", reason: string, message: string): void {
  const about = involvedObject({ ...(obj as KubeObject), metadata: { ...obj.metadata, namespace } }, kind, "v1");
  emitEvent(recorder, eventSink(store), about, "Warning", reason, message);
}

/** An error's message, for an event. */
export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

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
    const selector = service && service.spec.type !== "ExternalName" ? selectorOf(service) : undefined;
    const pods = selector ? selectedPods(store, selector) : [];
    // Computed on every sync, even one that writes nothing, so the tracker stays current.
    const triggerTime = service && selector ? this.o.triggerTimes.compute(namespace, service, pods) : undefined;
    const action = planEndpoints({ service, pods, current, triggerTime });
    try {
      switch (action.type) {
        case "none":
          return;
        case "delete":
          deleteIgnoringNotFound(store, ENDPOINTS, action.name, action.uid);
          return;
        case "create":
          store.create(ENDPOINTS, action.endpoints, WRITE_OPTIONS);
          return;
        case "update":
          // The resourceVersion read is the precondition: a concurrent write is a 409 and a retry.
          store.update(ENDPOINTS, name, action.endpoints, undefined, WRITE_OPTIONS);
          return;
      }
    } catch (e) {
      if (isConflict(e) || (action.type !== "create" && action.type !== "update")) throw e;
      const [reason, text] =
        action.type === "create"
          ? ["FailedToCreateEndpoint", `Failed to create endpoint for service ${namespace}/${name}: ${errorMessage(e)}`]
          : ["FailedToUpdateEndpoint", `Failed to update endpoint ${namespace}/${name}: ${errorMessage(e)}`];
      recordWarning(this.o.recorder, store, namespace, action.endpoints, "Endpoints", reason, text);
      throw e;
    }
  }
}

/** Where the controllers' events go: the namespace's store. */
function eventSink(store: GenericStore): EventSink {
  return {
    createEvent: (event: KubeObject) => void store.create(EVENTS, event, WRITE_OPTIONS),
    updateEvent: (event: KubeObject) => void store.update(EVENTS, event.metadata.name ?? "", event, undefined, WRITE_OPTIONS),
  };
}
