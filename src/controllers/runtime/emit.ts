// Writes what the EventRecorder decides, best effort as upstream's broadcaster: an event that
// cannot be written is logged and dropped, never failing the reconcile that recorded it.
import type { KubeObject } from "../../apis/types.js";
import type { EventRecorder, EventType, InvolvedObject } from "./events.js";

export interface EventSink {
  createEvent(event: KubeObject): void;
  updateEvent(event: KubeObject): void;
}

export function emitEvent(recorder: EventRecorder, sink: EventSink, involved: InvolvedObject, type: EventType, reason: string, message: string): void {
  const action = recorder.record(involved, type, reason, message);
  try {
    if ("create" in action) sink.createEvent(action.create as unknown as KubeObject);
    else if ("update" in action) sink.updateEvent(action.update as unknown as KubeObject);
  } catch (e) {
    console.warn("event write failed", e);
  }
}

/** The ObjectReference of an object an event is about. */
export function involvedObject(obj: KubeObject, kind: string, apiVersion: string): InvolvedObject {
  return {
    kind,
    apiVersion,
    name: obj.metadata.name ?? "",
    namespace: obj.metadata.namespace,
    uid: obj.metadata.uid ?? "",
    resourceVersion: obj.metadata.resourceVersion,
  };
}
