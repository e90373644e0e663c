// The scheduling queue (upstream's PriorityQueue): an active heap ordered by priority then age, a
// backoff heap of pods waiting out their backoff (1 s doubling per failed attempt up to 10 s), and
// the unschedulable pods, parked until a cluster change calls moveAllToActive (or 5 minutes pass).
// Pods with scheduling gates wait aside until an update removes the gates.
// Time is passed in; nothing here sets a timer — a caller wakes up at nextReadyAt() and pops.
import type { PodFacts } from "./facts.js";
import { KeyedHeap } from "./heap.js";

export interface QueueOptions {
  /** podInitialBackoffSeconds, in ms. */
  initialBackoffMs?: number;
  /** podMaxBackoffSeconds, in ms. */
  maxBackoffMs?: number;
  /** podMaxInUnschedulablePodsDuration, in ms: unschedulable pods are retried at least this often. */
  maxInUnschedulableMs?: number;
}

interface QueuedPodInfo {
  pod: PodFacts;
  /** Failed scheduling attempts so far (upstream's UnschedulableCount). */
  attempts: number;
  /** When the last attempt failed. */
  timestamp: number;
  /** timestamp + the backoff for `attempts`. */
  backoffExpiry: number;
}

const keyOf = (q: QueuedPodInfo) => q.pod.key;

/** PrioritySort: higher priority first, then the older pod; the key makes the order total. */
function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.pod.priority !== b.pod.priority) return a.pod.priority > b.pod.priority;
  if (a.pod.creationTimestamp !== b.pod.creationTimestamp) return a.pod.creationTimestamp < b.pod.creationTimestamp;
  return a.pod.key < b.pod.key;
}

function backoffLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  return a.backoffExpiry !== b.backoffExpiry ? a.backoffExpiry < b.backoffExpiry : activeLess(a, b);
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPodInfo>(keyOf, activeLess);
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(keyOf, backoffLess);
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, PodFacts>();
  /** Popped and being scheduled: remembered so a failure keeps counting attempts. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoff = opts.initialBackoffMs ?? 1_000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulable = opts.maxInUnschedulableMs ?? 5 * 60_000;
  }

  /** 1 s, 2 s, 4 s, 8 s, then 10 s: calculateBackoffDuration. */
  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return Math.min(d, this.maxBackoff);
  }

  /**
   * A new or changed pending pod. A new pod goes to the active heap. An unschedulable pod that
   * changed may now fit: it moves on, to the backoff heap if its backoff has not run out by the
   * time it is next popped (pop flushes what is due).
   */
  add(pod: PodFacts): void {
    const key = pod.key;
    if (pod.schedulingGated) {
      this.active.delete(key);
      this.backoff.delete(key);
      this.unschedulable.delete(key);
      this.gated.set(key, pod);
      return;
    }
    this.gated.delete(key);
    const queued = this.active.get(key) ?? this.backoff.get(key);
    if (queued) {
      const info = { ...queued, pod };
      if (this.active.has(key)) this.active.upsert(info);
      else this.backoff.upsert(info);
      return;
    }
    const parked = this.unschedulable.get(key);
    if (parked) {
      this.unschedulable.delete(key);
      this.backoff.upsert({ ...parked, pod });
      return;
    }
    const flying = this.inFlight.get(key);
    this.active.upsert({ pod, attempts: flying?.attempts ?? 0, timestamp: flying?.timestamp ?? 0, backoffExpiry: flying?.backoffExpiry ?? 0 });
  }

  update(pod: PodFacts): void {
    this.add(pod);
  }

  /** The pod was deleted or got bound: it leaves the queue entirely. */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.gated.delete(key);
    this.inFlight.delete(key);
  }

  /** The popped pod was scheduled: forget its attempts. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** The next pod to schedule. With `now`, pods whose backoff has run out are considered too. */
  pop(now?: number): PodFacts | undefined {
    if (now !== undefined) this.flush(now);
    const info = this.active.pop();
    if (!info) return undefined;
    this.inFlight.set(info.pod.key, info);
    return info.pod;
  }

  /** The popped pod fit nowhere: park it until the cluster changes; its backoff grows. */
  markUnschedulable(pod: PodFacts, now: number): void {
    const key = pod.key;
    const flying = this.inFlight.get(key);
    this.inFlight.delete(key);
    // Updated while being scheduled: the newer version is already queued.
    if (this.active.has(key) || this.backoff.has(key)) return;
    const attempts = (flying?.attempts ?? 0) + 1;
    this.unschedulable.set(key, { pod, attempts, timestamp: now, backoffExpiry: now + this.backoffDuration(attempts) });
  }

  /** A node or pod changed: every parked pod is worth another try once its backoff is over. */
  moveAllToActive(now: number): void {
    for (const info of this.unschedulable.values()) this.requeue(info, now);
    this.unschedulable.clear();
    this.flush(now);
  }

  /** Moves due backoff pods to the active heap, and pods parked too long out of unschedulable. */
  flush(now: number): void {
    for (let top = this.backoff.peek(); top && top.backoffExpiry <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      this.active.upsert(top);
    }
    for (const [key, info] of this.unschedulable) {
      if (info.timestamp + this.maxInUnschedulable > now) continue;
      this.unschedulable.delete(key);
      this.requeue(info, now);
    }
  }

  /** When a waiting pod next becomes ready (backoff over, or parked too long); undefined if none waits. */
  nextReadyAt(): number | undefined {
    let next = this.backoff.peek()?.backoffExpiry;
    for (const info of this.unschedulable.values()) {
      const t = info.timestamp + this.maxInUnschedulable;
      if (next === undefined || t < next) next = t;
    }
    return next;
  }

  /** Pods in the queue: active, backing off, unschedulable or gated (not the ones being scheduled). */
  len(): number {
    return this.active.size + this.backoff.size + this.unschedulable.size + this.gated.size;
  }

  activeLen(): number {
    return this.active.size;
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.gated.has(key);
  }

  pendingKeys(): string[] {
    return [...[...this.active.values()].map(keyOf), ...[...this.backoff.values()].map(keyOf), ...this.unschedulable.keys(), ...this.gated.keys()];
  }

  private requeue(info: QueuedPodInfo, now: number): void {
    if (info.backoffExpiry > now) this.backoff.upsert(info);
    else this.active.upsert(info);
  }
}
