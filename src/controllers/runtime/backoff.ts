// Per-key exponential backoff: client-go's ItemExponentialFailureRateLimiter, whose defaults
// (5 ms doubling up to 1000 s) are what DefaultControllerRateLimiter gives every controller.

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1000 * 1000;

export class ItemExponentialFailureRateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseDelayMs = DEFAULT_BASE_DELAY_MS,
    readonly maxDelayMs = DEFAULT_MAX_DELAY_MS,
  ) {}

  /** The delay before `key` may run again; each call counts one more failure (base * 2^failures). */
  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return !Number.isFinite(backoff) || backoff > this.maxDelayMs ? this.maxDelayMs : backoff;
  }

  /** How many failures `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Stop tracking `key`: its next failure starts again at the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failure counts, for persisting the queue across Durable Object evictions. */
  entries(): Array<[string, number]> {
    return [...this.failures];
  }

  restore(entries: Iterable<[string, number]>): void {
    this.failures.clear();
    for (const [k, n] of entries) if (n > 0) this.failures.set(k, n);
  }
}
