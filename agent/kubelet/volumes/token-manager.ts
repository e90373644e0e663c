// Upstream's kubelet token manager: bound ServiceAccount tokens for projected volumes, cached
// per (pod, account, audience, lifetime) and asked for again once 80% of the lifetime has passed
// or the token is a day old (minus up to 10 s of jitter, so pods do not all refresh at once).
// A failed refresh keeps the old token while it is still valid.
import type { Logger } from "../../log.js";
import type { ObjectSource, ServiceAccountTokenRequest } from "./object-source.js";

const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_JITTER_S = 10;

interface CachedToken {
  token: string;
  podUid: string;
  /** When the token was received (node clock): its lifetime runs from here. */
  fetchedAt: number;
  expiresAt: number;
}

export interface TokenManagerOptions {
  source: ObjectSource;
  now?: () => number;
  /** In [0, 1): the jitter's share of its 10 s maximum. */
  random?: () => number;
  log?: Logger;
}

export class TokenManager {
  private readonly cache = new Map<string, CachedToken>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: TokenManagerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /** The token for the pod, from the cache unless it is due for a refresh. */
  async getServiceAccountToken(namespace: string, serviceAccount: string, req: ServiceAccountTokenRequest): Promise<string> {
    const key = JSON.stringify([namespace, serviceAccount, req.audience ?? "", req.expirationSeconds, req.podName, req.podUid]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token;
    let fresh;
    try {
      fresh = await this.o.source.serviceAccountToken(namespace, serviceAccount, req);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (!cached) throw new Error(`failed to fetch token: ${msg}`, { cause: err });
      if (this.expired(cached)) throw new Error(`token ${key} expired and refresh failed: ${msg}`, { cause: err });
      this.o.log?.error(`✗ couldn't update the token of ${namespace}/${serviceAccount} for pod ${req.podName}: ${msg}`);
      return cached.token;
    }
    const fetchedAt = this.now();
    const expiresAt = Date.parse(fresh.expirationTimestamp);
    this.cache.set(key, { token: fresh.token, podUid: req.podUid, fetchedAt, expiresAt: Number.isNaN(expiresAt) ? fetchedAt : expiresAt });
    return fresh.token;
  }

  /** The pod is gone: forget its tokens. */
  deletePodTokens(podUid: string): void {
    for (const [k, t] of this.cache) if (t.podUid === podUid) this.cache.delete(k);
  }

  /** Drops expired tokens (upstream does this every minute). */
  cleanup(): void {
    for (const [k, t] of this.cache) if (this.expired(t)) this.cache.delete(k);
  }

  get size(): number {
    return this.cache.size;
  }

  private expired(t: CachedToken): boolean {
    return this.now() > t.expiresAt;
  }

  private requiresRefresh(t: CachedToken): boolean {
    const now = this.now();
    const jitterMs = Math.floor(this.random() * MAX_JITTER_S) * 1000;
    if (now < t.fetchedAt) return true; // the clock went back
    if (now > t.fetchedAt + MAX_TTL_MS - jitterMs) return true;
    const lifetime = t.expiresAt - t.fetchedAt;
    return now > t.expiresAt - Math.floor(lifetime / 5) - jitterMs;
  }
}
