// client-go's rate-limited delaying work queue, without goroutines: a Durable Object pops due
// keys in its alarm, sets one alarm at nextDueAt(), and persists the queue across evictions.
import type { Clock } from "../../lib/clock.js";
import { ItemExponentialFailureRateLimiter } from "./backoff.js";

export interface WorkQueueOptions {
  now: Clock;
  rateLimiter?: ItemExponentialFailureRateLimiter;
}

/** What toJSON writes: plain data, safe for Durable Object storage. */
export interface WorkQueueState {
  version: 1;
  /** Keys ready to run, FIFO; keys that were being processed come first, so they run again. */
  queue: Array<{ key: string; at: number }>;
  /** Delayed keys with the time each becomes due, in due order. */
  waiting: Array<{ key: string; at: number }>;
  /** Failure counts of the rate limiter, so backoff keeps growing after an eviction. */
  failures: Array<[string, number]>;
}

interface Ready {
  key: string;
  /** When the key became due; only nextDueAt reads it. */
  at: number;
}

export class WorkQueue {
  private readonly now: Clock;
  private readonly limiter: ItemExponentialFailureRateLimiter;
  /** Ready keys in FIFO order (upstream's `queue`); every key here is also dirty. */
  private queue: Ready[] = [];
  /** Keys that need processing (upstream's `dirty`): queued, or re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys handed out by popDue and not yet done, with the time they were popped. */
  private readonly processing = new Map<string, number>();
  /** Delayed keys (upstream's waitingForQueue); seq keeps FIFO order among equal due times. */
  private readonly waiting = new Map<string, { at: number; seq: number }>();
  private seq = 0;

  constructor(options: WorkQueueOptions) {
    this.now = options.now;
    this.limiter = options.rateLimiter ?? new ItemExponentialFailureRateLimiter();
  }

  /** Mark `key` as needing work. A key already queued is not queued twice; a key being processed runs again after done(). */
  add(key: string): void {
    this.enqueue(key, this.now());
  }

  /** add(key) once `delayMs` has passed. A key already waiting keeps the earlier of the two due times. */
  addAfter(key: string, delayMs: number): void {
    if (!(delayMs > 0)) return this.add(key);
    const at = this.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    this.waiting.set(key, { at, seq: this.seq++ });
  }

  /** addAfter with the key's next backoff delay (5 ms, 10 ms, … up to 1000 s by default). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Reset the key's backoff (after a success). It does not remove the key from the queue. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * Take every key due at `nowMs` (at most `max`), oldest first, and mark each as processing.
   * The caller must call done(key) for each one.
   */
  popDue(nowMs: number = this.now(), max = Infinity): string[] {
    const due = [...this.waiting].filter(([, w]) => w.at <= nowMs).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq);
    for (const [key, w] of due) {
      this.waiting.delete(key);
      this.enqueue(key, w.at, true);
    }
    const taken = this.queue.splice(0, Math.max(0, Math.min(max, this.queue.length)));
    for (const { key } of taken) {
      this.processing.set(key, nowMs);
      this.dirty.delete(key);
    }
    return taken.map((r) => r.key);
  }

  /** Processing of `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) this.queue.push({ key, at: this.now() });
  }

  /** The earliest time any key is due (possibly in the past), or undefined when nothing waits: where to set the alarm. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const r of this.queue) if (next === undefined || r.at < next) next = r.at;
    for (const w of this.waiting.values()) if (next === undefined || w.at < next) next = w.at;
    return next;
  }

  /**
   * Distinct keys still to run: queued, delayed, or re-added while processing. Unlike client-go's
   * Len it counts delayed keys, since here the delaying queue and the queue are one object.
   */
  len(): number {
    let n = this.dirty.size;
    for (const key of this.waiting.keys()) if (!this.dirty.has(key)) n++;
    return n;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Plain data for Durable Object storage. Keys being processed are saved as ready: at-least-once. */
  toJSON(): WorkQueueState {
    const queue = [...this.processing].map(([key, at]) => ({ key, at }));
    queue.push(...this.queue.map(({ key, at }) => ({ key, at })));
    const waiting = [...this.waiting]
      .sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)
      .map(([key, w]) => ({ key, at: w.at }));
    return { version: 1, queue, waiting, failures: this.limiter.entries() };
  }

  static fromJSON(state: WorkQueueState, options: WorkQueueOptions): WorkQueue {
    if (state?.version !== 1) throw new Error(`unsupported work queue state version: ${String((state as { version?: unknown })?.version)}`);
    const q = new WorkQueue(options);
    for (const { key, at } of state.queue) q.enqueue(key, at);
    for (const { key, at } of state.waiting) {
      const existing = q.waiting.get(key);
      if (!existing || at < existing.at) q.waiting.set(key, { at, seq: q.seq++ });
    }
    q.limiter.restore(state.failures);
    return q;
  }

  /**
   * upstream's Add. A delayed key that came due is placed by its due time (`inOrder`), where
   * client-go's waiting loop would have added it had it been running all along.
   */
  private enqueue(key: string, at: number, inOrder = false): void {
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    let i = this.queue.length;
    if (inOrder) while (i > 0 && this.queue[i - 1].at > at) i--;
    this.queue.splice(i, 0, { key, at });
  }
}
