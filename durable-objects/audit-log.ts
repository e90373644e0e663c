// The cluster's audit log: one instance keeps every request's audit.k8s.io/v1 Event in SQLite,
// expired by age and count. Thin: SQL in sqlite/audit-log.ts, policy in src/audit/.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env.js";
import { retentionOf, type AuditPage, type AuditQuery, type AuditRecord, type RetentionPolicy } from "../src/audit/log.js";
import { AuditSql } from "./sqlite/audit-log.js";

export class AuditLog extends DurableObject<Env> {
  private readonly sql: AuditSql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new AuditSql(ctx.storage);
  }

  /** A batch from one Worker isolate; retention runs with every batch. */
  async append(records: AuditRecord[]): Promise<void> {
    this.sql.insert(records);
    this.sql.prune(retentionOf(this.env), Date.now());
  }

  /** Expired events are dropped first, so a quiet log never answers with them. */
  async query(q: AuditQuery): Promise<AuditPage> {
    this.sql.prune(retentionOf(this.env), Date.now());
    return this.sql.query(q);
  }

  /** Retention now with the given policy and clock (tests and operators); returns how many went. */
  async pruneNow(policy: RetentionPolicy, now: number): Promise<number> {
    return this.sql.prune(policy, now);
  }

  async stats(): Promise<{ events: number; latestSeq: number }> {
    return { events: this.sql.count(), latestSeq: this.sql.latestSeq() };
  }
}
