// Upstream's DefaultTolerationSeconds admission plugin (plugin/pkg/admission/defaulttolerationseconds)
// as a pure function: every pod tolerates the node lifecycle controller's not-ready and
// unreachable NoExecute taints for 5 minutes unless it already says how it tolerates them, so a
// brief node outage does not evict everything at once.
import { type Toleration, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from "../apis/core/v1/taints.js";

/** --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** The pod as this plugin sees it. */
export interface PodWithTolerations {
  spec: { tolerations?: Toleration[] };
}

/**
 * Upstream's own test, not ToleratesTaint: a toleration counts when its key is the taint's (or
 * empty) and its effect NoExecute (or empty), whatever its operator and value.
 */
function coversNoExecute(t: Toleration, key: string): boolean {
  return (!t.key || t.key === key) && (!t.effect || t.effect === "NoExecute");
}

/** Appends the default not-ready and unreachable tolerations the pod lacks; returns the same pod. */
export function addDefaultTolerations<P extends PodWithTolerations>(pod: P): P {
  const tolerations = pod.spec.tolerations ?? [];
  const added: Toleration[] = [];
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (tolerations.some((t) => coversNoExecute(t, key))) continue;
    added.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length > 0) pod.spec.tolerations = [...tolerations, ...added];
  return pod;
}
