// kube-apiserver's token cache (--token-success-cache-ttl 10s, no failure cache): a token that
// authenticated is trusted for a few seconds without asking the stores again. Per isolate,
// bounded, keyed by the token's SHA-256 so that no bearer token sits in memory as a key.
import type { UserInfo } from "../user.js";

/** Upstream's TokenSuccessCacheTTL: a deleted account or pod is noticed within this long. */
export const TOKEN_SUCCESS_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 4096;

interface Entry {
  user: UserInfo;
  until: number;
}

export class TokenCache {
  private readonly map = new Map<string, Entry>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  get(key: string, now: number): UserInfo | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    if (e.until <= now) return undefined;
    this.map.set(key, e); // most recently used last
    return e.user;
  }

  set(key: string, user: UserInfo, until: number): void {
    this.map.delete(key);
    this.map.set(key, { user, until });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

export async function tokenCacheKey(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}
