// Pod conditions as upstream's podutil.UpdatePodCondition writes them: a new condition is
// appended; an existing one is replaced, keeping lastTransitionTime when the status is unchanged.
export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  observedGeneration?: number;
}

export function podCondition(status: { conditions?: PodCondition[] } | undefined, type: string): PodCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Sets `c` in status.conditions; returns whether anything but the times changed. */
export function setPodCondition(status: { conditions?: PodCondition[] }, c: PodCondition, now: string): boolean {
  const next: PodCondition = { lastProbeTime: null, ...c, lastTransitionTime: now };
  const conditions = status.conditions ?? [];
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i < 0) {
    status.conditions = [...conditions, next];
    return true;
  }
  const old = conditions[i];
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime ?? now;
  const changed = old.status !== next.status || (old.reason ?? "") !== (next.reason ?? "") || (old.message ?? "") !== (next.message ?? "");
  status.conditions = conditions.map((x, j) => (j === i ? next : x));
  return changed;
}
