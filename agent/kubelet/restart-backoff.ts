// The kubelet's per-key backoff (client-go's flowcontrol.Backoff) behind CrashLoopBackOff and
// ImagePullBackOff: 10 s doubling to 300 s, and forgotten once a key has been quiet for twice
// the maximum (a container that ran 10 minutes before crashing restarts at once again).
import { formatDuration as formatGoDuration } from "../../src/api/protobuf/codec.js";

/** upstream's backOffPeriod and MaxContainerBackOff. */
export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  backoffMs: number;
  /** When next() last ran for the key (unix ms). */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  /** The current backoff of a key in ms (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Counts one more failure of `key` at `eventTime`: the backoff starts at the initial value or doubles, up to the maximum. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.now() });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = this.now();
  }

  /** Whether less than the key's backoff has passed since `eventTime` (a container's last exit). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** Whether less than the key's backoff has passed since its last next() (image pulls). */
  isInBackOffSinceUpdate(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) return false;
    return eventTime - e.lastUpdate < e.backoffMs;
  }

  /** How long until isInBackOffSince(key, eventTime) turns false (0 when it already is). */
  remainingSince(key: string, eventTime: number): number {
    return this.isInBackOffSince(key, eventTime) ? eventTime + this.get(key) - this.now() : 0;
  }

  /** How long until isInBackOffSinceUpdate(key, now) turns false (0 when it already is). */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    return e && this.isInBackOffSinceUpdate(key, this.now()) ? e.lastUpdate + e.backoffMs - this.now() : 0;
  }

  /** Seeds a key's state (rebuilding CrashLoopBackOff from a runtime's containers after an agent restart). */
  restore(key: string, backoffMs: number, lastUpdate: number): void {
    this.entries.set(key, { backoffMs: Math.min(Math.max(backoffMs, this.initialMs), this.maxMs), lastUpdate });
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key whose prefix matches (a pod that is gone). */
  resetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** Drops keys quiet for longer than twice the maximum. */
  gc(): void {
    const now = this.now();
    for (const [key, e] of this.entries) if (this.hasExpired(now, e.lastUpdate)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** "Stable" once twice the maximum backoff has passed without a failure. */
  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }
}

/** The key CrashLoopBackOff is kept under for one container (upstream's GetStableKey, without the spec hash). */
export function containerBackoffKey(pod: { name: string; namespace: string; uid: string }, containerName: string): string {
  return `${pod.name}_${pod.namespace}_${pod.uid}_${containerName}`;
}

/** The pod as the kubelet names it in messages (upstream's format.Pod): name_namespace(uid). */
export function formatPod(pod: { name: string; namespace: string; uid: string }): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}

/** A duration in milliseconds as Go's time.Duration prints it: 10s, 1m20s, 5m0s, 1.2s, 350ms. */
export function formatDuration(ms: number): string {
  return formatGoDuration(Math.round(ms * 1e6));
}
