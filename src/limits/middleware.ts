// The abuse limits, after authentication (they need the user) and before authorization and the
// routes, as upstream's WithMaxInFlightLimit: a per-user token bucket, a bound on each user's
// open watches, and a bound on requests in flight, mutating and read-only apart. Every refusal
// is a 429 TooManyRequests Status with Retry-After. Counted per isolate: a Worker isolate is
// what a burst exhausts (CPU, memory, subrequests), and isolates share no memory.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../api/context.js";
import { SYSTEM_MASTERS, SYSTEM_NODES } from "../auth/user.js";
import { isMutating, requestInfoOf } from "../audit/request-info.js";
import { requestorOf } from "../audit/requestor.js";
import { limitsConfig, tooManyRequests } from "./config.js";
import { KeyedSlots, SlotPool, TokenBuckets } from "./counters.js";
import { WATCH_RETRY_AFTER_SECONDS, dropWatch, holdWatch, settleWatch } from "./watches.js";

/** Health probes are never limited (upstream's APF exempts them too). */
const EXEMPT_PATHS = new Set(["/healthz", "/livez", "/readyz"]);
/** Seconds a client refused for lack of room in flight is asked to wait (upstream: 1). */
const INFLIGHT_RETRY_AFTER_SECONDS = 1;
/** A request still "in flight" after this long was abandoned by the runtime: its slot lapses. */
const REQUEST_LAPSE_MS = 2 * 60_000;
/** Watches last at most an hour (upstream: 30–60 min); a slot lapses after two. */
const WATCH_LAPSE_MS = 2 * 3600_000;

const buckets = new TokenBuckets();
const readOnly = new SlotPool(REQUEST_LAPSE_MS);
const mutating = new SlotPool(REQUEST_LAPSE_MS);
const watches = new KeyedSlots(WATCH_LAPSE_MS);

/** This isolate's counters (tests, and a future metrics endpoint). */
export function limitsState(): { readOnlyInflight: number; mutatingInflight: number; watchesOf(user: string): number } {
  return { readOnlyInflight: readOnly.size, mutatingInflight: mutating.size, watchesOf: (u) => watches.held(u) };
}

export const limits: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  if (EXEMPT_PATHS.has(url.pathname)) return next();
  // The authenticated user, not whom it impersonates: the one making the requests is counted.
  const user = requestorOf(c.req.raw) ?? c.get("user");
  const cfg = limitsConfig(c.env);
  const now = Date.now();
  const info = requestInfoOf(c);
  const masters = user.groups.includes(SYSTEM_MASTERS);
  // The admin and the nodes' agents are not rate-limited: throttling an agent's heartbeats
  // would make its node NotReady. (system:masters also passes a full in-flight pool, as upstream.)
  const unlimited = masters || user.groups.includes(SYSTEM_NODES);

  if (!unlimited && cfg.userQps > 0) {
    const wait = buckets.take(user.username, cfg.userQps, cfg.userBurst, now);
    if (wait > 0) throw tooManyRequests(wait, `user ${JSON.stringify(user.username)} is over its rate of ${cfg.userQps} requests per second (burst ${cfg.userBurst})`);
  }

  // Watches are long-running: they are not "in flight" (as upstream), they are counted per user.
  if (info.verb === "watch") {
    if (unlimited || cfg.maxWatchesPerUser <= 0) return next();
    const release = watches.tryAcquire(user.username, cfg.maxWatchesPerUser, now);
    if (!release) {
      throw tooManyRequests(WATCH_RETRY_AFTER_SECONDS, `user ${JSON.stringify(user.username)} has ${cfg.maxWatchesPerUser} open watches (the limit per user)`);
    }
    const req = c.req.raw;
    holdWatch(req, release, { user: user.username, max: cfg.maxWatchesPerUser });
    try {
      await next();
    } catch (e) {
      dropWatch(req);
      throw e;
    }
    if (c.error) {
      dropWatch(req);
      return;
    }
    const settled = settleWatch(req, c.res);
    if (settled !== c.res) c.res = settled;
    return;
  }

  const mutation = isMutating(info.verb);
  const pool = mutation ? mutating : readOnly;
  const release = pool.tryAcquire(mutation ? cfg.maxMutatingInflight : cfg.maxReadOnlyInflight, now);
  if (!release && !masters) {
    throw tooManyRequests(INFLIGHT_RETRY_AFTER_SECONDS, `this server has ${mutation ? cfg.maxMutatingInflight : cfg.maxReadOnlyInflight} ${mutation ? "mutating" : "read-only"} requests in flight`);
  }
  try {
    await next();
  } finally {
    release?.();
  }
};
