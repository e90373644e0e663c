// The per-isolate counters behind the abuse limits, pure and clocked by the caller: a token
// bucket per user, and pools of slots (requests in flight, a user's open watches). A slot carries
// its start time and lapses after a while, so a request the runtime abandoned without running its
// `finally` (a cancelled request can leave a promise unsettled) cannot hold a slot for ever.

/** Token buckets keyed by user: `burst` tokens, refilled at `qps` per second. */
export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes a token: 0 when granted, else the seconds until one is due. */
  take(key: string, qps: number, burst: number, now: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= 10_000) this.forgetFull(qps, burst, now);
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * qps);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / qps;
  }

  /** Buckets that have refilled hold nothing worth keeping. */
  private forgetFull(qps: number, burst: number, now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * qps >= burst) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}

export type Release = () => void;

/** At most `limit` slots held at once; a slot older than `lapseMs` no longer counts. */
export class SlotPool {
  private slots = new Map<number, number>();
  private next = 0;

  constructor(private readonly lapseMs: number) {}

  /** A release function, or undefined when `limit` slots are held (limit 0: no limit). */
  tryAcquire(limit: number, now: number): Release | undefined {
    if (limit <= 0) return () => undefined;
    if (this.slots.size >= limit) {
      for (const [id, at] of this.slots) if (now - at > this.lapseMs) this.slots.delete(id);
      if (this.slots.size >= limit) return undefined;
    }
    const id = this.next++;
    this.slots.set(id, now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.slots.delete(id);
    };
  }

  get size(): number {
    return this.slots.size;
  }
}

/** A SlotPool per key (a user's open watches); empty pools are dropped. */
export class KeyedSlots {
  private pools = new Map<string, SlotPool>();

  constructor(private readonly lapseMs: number) {}

  tryAcquire(key: string, limit: number, now: number): Release | undefined {
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new SlotPool(this.lapseMs);
      this.pools.set(key, pool);
    }
    const release = pool.tryAcquire(limit, now);
    if (!release) return undefined;
    return () => {
      release();
      if (pool.size === 0 && this.pools.get(key) === pool) this.pools.delete(key);
    };
  }

  held(key: string): number {
    return this.pools.get(key)?.size ?? 0;
  }
}
