// The kubelet's events (record.EventRecorder, source component "kubelet", host = the node):
// fire and forget, never retried, so a thousand simulated nodes add one write per container
// start and nothing when the control plane is away.
import type { ApiClient } from "../client/api-client.js";
import { rfc3339 } from "./node-status.js";

export interface InvolvedPod {
  namespace: string;
  name: string;
  uid: string;
}

export class EventRecorder {
  private counter = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
  ) {}

  /** A Normal event about one container of a pod, e.g. Started. */
  containerEvent(pod: InvolvedPod, fieldPath: string, reason: string, message: string): void {
    if (!this.client.transport.connectivity.reachable) return;
    const now = Date.now();
    const ts = rfc3339(now);
    // Upstream names events <object>.<unix nanoseconds in hex>; a counter keeps them unique here.
    const suffix = (BigInt(now) * 1_000_000n + BigInt(this.counter++ % 1_000_000)).toString(16);
    const event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${pod.name}.${suffix}`, namespace: pod.namespace },
      involvedObject: { apiVersion: "v1", kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, fieldPath },
      reason,
      message,
      source: { component: "kubelet", host: this.nodeName },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: "Normal",
      reportingComponent: "kubelet",
      reportingInstance: this.nodeName,
    };
    void this.client.post(`/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/events`, event).catch(() => {});
  }
}
