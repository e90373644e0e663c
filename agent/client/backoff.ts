// Exponential backoff with jitter for retries against the control plane (client-go's
// wait.Backoff as the reflector uses it): each failure doubles the wait up to a cap, a random
// spread keeps many nodes in one process from retrying together, and success resets it.

export interface BackoffOptions {
  /** First wait (default 500 ms). */
  initialMs?: number;
  /** Longest wait (default 10 s). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Spread: each wait is d * (1 - jitter/2 + jitter * random) (default 0.5). */
  jitter?: number;
  /** For tests. */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 500;
    this.maxMs = o.maxMs ?? 10_000;
    this.factor = o.factor ?? 2;
    this.jitter = o.jitter ?? 0.5;
    this.random = o.random ?? Math.random;
  }

  /** The wait before the next attempt; counts one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures = Math.min(this.failures + 1, 64);
    const spread = 1 - this.jitter / 2 + this.jitter * this.random();
    return Math.round(Math.min(this.maxMs, base * spread));
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
  }
}

/** A wait of `ms` that an AbortSignal cuts short; resolves false when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `periodMs` spread by ±fraction/2, so that timers of many nodes drift apart. */
export function jittered(periodMs: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.round(periodMs * (1 - fraction / 2 + fraction * random()));
}
