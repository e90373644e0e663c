// The reconcile contract (controller-runtime's Reconciler) and the loop a Durable Object's
// alarm runs: take due keys, reconcile each, and requeue on error, conflict or request.
import type { Clock } from "../../lib/clock.js";
import { splitWorkKey } from "./keys.js";
import type { WorkQueue } from "./work-queue.js";

export { joinKey, splitKey, workKey, splitWorkKey, objectKey } from "./keys.js";

/** Nothing (done) or a request to run again after a delay; failures are thrown. */
export type ReconcileResult = { requeueAfterMs?: number } | void;

export interface Reconciler {
  /** Names the reconciler in work keys (`<name>:<namespace>/<name>`); must not contain `:`. */
  name: string;
  /** Level-based: reads the current state of `key` (`namespace/name`) itself and converges it. */
  reconcile(key: string): Promise<ReconcileResult>;
}

export interface RunOptions {
  /** At most this many keys per run, so one alarm stays within its CPU budget; the rest stay due. */
  maxPerRun?: number;
}

export interface ReconcileError {
  /** The work key (`<reconciler>:<namespace>/<name>`). */
  item: string;
  reconciler: string;
  key: string;
  error: unknown;
}

export interface RunSummary {
  /** Reconciles attempted. */
  ran: number;
  /** Reconciles that threw (other than conflicts); each is re-added with backoff. */
  failed: number;
  /** Reconciles that threw 409 Conflict; each is re-added at once. */
  conflicts: number;
  /** Keys put back on the queue: failures, conflicts and requeueAfterMs. */
  requeued: number;
  errors: ReconcileError[];
  /** Where to set the next alarm (undefined: nothing left to do). */
  nextDueAt: number | undefined;
}

/** A 409 from the API (Conflict, AlreadyExists): a StatusError or any error carrying `code: 409`. */
export function isConflict(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === 409;
}

/**
 * Run every due key through its reconciler, one at a time (a Durable Object is single-threaded
 * and reconcilers mostly wait on I/O). Outcomes, as controller-runtime's reconcileHandler:
 * - success: forget the key's backoff;
 * - `requeueAfterMs`: forget, then add after that delay (0 means at once);
 * - 409 Conflict: add again at once; the cache was stale and the next run reads newer state.
 *   It is not a failure, so the key's backoff neither grows nor resets;
 * - any other error: add rate-limited (per-key exponential backoff) and report it.
 * A work key naming an unknown reconciler is reported once and dropped: it can never succeed.
 */
export async function runDue(
  queue: WorkQueue,
  reconcilers: Iterable<Reconciler> | Record<string, Reconciler>,
  now: Clock,
  options: RunOptions = {},
): Promise<RunSummary> {
  const byName = reconcilerMap(reconcilers);
  const summary: RunSummary = { ran: 0, failed: 0, conflicts: 0, requeued: 0, errors: [], nextDueAt: undefined };
  const items = queue.popDue(now(), options.maxPerRun ?? Infinity);
  for (const item of items) {
    let reconciler = "";
    let key = item;
    try {
      ({ reconciler, key } = splitWorkKey(item));
      const r = byName.get(reconciler);
      if (!r) throw new Error(`no reconciler named "${reconciler}"`);
      summary.ran++;
      let result: ReconcileResult;
      try {
        result = await r.reconcile(key);
      } catch (e) {
        if (isConflict(e)) {
          summary.conflicts++;
          queue.add(item);
        } else {
          summary.failed++;
          summary.errors.push({ item, reconciler, key, error: e });
          queue.addRateLimited(item);
        }
        summary.requeued++;
        continue;
      }
      queue.forget(item);
      if (result && result.requeueAfterMs !== undefined) {
        queue.addAfter(item, result.requeueAfterMs);
        summary.requeued++;
      }
    } catch (e) {
      // Malformed work key or unknown reconciler: report and drop.
      summary.errors.push({ item, reconciler, key, error: e });
      queue.forget(item);
    } finally {
      queue.done(item);
    }
  }
  summary.nextDueAt = queue.nextDueAt();
  return summary;
}

function reconcilerMap(reconcilers: Iterable<Reconciler> | Record<string, Reconciler>): Map<string, Reconciler> {
  const list = Symbol.iterator in reconcilers ? [...(reconcilers as Iterable<Reconciler>)] : Object.values(reconcilers);
  const m = new Map<string, Reconciler>();
  for (const r of list) {
    if (m.has(r.name)) throw new Error(`two reconcilers named "${r.name}"`);
    m.set(r.name, r);
  }
  return m;
}
