// Why this exists: field tables for the small groups we serve: coordination.k8s.io/v1 Lease,
// events.k8s.io/v1 Event and autoscaling/v1 Scale (the /scale subresource).

import type { MessageTable } from "./types.js";

export const COORDINATION: MessageTable = {
  Lease: "1 metadata ObjectMeta, 2 spec LeaseSpec",
  LeaseSpec:
    "1 holderIdentity string!, 2 leaseDurationSeconds int32!, 3 acquireTime MicroTime!, 4 renewTime MicroTime!, " +
    "5 leaseTransitions int32!, 6 strategy string!, 7 preferredHolder string!",
};

// events.k8s.io/v1 names collide with core/v1 Event/EventSeries, hence the prefix.
export const EVENTS: MessageTable = {
  EventsV1Event:
    "1 metadata ObjectMeta, 2 eventTime MicroTime!, 3 series EventsV1EventSeries, 4 reportingController string, " +
    "5 reportingInstance string, 6 action string, 7 reason string, 8 regarding ObjectReference, 9 related ObjectReference, " +
    "10 note string, 11 type string, 12 deprecatedSource EventSource, 13 deprecatedFirstTimestamp Time, " +
    "14 deprecatedLastTimestamp Time, 15 deprecatedCount int32",
  EventsV1EventSeries: "1 count int32!, 2 lastObservedTime MicroTime!",
};

export const AUTOSCALING: MessageTable = {
  Scale: "1 metadata ObjectMeta, 2 spec ScaleSpec, 3 status ScaleStatus",
  ScaleSpec: "1 replicas int32",
  ScaleStatus: "1 replicas int32!, 2 selector string",
};
