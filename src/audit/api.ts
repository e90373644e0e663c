// GET /debug/audit: the audit log as an audit.k8s.io/v1 EventList. A non-resource path, so the
// authorization middleware lets only system:masters and RBAC grants of `get` on it through.
//   ?since=10m | RFC 3339    events received since then
//   ?user=NAME               one user's events ("" for the unauthenticated)
//   ?limit=N                 at most N (default 500, at most 5000): the newest N
//   ?resourceVersion=RV      events after RV (an earlier answer's metadata.resourceVersion), oldest first
import type { Ctx } from "../api/context.js";
import { badRequest } from "../lib/status.js";
import { batcher } from "./batcher.js";
import { AUDIT_API_VERSION } from "./event.js";
import { auditLog, type AuditQuery } from "./log.js";

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 5000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("10m", "1h30m", "90s") in ms, or undefined. */
export function parseDuration(s: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

export function auditQuery(params: URLSearchParams, now: number): AuditQuery {
  const q: AuditQuery = { limit: DEFAULT_LIMIT };
  const since = params.get("since");
  if (since) {
    const d = parseDuration(since);
    const t = d !== undefined ? now - d : /^\d{4}-\d\d-\d\dT/.test(since) ? Date.parse(since) : NaN;
    if (!Number.isFinite(t)) throw badRequest(`invalid since "${since}": want a duration such as 10m or 1h30m, or an RFC 3339 time`);
    q.sinceMs = t;
  }
  const user = params.get("user");
  if (user !== null) q.user = user;
  const limit = params.get("limit");
  if (limit) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1) throw badRequest(`invalid limit "${limit}": want a positive integer`);
    q.limit = Math.min(Number(limit), MAX_LIMIT);
  }
  const rv = params.get("resourceVersion");
  if (rv) {
    if (!/^\d+$/.test(rv)) throw badRequest(`invalid resourceVersion "${rv}": want one from an earlier EventList`);
    q.afterSeq = Number(rv);
  }
  return q;
}

export async function listAuditEvents(c: Ctx): Promise<Response> {
  const q = auditQuery(new URL(c.req.url).searchParams, Date.now());
  // What this isolate still holds goes first, so a client reads its own requests' records.
  await batcher.flush(c.env);
  const log = auditLog(c.env);
  const page = log ? await log.query(q) : { events: [], latestSeq: 0, lastSeq: undefined };
  // Following: resume after the last event returned when the page was full, else after everything looked at.
  const full = page.events.length >= q.limit;
  const rv = q.afterSeq !== undefined && full ? (page.lastSeq ?? q.afterSeq) : Math.max(page.latestSeq, q.afterSeq ?? 0);
  const body = `{"kind":"EventList","apiVersion":"${AUDIT_API_VERSION}","metadata":{"resourceVersion":"${rv}"},"items":[${page.events.join(",")}]}`;
  return new Response(body, { headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}
