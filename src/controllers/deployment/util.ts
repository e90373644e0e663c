// Upstream's deploymentutil for the pure planner: surge/unavailable fenceposts, revision and
// replica annotations, conditions with upstream's timestamp rules, ReplicaSet orderings.
import type { Deployment } from "../../apis/apps/v1/deployment.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { rfc3339 } from "../../lib/clock.js";
import { timeMs } from "../replicaset/pods.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
const DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to";
/** Annotations never copied from a Deployment to its ReplicaSets. */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);
/** Limit of the revision-history annotation (sync.go's maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2 ** 31 - 1;

// Condition reasons, as upstream names them.
export const Reasons = {
  ReplicaSetUpdated: "ReplicaSetUpdated",
  FailedRSCreate: "ReplicaSetCreateError",
  NewReplicaSet: "NewReplicaSetCreated",
  FoundNewRS: "FoundNewReplicaSet",
  NewRSAvailable: "NewReplicaSetAvailable",
  TimedOut: "ProgressDeadlineExceeded",
  Paused: "DeploymentPaused",
  Resumed: "DeploymentResumed",
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

export type DeploymentStatus = NonNullable<Deployment["status"]>;
export type DeploymentCondition = NonNullable<DeploymentStatus["conditions"]>[number];

export const specReplicas = (o: { spec: { replicas?: number } }): number => o.spec.replicas ?? 1;

// ---- fenceposts ----

/** intstr.GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) {
    // An int-like string is what intstr would reject; validation keeps it from reaching here.
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) ? 0 : n;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; both zero means unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy.type ?? "RollingUpdate") === "RollingUpdate";

function fenceposts(d: Deployment) {
  const ru = d.spec.strategy.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? "25%", ru?.maxUnavailable ?? "25%", specReplicas(d));
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** MaxUnavailable: 0 unless RollingUpdate, at most spec.replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

export const hasProgressDeadline = (d: Deployment): boolean => d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;
export const hasRevisionHistoryLimit = (d: Deployment): boolean => d.spec.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== MAX_INT32;

// ---- annotations ----

/** strconv.Atoi / ParseInt: a decimal integer or undefined. */
function parseIntStrict(v: string | undefined): number | undefined {
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(v, 10, 64): revisions are int64, beyond a double's exact range. */
function parseInt64(v: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(v)) return undefined;
  const n = BigInt(v);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Revision: 0 without the annotation, undefined when it does not parse. */
export function revisionOf(rs: ReplicaSet): bigint | undefined {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  return v === undefined ? 0n : parseInt64(v);
}

export function maxRevision(rss: readonly ReplicaSet[]): bigint {
  let max = 0n;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => parseIntStrict(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => parseIntStrict(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations;
  return a?.[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a?.[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** SetReplicasAnnotations (mutates rs). */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let updated = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  return updated;
}

/**
 * SetNewReplicaSetAnnotations (mutates rs): copy the Deployment's annotations, raise the
 * revision to newRevision (keeping the previous one in revision-history, which is how a
 * rollback to an old template shows), and on creation set the replica annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: bigint, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.prototype.hasOwnProperty.call(a, REVISION_ANNOTATION);
  const oldRevision = a[REVISION_ANNOTATION] ?? "";
  const oldRevisionInt = oldRevision === "" ? 0n : parseInt64(oldRevision);
  if (oldRevisionInt === undefined) return false; // upstream gives up on an unparseable revision
  if (oldRevisionInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? "";
      if (history === "") a[REVISION_HISTORY_ANNOTATION] = oldRevision;
      else {
        const old = history.split(",");
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < old.length) total -= old[start++].length + 1;
        if (total <= MAX_REV_HISTORY_LENGTH_IN_CHARS) a[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(",");
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- conditions ----

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(conditions: readonly DeploymentCondition[] | undefined, type: string): DeploymentCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: unchanged when status and reason are the same; keeps
 * lastTransitionTime when only the reason changes; the condition moves to the end.
 */
export function setCondition(conditions: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const current = getCondition(conditions, c.type!);
  if (current && current.status === c.status && current.reason === c.reason) return conditions;
  const next = { ...c };
  if (current && current.status === c.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((x) => x.type !== c.type), next];
}

export function removeCondition(conditions: DeploymentCondition[], type: string): DeploymentCondition[] {
  return conditions.filter((c) => c.type !== type);
}

// ---- orderings ----

function creationLess(a: ReplicaSet, b: ReplicaSet): boolean {
  const ta = timeMs(a.metadata.creationTimestamp) ?? 0;
  const tb = timeMs(b.metadata.creationTimestamp) ?? 0;
  if (ta === tb) return (a.metadata.name ?? "") < (b.metadata.name ?? "");
  return ta < tb;
}
const toCompare = (less: (a: ReplicaSet, b: ReplicaSet) => boolean) => (a: ReplicaSet, b: ReplicaSet) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export const byCreation = toCompare(creationLess);
/** ReplicaSetsBySizeNewer: largest first, newer first among equals (scaling up). */
export const bySizeNewer = toCompare((a, b) => (specReplicas(a) === specReplicas(b) ? creationLess(b, a) : specReplicas(a) > specReplicas(b)));
/** ReplicaSetsBySizeOlder: largest first, older first among equals (scaling down). */
export const bySizeOlder = toCompare((a, b) => (specReplicas(a) === specReplicas(b) ? creationLess(a, b) : specReplicas(a) > specReplicas(b)));
/** ReplicaSetsByRevision: lowest revision first, creation order among equals or unparseable. */
export const byRevision = toCompare((a, b) => {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return creationLess(a, b);
  return ra < rb;
});

export const filterActiveReplicaSets = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);

export const sumSpecReplicas = (rss: readonly (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
export const sumStatus = (rss: readonly (ReplicaSet | undefined)[], field: "replicas" | "readyReplicas" | "availableReplicas"): number =>
  rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);

// ---- replica arithmetic ----

/** NewRSNewReplicas: how far the new ReplicaSet may grow in this step. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return specReplicas(d);
  const replicas = specReplicas(d);
  const surge = scaledValue(d.spec.strategy.rollingUpdate?.maxSurge ?? "25%", replicas, true);
  const current = sumSpecReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

/** IsSaturated: the new ReplicaSet runs the full, available count for the current size. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = specReplicas(d);
  return specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** getReplicaSetFraction: this ReplicaSet's share of the change, from its max-replicas annotation. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentMax = specReplicas(d) + maxSurge(d);
  let before = maxReplicasAnnotation(rs);
  if (!before) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const size = (specReplicas(rs) * deploymentMax) / before;
  return Math.round(size) - specReplicas(rs);
}

/** GetProportion: the bounded share of toAdd for rs, given what was already handed out. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** FindActiveOrLatest: the one active ReplicaSet, or the newest when none is active. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sortedOld = [...oldRSs].sort(byCreation).reverse();
  const active = filterActiveReplicaSets([...sortedOld, newRS]);
  if (active.length === 0) return newRS ?? sortedOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}
