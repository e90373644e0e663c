// Why: every workload reports the same figures (p50/p99 latency, ops/s), computed one way here.

/** Latency samples of one workload run, in milliseconds, and its wall-clock duration. */
export interface Summary {
  n: number;
  errors: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** Completed operations per second of wall-clock time. */
  opsPerSec: number;
  wallMs: number;
}

/** The p-th percentile (0–100) of sorted samples, nearest-rank, as most load tools report it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: readonly number[], wallMs: number, errors = 0): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    opsPerSec: wallMs > 0 ? (sorted.length / wallMs) * 1000 : NaN,
    wallMs,
  };
}

/** A monotonic clock in milliseconds with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}
