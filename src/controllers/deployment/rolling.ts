// RollingUpdate (upstream's rolling.go): grow the new ReplicaSet within maxSurge, then shrink
// old ones within maxUnavailable, unhealthy replicas first. One step per sync; the next sync
// sees the ReplicaSets' new status.
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { type SyncContext, cleanupDeployment, getNewReplicaSet, scaleAndRecord } from "./sync.js";
import { syncRolloutStatus, deploymentComplete } from "./progress.js";
import type { DeploymentStatus } from "./util.js";
import { byCreation, filterActiveReplicaSets, maxUnavailable, newRSNewReplicas, specReplicas, sumSpecReplicas, sumStatus } from "./util.js";

export function rolloutRolling(ctx: SyncContext, rsList: readonly ReplicaSet[], found: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): DeploymentStatus {
  const newRS = found ?? getNewReplicaSet(ctx, rsList, oldRSs, true)!;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(ctx, allRSs, newRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (reconcileOldReplicaSets(ctx, allRSs, filterActiveReplicaSets(oldRSs), newRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS);
}

function reconcileNewReplicaSet(ctx: SyncContext, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): boolean {
  const desired = specReplicas(ctx.d);
  if (specReplicas(newRS) === desired) return false;
  if (specReplicas(newRS) > desired) return scaleAndRecord(ctx, newRS, desired).scaled;
  return scaleAndRecord(ctx, newRS, newRSNewReplicas(ctx.d, allRSs, newRS)).scaled;
}

/**
 * reconcileOldReplicaSets: scale down at most allPods - minAvailable - newRSUnavailable, so pods
 * of a new ReplicaSet that never become available do not let the old ones shrink further.
 */
function reconcileOldReplicaSets(ctx: SyncContext, allRSs: readonly ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  if (sumSpecReplicas(oldRSs) === 0) return false;
  const minAvailable = specReplicas(ctx.d) - maxUnavailable(ctx.d);
  const newRSUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleanedUp = cleanupUnhealthyReplicas(ctx, oldRSs, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSets(ctx, [...oldRSs, newRS], oldRSs);
  return cleanedUp + scaledDown > 0;
}

/** Scale old ReplicaSets down by their unavailable replicas first, oldest first (mutates oldRSs). */
function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: ReplicaSet[], maxCleanup: number): number {
  oldRSs.sort(byCreation);
  let total = 0;
  for (let i = 0; i < oldRSs.length && total < maxCleanup; i++) {
    const rs = oldRSs[i];
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    oldRSs[i] = scaleAndRecord(ctx, rs, replicas - count).rs;
    total += count;
  }
  return total;
}

/** scaleDownOldReplicaSetsForRollingUpdate: shed available pods above minAvailable, oldest first. */
function scaleDownOldReplicaSets(ctx: SyncContext, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): number {
  const minAvailable = specReplicas(ctx.d) - maxUnavailable(ctx.d);
  const available = sumStatus(allRSs, "availableReplicas");
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), target - total);
    scaleAndRecord(ctx, rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}
