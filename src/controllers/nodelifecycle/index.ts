// The node lifecycle controller's pure core: one pass (planNodeLifecycle) and the pieces it is
// made of, for the Durable Object that lists, writes and keeps the state.
export * from "./types.js";
export { planNodeLifecycle } from "./plan.js";
export { observeNodeHealth, readyCondition, microTime, MONITORED_CONDITION_TYPES, type NodeHealthResult } from "./health.js";
export { zoneKey, isExcludedFromDisruptionChecks, computeZoneState, LABEL_NODE_DISRUPTION_EXCLUSION } from "./zones.js";
export {
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_PID_PRESSURE,
  NOT_READY_NO_EXECUTE,
  UNREACHABLE_NO_EXECUTE,
  applyTaintUpdate,
} from "./taints-plan.js";
export { podOnNode, podKey, getMatchingTolerations, minTolerationSeconds, TAINT_EVICTION_REASON } from "./eviction.js";
