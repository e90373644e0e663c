// Upstream's TriggerTimeTracker (pkg/controller/util/endpoint): when did the change happen that
// the next Endpoints or EndpointSlice write publishes? The earliest pod Ready transition or
// Service creation not seen at the previous sync of that Service; for a Service this instance
// has never synced, its creation time. The answer is the last-change-trigger-time annotation
// that latency SLIs read. State lives in memory, as upstream's does in the controller process.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";

interface ServiceState {
  lastPodTriggerTimes: Map<string, number>;
  lastServiceTriggerTime: number | undefined;
}

const parse = (t: string | undefined): number | undefined => {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

/** getPodTriggerTime: the Ready condition's last transition. */
const podTriggerTime = (pod: Pod) => parse(pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime);

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * ComputeEndpointLastChangeTriggerTime, in epoch ms; undefined means no new trigger (the
   * annotation is then removed on the next write). Call it on every sync, even one that writes
   * nothing, so the state stays current.
   */
  compute(namespace: string, svc: Service, pods: readonly Pod[]): number | undefined {
    const key = `${namespace}/${svc.metadata.name ?? ""}`;
    const known = this.states.get(key);
    const state: ServiceState = known ?? { lastPodTriggerTimes: new Map(), lastServiceTriggerTime: undefined };
    let min: number | undefined;
    const consider = (t: number) => (min = min === undefined ? t : Math.min(min, t));
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === undefined) continue;
      const name = pod.metadata.name ?? "";
      podTimes.set(name, t);
      if (t > (state.lastPodTriggerTimes.get(name) ?? -Infinity)) consider(t);
    }
    const created = parse(svc.metadata.creationTimestamp);
    if (created !== undefined && created > (state.lastServiceTriggerTime ?? -Infinity)) consider(created);
    this.states.set(key, { lastPodTriggerTimes: podTimes, lastServiceTriggerTime: created });
    return known ? min : created;
  }

  /** DeleteService: forget a Service that is gone. */
  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
