// The ReplicaSet controller's decision for one sync, as upstream's syncReplicaSet: claim pods
// (adopt orphans, release owned pods the selector no longer matches), create or delete pods
// toward spec.replicas, and compute the status. Pure: the runtime lists, executes and retries.
//
// Left to the caller, as upstream keeps them outside the decision:
//  * Expectations: after executing creations/deletions the caller must not act on the same
//    ReplicaSet again until its informer has observed them (pass expectationsSatisfied=false
//    meanwhile: status and claims are still planned, creations and deletions are not).
//  * slowStartBatch: issue the createPod actions in batches of 1, 2, 4, … and stop at the first
//    failure; plan only caps one sync at `burst` creations or deletions (BurstReplicas, 500).
//  * A failed create or delete is reported to the next plan as `lastError`, which sets the
//    ReplicaFailure condition (FailedCreate / FailedDelete) as upstream's calculateStatus.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { rfc3339 } from "../../lib/clock.js";
import { randomSuffix as defaultRandomSuffix } from "../../registry/names.js";
import { type LabelSelector, labelSelectorFromObject, labelSelectorFromSet } from "../../registry/selectors/index.js";
import { controllerOf, filterActivePods, isPodAvailable, isPodReady, podsToDelete } from "./pods.js";

export type OwnerReference = NonNullable<Pod["metadata"]["ownerReferences"]>[number];
export type ReplicaSetStatus = NonNullable<ReplicaSet["status"]>;
type Condition = NonNullable<ReplicaSetStatus["conditions"]>[number];

export type ReplicaSetAction =
  /** Create this pod (name already generated; generateName kept for the record). */
  | { type: "createPod"; pod: Pod }
  /** Delete the pod, with uid and resourceVersion as preconditions. */
  | { type: "deletePod"; name: string; uid: string; resourceVersion: string }
  /** Add this controller reference to an orphan (patch with metadata.uid as precondition). */
  | { type: "adoptPod"; name: string; uid: string; ownerReference: OwnerReference }
  /** Remove the owner reference whose uid is ownerUid from the pod. */
  | { type: "releasePod"; name: string; uid: string; ownerUid: string };

export interface ReplicaSetPlanOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** Most creations or deletions planned in one sync (upstream's BurstReplicas). */
  burst?: number;
  /** The 5-character suffix of generated pod names. */
  randomSuffix?: () => string;
  /** Message of the create/delete failure of the previous attempt, if any. */
  lastError?: string;
  /** False while the caller still expects earlier creations/deletions to show up. */
  expectationsSatisfied?: boolean;
  /** Pods of sibling ReplicaSets (same controlling Deployment) for the colocation rank. */
  relatedPods?: readonly Pod[];
}

export interface ReplicaSetPlan {
  actions: ReplicaSetAction[];
  status: ReplicaSetStatus;
  /** Re-sync after this many seconds so pods become available after minReadySeconds. */
  requeueAfterSeconds?: number;
}

export const BURST_REPLICAS = 500;
/** SimpleNameGenerator: 63-character names minus the 5 random characters. */
const MAX_GENERATED_NAME_BASE = 58;

/** metav1.NewControllerRef for a ReplicaSet. */
export function replicaSetControllerRef(rs: ReplicaSet): OwnerReference {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name ?? "", uid: rs.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** controller.GetPodFromTemplate plus the name the API server would generate. */
export function podFromTemplate(rs: ReplicaSet, suffix: string): Pod {
  const t = rs.spec.template;
  const prefix = `${rs.metadata.name ?? ""}-`;
  const meta: Pod["metadata"] = { generateName: prefix, name: prefix.slice(0, MAX_GENERATED_NAME_BASE) + suffix };
  if (rs.metadata.namespace) meta.namespace = rs.metadata.namespace;
  if (t.metadata?.labels) meta.labels = { ...t.metadata.labels };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) meta.finalizers = [...t.metadata.finalizers];
  meta.ownerReferences = [replicaSetControllerRef(rs)];
  return { apiVersion: "v1", kind: "Pod", metadata: meta, spec: structuredClone(t.spec) };
}

interface Claimed {
  pods: Pod[];
  actions: ReplicaSetAction[];
}

/** PodControllerRefManager.ClaimPods over the active pods. */
function claimPods(rs: ReplicaSet, selector: LabelSelector, pods: readonly Pod[]): Claimed {
  const uid = rs.metadata.uid ?? "";
  const deleting = !!rs.metadata.deletionTimestamp;
  const out: Claimed = { pods: [], actions: [] };
  for (const pod of pods) {
    const ref = controllerOf(pod);
    const matches = selector.matches(pod.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue; // someone else's
      if (matches) out.pods.push(pod);
      else if (!deleting) out.actions.push({ type: "releasePod", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "", ownerUid: uid });
      continue;
    }
    if (deleting || !matches || pod.metadata.deletionTimestamp) continue;
    if (rs.metadata.namespace && pod.metadata.namespace && rs.metadata.namespace !== pod.metadata.namespace) continue;
    out.actions.push({ type: "adoptPod", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "", ownerReference: replicaSetControllerRef(rs) });
    out.pods.push(pod);
  }
  return out;
}

/**
 * calculateStatus: counts over the claimed active pods; ReplicaFailure is set while an error is
 * reported and removed once a sync succeeds.
 */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], now: number, manageError?: string): ReplicaSetStatus {
  const templateLabels = labelSelectorFromSet(rs.spec.template.metadata?.labels);
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const prev = rs.status ?? {};
  let conditions: Condition[] | undefined = prev.conditions?.map((c) => ({ ...c }));
  const failure = conditions?.find((c) => c.type === "ReplicaFailure");
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    conditions = [...(conditions ?? []), { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(now), reason, message: manageError }];
  } else if (manageError === undefined && failure) {
    conditions = conditions!.filter((c) => c.type !== "ReplicaFailure");
  }
  // As the v1 JSON: replicas is always written, the other counts are omitempty.
  const status: ReplicaSetStatus = { ...prev, replicas: pods.length };
  const counts = { fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available, observedGeneration: rs.metadata.generation ?? prev.observedGeneration ?? 0 };
  for (const [k, v] of Object.entries(counts) as Array<[keyof typeof counts, number]>) {
    if (v) status[k] = v;
    else delete status[k];
  }
  if (conditions?.length) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/**
 * One sync of a ReplicaSet over the pods of its namespace that its selector could match (any
 * pods may be passed: foreign-owned and non-matching ones are ignored).
 */
export function plan(rs: ReplicaSet, pods: readonly Pod[], opts: ReplicaSetPlanOptions): ReplicaSetPlan {
  let selector: LabelSelector;
  try {
    selector = labelSelectorFromObject(rs.spec.selector);
  } catch {
    // Upstream logs the invalid selector and does nothing; validation makes this unreachable.
    return { actions: [], status: rs.status ?? {} };
  }
  const claimed = claimPods(rs, selector, filterActivePods(pods));
  const actions: ReplicaSetAction[] = [...claimed.actions];
  const active = claimed.pods;
  const burst = opts.burst ?? BURST_REPLICAS;
  const replicas = rs.spec.replicas ?? 1;

  if ((opts.expectationsSatisfied ?? true) && !rs.metadata.deletionTimestamp) {
    const diff = active.length - replicas;
    if (diff < 0) {
      const suffix = opts.randomSuffix ?? (() => defaultRandomSuffix(5));
      for (let i = 0; i < Math.min(-diff, burst); i++) actions.push({ type: "createPod", pod: podFromTemplate(rs, suffix()) });
    } else if (diff > 0) {
      const own = new Set(active.map((p) => p.metadata.uid));
      const related = [...active, ...(opts.relatedPods ?? []).filter((p) => !own.has(p.metadata.uid))];
      for (const p of podsToDelete(active, related, Math.min(diff, burst), opts.now)) {
        actions.push({ type: "deletePod", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "", resourceVersion: p.metadata.resourceVersion ?? "" });
      }
    }
  }

  const status = calculateReplicaSetStatus(rs, active, opts.now, opts.lastError);
  const result: ReplicaSetPlan = { actions, status };
  const minReady = rs.spec.minReadySeconds ?? 0;
  if (opts.lastError === undefined && minReady > 0 && (status.readyReplicas ?? 0) === replicas && (status.availableReplicas ?? 0) !== replicas) {
    result.requeueAfterSeconds = minReady;
  }
  return result;
}
