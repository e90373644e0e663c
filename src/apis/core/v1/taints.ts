// Taints and tolerations as upstream's helpers read them (k8s.io/api/core/v1 toleration.go and
// taint.go): which toleration tolerates which taint, and the taints a pod leaves untolerated.
// Shared by the scheduler's TaintToleration plugin and the node lifecycle controller.

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * Toleration.ToleratesTaint: an empty effect matches every effect, an empty key with Exists
 * matches every taint, Exists ignores the value, Equal (the default) compares it.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** Whether any of the tolerations tolerates the taint. */
export function toleratedBy(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint (of the given effects) no toleration tolerates (upstream FindMatchingUntoleratedTaint). */
export function firstUntolerated(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!toleratedBy(tolerations, taint)) return taint;
  }
  return undefined;
}

/** Taint.ToString as the scheduler prints it in reasons: `{key: value}`. */
export function taintString(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ""}}`;
}

export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
