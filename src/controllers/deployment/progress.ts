// Rollout status (upstream's progress.go): the Progressing condition (created, updated,
// complete, timed out), ReplicaFailure promoted from the ReplicaSets, and when to look again.
import type { Deployment } from "../../apis/apps/v1/deployment.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { timeMs } from "../replicaset/pods.js";
import { type SyncContext, calculateStatus } from "./sync.js";
import { type DeploymentCondition, type DeploymentStatus, Reasons, getCondition, hasProgressDeadline, newCondition, removeCondition, setCondition, specReplicas } from "./util.js";

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = specReplicas(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas. */
function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress recorded for progressDeadlineSeconds. */
function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s.conditions, "Progressing");
  if (!c || c.reason === Reasons.NewRSAvailable) return false;
  if (c.reason === Reasons.TimedOut) return true;
  const from = timeMs(c.lastUpdateTime) ?? 0;
  return from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

/** syncRolloutStatus: calculateStatus plus progress estimation and replica failures. */
export function syncRolloutStatus(ctx: SyncContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const d = ctx.d;
  const status = calculateStatus(ctx, allRSs, newRS);
  let conditions: DeploymentCondition[] = status.conditions ?? [];
  if (!hasProgressDeadline(d)) conditions = removeCondition(conditions, "Progressing");
  const current = getCondition(ctx.conditions, "Progressing");
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewRSAvailable;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    const withConditions = { ...status, conditions };
    if (deploymentComplete(d, withConditions)) {
      conditions = setCondition(conditions, newCondition("Progressing", "True", Reasons.NewRSAvailable, `${subject} has successfully progressed.`, ctx.now));
    } else if (deploymentProgressing(d, withConditions)) {
      // Progress refreshes lastUpdateTime even with the same reason; the transition time stays while True.
      const c = newCondition("Progressing", "True", Reasons.ReplicaSetUpdated, `${subject} is progressing.`, ctx.now);
      if (current) {
        if (current.status === "True") c.lastTransitionTime = current.lastTransitionTime;
        conditions = removeCondition(conditions, "Progressing");
      }
      conditions = setCondition(conditions, c);
    } else if (deploymentTimedOut(d, withConditions, ctx.now)) {
      conditions = setCondition(conditions, newCondition("Progressing", "False", Reasons.TimedOut, `${subject} has timed out progressing.`, ctx.now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  conditions = failure ? setCondition(conditions, failure) : removeCondition(conditions, "ReplicaFailure");
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's. */
function replicaFailure(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const find = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === "ReplicaFailure");
  const c = find(newRS) ?? allRSs.map(find).find((x) => x);
  if (!c) return undefined;
  return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/**
 * requeueStuckDeployment: seconds until the progress deadline of an unfinished rollout expires
 * (plus one, as upstream), 0 to look again now, undefined when nothing is pending.
 */
export function requeueStuckDeployment(d: Deployment, conditions: readonly DeploymentCondition[], status: DeploymentStatus, now: number): number | undefined {
  const current = getCondition(conditions, "Progressing");
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reasons.TimedOut) return undefined;
  const after = (timeMs(current.lastUpdateTime) ?? 0) + d.spec.progressDeadlineSeconds! * 1000 - now;
  if (after < 1000) return 0;
  return Math.ceil((after + 1000) / 1000);
}
