// What the namespace controller does with a Terminating namespace once its store has deleted
// what it could (upstream's NamespacedResourcesDeleter.Delete after deleteAllContent): which
// conditions the status gets, and whether to wait for content still there, retry after a
// failure, or remove the "kubernetes" finalizer. Pure: the reconciler does the I/O.
import type { Namespace } from "../../apis/core/v1/namespace.js";
import { rfc3339 } from "../../lib/clock.js";
import { contentConditions, contentFailureCondition, updateConditions, type NamespaceCondition, type RemainingResource } from "./conditions.js";
import type { ContentReport, ResourceContent } from "./content.js";

/** The token of spec.finalizers the namespace controller owns (upstream's FinalizerKubernetes). */
export const FINALIZER_TOKEN = "kubernetes";
/** upstream's finalizerEstimateSeconds: the time allowed for finalizers on remaining content. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export type NamespaceStatus = NonNullable<Namespace["status"]>;

export interface NamespacePlan {
  /** The status to write through namespaces/<name>/status, when it changes. */
  status?: NamespaceStatus;
  /** The spec.finalizers to write through namespaces/<name>/finalize: the content is gone. */
  finalize?: string[];
  /** Content remains and should be gone by then: look again after this long. */
  requeueAfterSeconds?: number;
  /** Some content could not be deleted: the reconcile fails and retries with backoff. */
  error?: string;
}

/** Upstream syncs only a namespace being deleted whose spec.finalizers are not yet empty. */
export function awaitsContentDeletion(ns: Namespace): boolean {
  return !!ns.metadata.deletionTimestamp && (ns.spec?.finalizers ?? []).length > 0;
}

/** Where one resource stands (deleteAllContentForGroupVersionResource's result). */
interface ResourceOutcome {
  estimateSeconds: number;
  remaining: number;
  finalizers: Record<string, number>;
  error?: string;
}

export function plan(ns: Namespace, report: ContentReport, nowMs: number): NamespacePlan {
  const now = rfc3339(nowMs);
  const name = ns.metadata.name ?? "";
  const deletedAtMs = Date.parse(ns.metadata.deletionTimestamp ?? "");

  let estimate = 0;
  const remaining: RemainingResource[] = [];
  const finalizers: Record<string, number> = {};
  const errors: string[] = [];
  for (const r of report.resources) {
    const o = outcome(r, name, deletedAtMs, nowMs);
    if (o.error !== undefined) errors.push(o.error);
    estimate = Math.max(estimate, o.estimateSeconds);
    if (o.remaining > 0) {
      remaining.push({ group: r.group, resource: r.resource, count: o.remaining });
      for (const [f, n] of Object.entries(o.finalizers)) if (n > 0) finalizers[f] = (finalizers[f] ?? 0) + n;
    }
  }

  // Discovery and group versions come from the built-in kinds here, so they never fail.
  const fresh: NamespaceCondition[] = contentConditions(remaining, finalizers, now);
  const failure = contentFailureCondition(errors, now);
  if (failure) fresh.push(failure);
  const status = ns.status ?? {};
  const { conditions, changed } = updateConditions((status.conditions ?? []) as NamespaceCondition[], fresh, now);

  const p: NamespacePlan = {};
  // upstream's updateNamespaceStatusFunc also makes sure the phase reads Terminating.
  if (changed || status.phase !== "Terminating") p.status = { ...status, phase: "Terminating", conditions };
  if (errors.length) p.error = aggregate(errors);
  else if (estimate > 0) p.requeueAfterSeconds = Math.floor(estimate / 2) + 1; // the namespace controller's wait on ResourcesRemainingError
  else {
    const current = ns.spec?.finalizers ?? [];
    const next = [...new Set(current.filter((f) => f !== FINALIZER_TOKEN))].sort();
    if (next.length !== current.length || next.some((f, i) => f !== current[i])) p.finalize = next;
  }
  return p;
}

function outcome(r: ResourceContent, namespace: string, deletedAtMs: number, nowMs: number): ResourceOutcome {
  // estimateGracefulTermination: no wait once the grace period has passed since the namespace was deleted.
  const estimate = nowMs - deletedAtMs >= r.gracePeriodSeconds * 1000 ? 0 : r.gracePeriodSeconds;
  if (r.error !== undefined) return { estimateSeconds: estimate, remaining: 0, finalizers: {}, error: r.error };
  if (r.remaining === 0) return { estimateSeconds: 0, remaining: 0, finalizers: {} };
  if (estimate !== 0) return { estimateSeconds: estimate, remaining: r.remaining, finalizers: r.finalizers };
  if (Object.keys(r.finalizers).length > 0) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: r.remaining, finalizers: r.finalizers };
  // Nothing holds them, yet they are there: something unexpected.
  return {
    estimateSeconds: 0,
    remaining: r.remaining,
    finalizers: {},
    error: `unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.resource}`,
  };
}

/** utilerrors.NewAggregate(errs).Error(): one message alone, several in brackets. */
function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}
