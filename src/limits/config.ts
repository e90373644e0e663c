// The abuse limits' settings, from Worker variables (docs/security.md, "Abuse limits"), and the
// 429 they answer with: upstream's message and a Retry-After, which client-go and kubectl honour
// by waiting and retrying.
import type { Env } from "../env.js";
import { StatusError, failure } from "../lib/status.js";

export interface LimitsConfig {
  /** Read-only requests in flight per isolate (upstream --max-requests-inflight); 0: no limit. */
  maxReadOnlyInflight: number;
  /** Mutating requests in flight per isolate (upstream --max-mutating-requests-inflight); 0: no limit. */
  maxMutatingInflight: number;
  /** Sustained requests per second per user per isolate; 0: no limit. */
  userQps: number;
  /** Requests a user may make at once before the sustained rate applies. */
  userBurst: number;
  /** Open watches per user (per isolate for HTTP watches, per store for WebSocket ones); 0: no limit. */
  maxWatchesPerUser: number;
}

export const DEFAULTS: LimitsConfig = {
  maxReadOnlyInflight: 400,
  maxMutatingInflight: 200,
  userQps: 50,
  userBurst: 200,
  maxWatchesPerUser: 100,
};

function num(v: string | undefined, fallback: number): number {
  if (v === undefined || v.trim() === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

let cached: { key: string; config: LimitsConfig } | undefined;

export function limitsConfig(env: Env): LimitsConfig {
  const key = [env.MAX_REQUESTS_INFLIGHT, env.MAX_MUTATING_REQUESTS_INFLIGHT, env.USER_RATE_LIMIT_QPS, env.USER_RATE_LIMIT_BURST, env.MAX_WATCHES_PER_USER].join("|");
  if (cached?.key === key) return cached.config;
  const userQps = num(env.USER_RATE_LIMIT_QPS, DEFAULTS.userQps);
  const config: LimitsConfig = {
    maxReadOnlyInflight: Math.floor(num(env.MAX_REQUESTS_INFLIGHT, DEFAULTS.maxReadOnlyInflight)),
    maxMutatingInflight: Math.floor(num(env.MAX_MUTATING_REQUESTS_INFLIGHT, DEFAULTS.maxMutatingInflight)),
    userQps,
    // A burst below one request would refuse everything.
    userBurst: Math.max(1, num(env.USER_RATE_LIMIT_BURST, DEFAULTS.userBurst)),
    maxWatchesPerUser: Math.floor(num(env.MAX_WATCHES_PER_USER, DEFAULTS.maxWatchesPerUser)),
  };
  cached = { key, config };
  return config;
}

/** The message of upstream's max-in-flight filter. */
export const TOO_MANY_REQUESTS_MESSAGE = "Too many requests, please try again later.";

/** 429 TooManyRequests with details.retryAfterSeconds (the app's error handler turns it into Retry-After). */
export function tooManyRequests(retryAfterSeconds: number, why: string): StatusError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new StatusError(failure(429, "TooManyRequests", TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds: seconds, causes: [{ reason: "TooManyRequests", message: why }] }));
}

/** The same 429 as a Response, for a Durable Object answering a Worker that passes it on. */
export function tooManyRequestsResponse(retryAfterSeconds: number, why: string): Response {
  const s = tooManyRequests(retryAfterSeconds, why).status;
  return new Response(JSON.stringify(s), { status: 429, headers: { "content-type": "application/json", "retry-after": String(s.details!.retryAfterSeconds) } });
}
