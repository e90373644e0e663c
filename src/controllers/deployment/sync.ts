// The steps every Deployment sync shares (upstream's sync.go): finding or creating the new
// ReplicaSet, scaling with events, proportional scaling, history cleanup and status. A SyncContext
// collects the actions and the Deployment status fields upstream mutates between writes.
import type { Deployment } from "../../apis/apps/v1/deployment.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { controllerOf } from "../replicaset/pods.js";
import { POD_TEMPLATE_HASH_LABEL, computeHash, equalIgnoreHash } from "./hash.js";
import {
  type DeploymentCondition,
  type DeploymentStatus,
  REVISION_ANNOTATION,
  Reasons,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  filterActiveReplicaSets,
  findActiveOrLatest,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  maxRevision,
  newCondition,
  newRSNewReplicas,
  proportion,
  replicasAnnotationsNeedUpdate,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  sumSpecReplicas,
  sumStatus,
} from "./util.js";

export type DeploymentAction =
  /** Create this ReplicaSet (its name is deterministic: <deployment>-<pod-template-hash>). */
  | { type: "createReplicaSet"; replicaSet: ReplicaSet }
  /** Replace the ReplicaSet with this object (its resourceVersion is the precondition). */
  | { type: "updateReplicaSet"; replicaSet: ReplicaSet }
  /** Delete an old ReplicaSet beyond revisionHistoryLimit. */
  | { type: "deleteReplicaSet"; name: string; uid: string; resourceVersion: string }
  /** An event on the Deployment, as the deployment-controller records it. */
  | { type: "event"; eventType: "Normal" | "Warning"; reason: string; message: string };

/** Thrown to end a sync early, as upstream returns an error (the caller re-queues with backoff). */
export class AbortSync extends Error {}

export interface SyncContext {
  d: Deployment;
  now: number;
  actions: DeploymentAction[];
  /** d.status.conditions as upstream's in-place writes leave them. */
  conditions: DeploymentCondition[];
  collisionCount?: number;
  /** New value for the Deployment's revision annotation, when it changes. */
  revision?: string;
  /** ReplicaSets outside the owned list, consulted for hash collisions only. */
  otherReplicaSets: readonly ReplicaSet[];
  /** Error of the previous attempt to create the new ReplicaSet. */
  createError?: string;
}

export function event(ctx: SyncContext, eventType: "Normal" | "Warning", reason: string, message: string): void {
  ctx.actions.push({ type: "event", eventType, reason, message });
}

/** Record an update, folding several updates of one ReplicaSet in a sync into the first. */
function emitUpdate(ctx: SyncContext, rs: ReplicaSet): void {
  const i = ctx.actions.findIndex((a) => a.type === "updateReplicaSet" && a.replicaSet.metadata.name === rs.metadata.name);
  if (i >= 0) ctx.actions[i] = { type: "updateReplicaSet", replicaSet: rs };
  else ctx.actions.push({ type: "updateReplicaSet", replicaSet: rs });
}

/** scaleReplicaSet: set replicas and the replica annotations; an event when the size changes. */
export function scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, newScale: number, operation: string): { scaled: boolean; rs: ReplicaSet } {
  const d = ctx.d;
  const oldScale = specReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const max = specReplicas(d) + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, specReplicas(d), max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, specReplicas(d), max);
  emitUpdate(ctx, copy);
  if (sizeNeedsUpdate) event(ctx, "Normal", "ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  return { scaled: sizeNeedsUpdate, rs: copy };
}

/** scaleReplicaSetAndRecordEvent. */
export function scaleAndRecord(ctx: SyncContext, rs: ReplicaSet, newScale: number): { scaled: boolean; rs: ReplicaSet } {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, specReplicas(rs) < newScale ? "up" : "down");
}

function setDeploymentRevision(ctx: SyncContext, revision: string | undefined): void {
  const current = ctx.revision ?? ctx.d.metadata.annotations?.[REVISION_ANNOTATION];
  if (revision !== undefined && current !== revision) ctx.revision = revision;
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets (all of them, including those scaled to 0). */
export function findOldReplicaSets(newRS: ReplicaSet | undefined, rsList: readonly ReplicaSet[]): ReplicaSet[] {
  return rsList.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

/** metav1.NewControllerRef for a Deployment. */
function deploymentControllerRef(d: Deployment) {
  return { apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name ?? "", uid: d.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/**
 * getNewReplicaSet: sync the existing new ReplicaSet's annotations (revision, copied Deployment
 * annotations) and minReadySeconds, or, when `create`, create it with as many replicas as the
 * strategy allows now.
 */
export function getNewReplicaSet(ctx: SyncContext, rsList: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean): ReplicaSet | undefined {
  const d = ctx.d;
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1n;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec.minReadySeconds ?? 0;
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReady) {
      if (d.spec.minReadySeconds === undefined) delete copy.spec.minReadySeconds;
      else copy.spec.minReadySeconds = minReady;
      emitUpdate(ctx, copy);
      return copy; // upstream returns here; the Deployment's revision follows on the next sync
    }
    setDeploymentRevision(ctx, copy.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(ctx.conditions, "Progressing")) {
      ctx.conditions = setCondition(ctx.conditions, newCondition("Progressing", "True", Reasons.FoundNewRS, `Found new replica set "${copy.metadata.name}"`, ctx.now));
    }
    return copy;
  }
  if (!create) return undefined;

  const hash = computeHash(d.spec.template, ctx.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const name = `${d.metadata.name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, ...(d.metadata.namespace ? { namespace: d.metadata.namespace } : {}), ownerReferences: [deploymentControllerRef(d)], labels: { ...template.metadata.labels } },
    spec: { replicas: 0, ...(d.spec.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  // A ReplicaSet of that name already exists: ours with this template (a stale cache), or a hash
  // collision, resolved by bumping collisionCount and trying again.
  const clash = [...rsList, ...ctx.otherReplicaSets].find((rs) => rs.metadata.name === name);
  let created = newRS;
  let alreadyExists = false;
  if (clash) {
    if (controllerOf(clash)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, clash.spec.template)) {
      created = clash;
      alreadyExists = true;
    } else {
      ctx.collisionCount = (ctx.collisionCount ?? 0) + 1;
      throw new AbortSync(`hash collision for ${name}`);
    }
  } else if (ctx.createError !== undefined) {
    const msg = `Failed to create new replica set "${name}": ${ctx.createError}`;
    if (hasProgressDeadline(d)) ctx.conditions = setCondition(ctx.conditions, newCondition("Progressing", "False", Reasons.FailedRSCreate, msg, ctx.now));
    event(ctx, "Warning", Reasons.FailedRSCreate, msg);
    throw new AbortSync(msg);
  } else {
    ctx.actions.push({ type: "createReplicaSet", replicaSet: newRS });
  }
  const count = specReplicas(created);
  if (!alreadyExists && count > 0) event(ctx, "Normal", "ScalingReplicaSet", `Scaled up replica set ${name} from 0 to ${count}`);
  setDeploymentRevision(ctx, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    ctx.conditions = setCondition(ctx.conditions, newCondition("Progressing", "True", Reasons.NewReplicaSet, `Created new replica set "${name}"`, ctx.now));
  }
  return created;
}

/**
 * scale: on a scaling event or while paused. One active ReplicaSet takes the whole count; a
 * saturated new ReplicaSet retires the old ones; otherwise, for RollingUpdate, the change is
 * spread over the active ReplicaSets in proportion to their size.
 */
export function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
  const d = ctx.d;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) !== specReplicas(d)) scaleAndRecord(ctx, activeOrLatest, specReplicas(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) scaleAndRecord(ctx, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allowedSize = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - sumSpecReplicas(allRSs);
  let operation = "";
  if (toAdd > 0) {
    allRSs.sort(bySizeNewer);
    operation = "up";
  } else if (toAdd < 0) {
    allRSs.sort(bySizeOlder);
    operation = "down";
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of allRSs) {
    const name = rs.metadata.name ?? "";
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(name, specReplicas(rs) + p);
      added += p;
    } else sizes.set(name, specReplicas(rs));
  }
  allRSs.forEach((rs, i) => {
    const name = rs.metadata.name ?? "";
    if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added)); // leftovers to the largest
    scaleReplicaSet(ctx, rs, sizes.get(name)!, operation);
  });
}

/** cleanupDeployment: delete the oldest revisions beyond revisionHistoryLimit that run nothing. */
export function cleanupDeployment(ctx: SyncContext, oldRSs: readonly ReplicaSet[]): void {
  const d = ctx.d;
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit!;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    ctx.actions.push({ type: "deleteReplicaSet", name: rs.metadata.name ?? "", uid: rs.metadata.uid ?? "", resourceVersion: rs.metadata.resourceVersion ?? "" });
  }
}

/** calculateStatus: counts from the ReplicaSets, the Available condition from maxUnavailable. */
export function calculateStatus(ctx: SyncContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const d = ctx.d;
  const available = sumStatus(allRSs, "availableReplicas");
  const unavailable = Math.max(0, sumSpecReplicas(allRSs) - available);
  const counts: Record<string, number | undefined> = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(allRSs, "replicas"),
    updatedReplicas: sumStatus([newRS], "replicas"),
    readyReplicas: sumStatus(allRSs, "readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  const status: DeploymentStatus = {};
  // omitempty, as the v1 JSON: zero counts are not written.
  for (const [k, v] of Object.entries(counts)) if (v) (status as Record<string, number>)[k] = v;
  let conditions = ctx.conditions.map((c) => ({ ...c }));
  conditions =
    available >= specReplicas(d) - maxUnavailable(d)
      ? setCondition(conditions, newCondition("Available", "True", Reasons.MinimumReplicasAvailable, "Deployment has minimum availability.", ctx.now))
      : setCondition(conditions, newCondition("Available", "False", Reasons.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", ctx.now));
  if (conditions.length) status.conditions = conditions;
  if (ctx.collisionCount !== undefined) status.collisionCount = ctx.collisionCount;
  return status;
}
