// Recreate (upstream's recreate.go): scale every old ReplicaSet to 0, wait until none of their
// pods runs, then create or scale up the new ReplicaSet to the full count.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { controllerOf } from "../replicaset/pods.js";
import { type SyncContext, cleanupDeployment, getNewReplicaSet, scaleAndRecord } from "./sync.js";
import { deploymentComplete, syncRolloutStatus } from "./progress.js";
import { type DeploymentStatus, filterActiveReplicaSets, specReplicas, sumStatus } from "./util.js";

export function rolloutRecreate(ctx: SyncContext, rsList: readonly ReplicaSet[], found: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: readonly Pod[]): DeploymentStatus {
  let newRS = found;
  let allRSs: Array<ReplicaSet | undefined> = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActiveReplicaSets(oldRSs)) if (scaleAndRecord(ctx, rs, 0).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(ctx, allRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, rsList, pods)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (!newRS) {
    newRS = getNewReplicaSet(ctx, rsList, oldRSs, true)!;
    allRSs = [...oldRSs, newRS];
  }
  scaleAndRecord(ctx, newRS, specReplicas(ctx.d));
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS);
}

/**
 * oldPodsRunning: an old ReplicaSet still reports replicas, or one of its pods (terminating
 * ones included) is not in a terminal phase. Unknown counts as running.
 */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], rsList: readonly ReplicaSet[], pods: readonly Pod[]): boolean {
  if (sumStatus(oldRSs, "replicas") > 0) return true;
  const owners = new Set(rsList.map((rs) => rs.metadata.uid));
  for (const pod of pods) {
    const uid = controllerOf(pod)?.uid;
    if (!uid || !owners.has(uid) || (newRS && uid === newRS.metadata.uid)) continue;
    const phase = pod.status?.phase;
    if (phase !== "Failed" && phase !== "Succeeded") return true;
  }
  return false;
}
