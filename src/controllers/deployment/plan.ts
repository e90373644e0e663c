// The Deployment controller's decision for one sync, as upstream's syncDeployment: pause and
// resume conditions, scaling events, RollingUpdate or Recreate rollouts, history cleanup and
// the status. Pure: ReplicaSet writes and events come back as actions for the runtime.
//
// Inputs are what upstream's sync works from: the ReplicaSets this Deployment controls (already
// claimed: owned and matching its selector) and their pods. apps/v1 has no spec.rollbackTo:
// `kubectl rollout undo` writes an old template back, and `kubectl rollout restart` stamps a
// template annotation; both are template changes, handled as any other (an undo finds and
// re-promotes the old ReplicaSet, whose revision moves to revision-history).
import type { Deployment } from "../../apis/apps/v1/deployment.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import type { Pod } from "../../apis/core/v1/pod.js";
import { canonicalJSON } from "./hash.js";
import { requeueStuckDeployment } from "./progress.js";
import { rolloutRecreate } from "./recreate.js";
import { rolloutRolling } from "./rolling.js";
import { AbortSync, type DeploymentAction, type SyncContext, calculateStatus, cleanupDeployment, event, findNewReplicaSet, findOldReplicaSets, getNewReplicaSet, scale } from "./sync.js";
import { type DeploymentStatus, Reasons, desiredReplicasAnnotation, filterActiveReplicaSets, getCondition, hasProgressDeadline, newCondition, setCondition, specReplicas } from "./util.js";

export type { DeploymentAction } from "./sync.js";

export interface DeploymentPlanOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** Other ReplicaSets of the namespace, to detect a pod-template-hash name collision. */
  otherReplicaSets?: readonly ReplicaSet[];
  /**
   * The previous attempt to create the new ReplicaSet failed with this message: report it
   * (Progressing=False ReplicaSetCreateError and a Warning event) instead of creating again.
   */
  createError?: string;
}

export interface DeploymentPlan {
  actions: DeploymentAction[];
  /** The Deployment's status after this sync (write it when it differs). */
  status: DeploymentStatus;
  /** New value of the deployment.kubernetes.io/revision annotation, when it changes. */
  revision?: string;
  /** Sync again after this many seconds (0: now, with backoff) for a progress or collision check. */
  requeueAfterSeconds?: number;
}

function isEverything(d: Deployment): boolean {
  const s = d.spec.selector;
  return !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** checkPausedConditions: Progressing=Unknown while paused, and when resumed. */
function checkPausedConditions(ctx: SyncContext): void {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(ctx.conditions, "Progressing");
  if (cond?.reason === Reasons.TimedOut) return;
  const pausedCond = cond?.reason === Reasons.Paused;
  if (d.spec.paused && !pausedCond) {
    ctx.conditions = setCondition(ctx.conditions, newCondition("Progressing", "Unknown", Reasons.Paused, "Deployment is paused", ctx.now));
  } else if (!d.spec.paused && pausedCond) {
    ctx.conditions = setCondition(ctx.conditions, newCondition("Progressing", "Unknown", Reasons.Resumed, "Deployment is resumed", ctx.now));
  }
}

/** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
function isScalingEvent(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>): boolean {
  return filterActiveReplicaSets(allRSs).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== specReplicas(d);
  });
}

export function plan(d: Deployment, replicaSets: readonly ReplicaSet[], pods: readonly Pod[], opts: DeploymentPlanOptions): DeploymentPlan {
  const ctx: SyncContext = {
    d,
    now: opts.now,
    actions: [],
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
    collisionCount: d.status?.collisionCount,
    otherReplicaSets: opts.otherReplicaSets ?? [],
    createError: opts.createError,
  };
  const finish = (status: DeploymentStatus, requeueAfterSeconds?: number): DeploymentPlan => {
    const out: DeploymentPlan = { actions: ctx.actions, status };
    if (ctx.revision !== undefined) out.revision = ctx.revision;
    if (requeueAfterSeconds !== undefined) out.requeueAfterSeconds = requeueAfterSeconds;
    return out;
  };

  if (isEverything(d)) {
    event(ctx, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
    const status = { ...(d.status ?? {}) };
    if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) status.observedGeneration = d.metadata.generation;
    return finish(status);
  }

  try {
    const rsList = [...replicaSets];
    const oldRSs = findOldReplicaSets(findNewReplicaSet(d, rsList), rsList);
    const existingNew = getNewReplicaSet(ctx, rsList, oldRSs, false);
    const allRSs = [...oldRSs, existingNew];

    if (d.metadata.deletionTimestamp) return finish(calculateStatus(ctx, allRSs, existingNew)); // syncStatusOnly
    checkPausedConditions(ctx);
    if (d.spec.paused || isScalingEvent(d, allRSs)) {
      scale(ctx, existingNew, oldRSs);
      if (d.spec.paused) cleanupDeployment(ctx, oldRSs);
      return finish(calculateStatus(ctx, allRSs, existingNew));
    }
    const status =
      d.spec.strategy.type === "Recreate" ? rolloutRecreate(ctx, rsList, existingNew, oldRSs, pods) : rolloutRolling(ctx, rsList, existingNew, oldRSs);
    const unchanged = canonicalJSON(status) === canonicalJSON(d.status ?? {});
    return finish(status, unchanged ? requeueStuckDeployment(d, status.conditions ?? [], status, opts.now) : undefined);
  } catch (e) {
    if (!(e instanceof AbortSync)) throw e;
    // Upstream wrote what it had (conditions, collisionCount) and returned an error: re-queue.
    const status: DeploymentStatus = { ...(d.status ?? {}) };
    if (ctx.conditions.length) status.conditions = ctx.conditions;
    if (ctx.collisionCount !== undefined) status.collisionCount = ctx.collisionCount;
    return finish(status, 0);
  }
}

