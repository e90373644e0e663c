// The kubelet's events (record.EventRecorder, source component "kubelet", host = the node),
// through client-go's correlator (src/controllers/runtime/events.ts): a repeat (a container in
// CrashLoopBackOff, a failing probe) updates one Event's count instead of writing a new one, and
// a per-pod spam filter caps the rest. Fire and forget: never retried, nothing sent while the
// control plane is away.
import { EventRecorder as Correlator, type EventType } from "../../src/controllers/runtime/events.js";
import type { ApiClient } from "../client/api-client.js";

export type { EventType };

export interface InvolvedPod {
  namespace: string;
  name: string;
  uid: string;
}

const eventsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/events`;

export class EventRecorder {
  private readonly correlator: Correlator;

  constructor(
    private readonly client: ApiClient,
    nodeName: string,
    now: () => number = Date.now,
    /** Only these reasons are recorded (a simulated node records Started alone: at scale, events are most of its writes). */
    private readonly only?: ReadonlySet<string>,
  ) {
    // Few events per node: a small cache keeps a thousand simulated nodes cheap.
    this.correlator = new Correlator({ component: "kubelet", host: nodeName, now, lruSize: 256 });
  }

  /** An event about a pod, or about one of its containers when `fieldPath` names it (spec.containers{web}). */
  event(pod: InvolvedPod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    if (!this.client.transport.connectivity.reachable || (this.only && !this.only.has(reason))) return;
    const action = this.correlator.record({ kind: "Pod", apiVersion: "v1", namespace: pod.namespace, name: pod.name, uid: pod.uid, fieldPath }, type, reason, message);
    if ("create" in action) void this.client.post(eventsPath(pod.namespace), action.create).catch(() => {});
    else if ("update" in action) {
      // A repeat: PUT the same Event with the new count (Events allow create-on-update, so it lands even if the first write was lost).
      void this.client.put(`${eventsPath(pod.namespace)}/${encodeURIComponent(action.update.metadata.name ?? "")}`, action.update).catch(() => {});
    }
  }

  /** A Normal event about one container of a pod, e.g. Started. */
  containerEvent(pod: InvolvedPod, fieldPath: string, reason: string, message: string, type: EventType = "Normal"): void {
    this.event(pod, type, reason, message, fieldPath);
  }
}
