// The five Namespace conditions the namespace controller owns, worded as upstream's
// status_condition_utils.go: a failure sets a condition True with its reason and message, and
// every condition not failing this round reads False with its "ok" reason and message.

export interface NamespaceCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

export const DISCOVERY_FAILURE = "NamespaceDeletionDiscoveryFailure";
export const GV_PARSING_FAILURE = "NamespaceDeletionGroupVersionParsingFailure";
export const CONTENT_FAILURE = "NamespaceDeletionContentFailure";
export const CONTENT_REMAINING = "NamespaceContentRemaining";
export const FINALIZERS_REMAINING = "NamespaceFinalizersRemaining";

/** In the order upstream adds them. */
export const CONDITION_TYPES = [DISCOVERY_FAILURE, GV_PARSING_FAILURE, CONTENT_FAILURE, CONTENT_REMAINING, FINALIZERS_REMAINING] as const;

const OK: Record<string, { reason: string; message: string }> = {
  [DISCOVERY_FAILURE]: { reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
  [GV_PARSING_FAILURE]: { reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
  [CONTENT_FAILURE]: { reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
  [CONTENT_REMAINING]: { reason: "ContentRemoved", message: "All content successfully removed" },
  [FINALIZERS_REMAINING]: { reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
};

/** A resource as upstream names it in messages: `pods.` for core, `deployments.apps`. */
export interface RemainingResource {
  group: string;
  resource: string;
  count: number;
}

/** NamespaceContentRemaining and NamespaceFinalizersRemaining for what is left (ProcessContentTotals). */
export function contentConditions(remaining: RemainingResource[], finalizers: Record<string, number>, now: string): NamespaceCondition[] {
  const out: NamespaceCondition[] = [];
  const resources = remaining.filter((r) => r.count > 0).map((r) => `${r.resource}.${r.group} has ${r.count} resource instances`);
  if (resources.length) {
    out.push({ type: CONTENT_REMAINING, status: "True", lastTransitionTime: now, reason: "SomeResourcesRemain", message: `Some resources are remaining: ${sorted(resources).join(", ")}` });
  }
  const entries = Object.entries(finalizers).filter(([, n]) => n > 0);
  if (entries.length) {
    const byFinalizer = entries.map(([f, n]) => `${f} in ${n} resource instances`);
    out.push({
      type: FINALIZERS_REMAINING,
      status: "True",
      lastTransitionTime: now,
      reason: "SomeFinalizersRemain",
      message: `Some content in the namespace has finalizers remaining: ${sorted(byFinalizer).join(", ")}`,
    });
  }
  return out;
}

/** NamespaceDeletionContentFailure from the resources whose deletion failed (makeDeleteContentCondition). */
export function contentFailureCondition(errors: string[], now: string): NamespaceCondition | undefined {
  if (!errors.length) return undefined;
  return {
    type: CONTENT_FAILURE,
    status: "True",
    lastTransitionTime: now,
    reason: "ContentDeletionFailed",
    message: `Failed to delete all resource types, ${errors.length} remaining: ${sorted(errors).join(", ")}`,
  };
}

/**
 * upstream's updateConditions: each owned type takes its new value (or the "ok" variant); an
 * existing condition is changed in place, its lastTransitionTime only when its status flips;
 * conditions of other types stay. Returns the new list and whether anything changed.
 */
export function updateConditions(current: NamespaceCondition[], fresh: NamespaceCondition[], now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = current.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const next = fresh.find((c) => c.type === type) ?? { type, status: "False", lastTransitionTime: now, ...OK[type] };
    const old = conditions.find((c) => c.type === type);
    if (!old) {
      conditions.push(next);
      changed = true;
    } else if (old.status !== next.status || old.message !== next.message || old.reason !== next.reason) {
      if (old.status !== next.status) old.lastTransitionTime = now;
      old.status = next.status;
      old.reason = next.reason;
      old.message = next.message;
      changed = true;
    }
  }
  return { conditions, changed };
}

/** Go's sort.Strings: by UTF-16 code units here, which agrees with bytes for the ASCII names involved. */
function sorted(xs: string[]): string[] {
  return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
