// The audit log's RPC shapes and its retention settings: what the Worker sends the AuditLog
// Durable Object and asks of it. One AuditLog instance ("audit") holds the whole cluster's log.
import type { Env } from "../env.js";

/** One event as stored: the Event's JSON, with what the log filters and expires by. */
export interface AuditRecord {
  /** requestReceivedTimestamp, ms since the epoch. */
  ts: number;
  /** "" when the request did not authenticate. */
  username: string;
  event: string;
}

export interface AuditQuery {
  sinceMs?: number;
  user?: string;
  /** Only events after this seq (the EventList's resourceVersion), oldest first. */
  afterSeq?: number;
  limit: number;
}

export interface AuditPage {
  /** Event JSON, oldest first. */
  events: string[];
  /** The seq of the last event returned (undefined: none). */
  lastSeq?: number;
  /** The newest seq in the log. */
  latestSeq: number;
}

export interface RetentionPolicy {
  /** 0: no age limit. */
  maxAgeMs: number;
  /** 0: no count limit. */
  maxEvents: number;
}

export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600;
export const DEFAULT_MAX_EVENTS = 100_000;

function nonNegative(v: string | undefined, fallback: number): number {
  if (v === undefined || v.trim() === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function retentionOf(env: Pick<Env, "AUDIT_RETENTION_SECONDS" | "AUDIT_MAX_EVENTS">): RetentionPolicy {
  return {
    maxAgeMs: nonNegative(env.AUDIT_RETENTION_SECONDS, DEFAULT_RETENTION_SECONDS) * 1000,
    maxEvents: Math.floor(nonNegative(env.AUDIT_MAX_EVENTS, DEFAULT_MAX_EVENTS)),
  };
}

/** The one AuditLog instance. */
export function auditLog(env: Env) {
  const ns = env.AUDIT_LOG;
  if (!ns) return undefined;
  return ns.get(ns.idFromName("audit"));
}
