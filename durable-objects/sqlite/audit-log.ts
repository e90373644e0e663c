// All SQL of the AuditLog Durable Object: its schema (versioned, migrated once per object on
// start, as the store's) and its statements. Events are kept as the JSON the Worker made.
import type { AuditPage, AuditQuery, AuditRecord, RetentionPolicy } from "../../src/audit/log.js";

export const AUDIT_SCHEMA_VERSION = 1;

/** Migration n brings the schema from version n to n+1. */
const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE IF NOT EXISTS audit_meta (
       id INTEGER PRIMARY KEY CHECK (id = 1),
       schema_version INTEGER NOT NULL
     )`,
    // AUTOINCREMENT: a seq is never reused, even after retention empties the table, so a
    // follower's resourceVersion never points at a later event.
    `CREATE TABLE IF NOT EXISTS audit_events (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       ts INTEGER NOT NULL,
       username TEXT NOT NULL,
       event TEXT NOT NULL
     )`,
    `CREATE INDEX IF NOT EXISTS audit_events_by_ts ON audit_events (ts)`,
    `CREATE INDEX IF NOT EXISTS audit_events_by_user ON audit_events (username, seq)`,
    `INSERT OR IGNORE INTO audit_meta (id, schema_version) VALUES (1, 0)`,
  ],
];

export class AuditSql {
  constructor(private readonly storage: DurableObjectStorage) {
    this.migrate();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private migrate(): void {
    const hasMeta = this.sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_meta'`).toArray().length > 0;
    let version = hasMeta ? Number(this.sql.exec(`SELECT schema_version FROM audit_meta WHERE id = 1`).one().schema_version) : 0;
    while (version < AUDIT_SCHEMA_VERSION) {
      const steps = MIGRATIONS[version];
      this.storage.transactionSync(() => {
        for (const stmt of steps) this.sql.exec(stmt);
        this.sql.exec(`UPDATE audit_meta SET schema_version = ? WHERE id = 1`, version + 1);
      });
      version++;
    }
  }

  insert(records: AuditRecord[]): void {
    this.storage.transactionSync(() => {
      for (const r of records) this.sql.exec(`INSERT INTO audit_events (ts, username, event) VALUES (?, ?, ?)`, r.ts, r.username, r.event);
    });
  }

  /** Drops events older than maxAgeMs and all but the newest maxEvents; returns how many went. */
  prune(policy: RetentionPolicy, now: number): number {
    let dropped = 0;
    if (policy.maxAgeMs > 0) dropped += this.sql.exec(`DELETE FROM audit_events WHERE ts < ?`, now - policy.maxAgeMs).rowsWritten;
    if (policy.maxEvents > 0) {
      // seqs are handed out in order and only the oldest are ever deleted, so this keeps the newest maxEvents.
      dropped += this.sql.exec(`DELETE FROM audit_events WHERE seq <= (SELECT MAX(seq) FROM audit_events) - ?`, policy.maxEvents).rowsWritten;
    }
    return dropped;
  }

  /**
   * Events matching the query, oldest first. With `afterSeq` (following), the oldest `limit`
   * after it; otherwise the newest `limit`.
   */
  query(q: AuditQuery): AuditPage {
    const since = q.sinceMs ?? 0;
    const after = q.afterSeq ?? 0;
    const order = q.afterSeq !== undefined ? "ASC" : "DESC";
    const cursor =
      q.user !== undefined
        ? this.sql.exec(
            `SELECT seq, event FROM audit_events WHERE username = ? AND seq > ? AND ts >= ? ORDER BY seq ${order} LIMIT ?`,
            q.user,
            after,
            since,
            q.limit,
          )
        : this.sql.exec(`SELECT seq, event FROM audit_events WHERE seq > ? AND ts >= ? ORDER BY seq ${order} LIMIT ?`, after, since, q.limit);
    const rows = cursor.toArray().map((r) => ({ seq: Number(r.seq), event: String(r.event) }));
    if (order === "DESC") rows.reverse();
    return { events: rows.map((r) => r.event), latestSeq: this.latestSeq(), lastSeq: rows.length ? rows[rows.length - 1].seq : undefined };
  }

  latestSeq(): number {
    return Number(this.sql.exec(`SELECT COALESCE(MAX(seq), 0) AS s FROM audit_events`).one().s);
  }

  count(): number {
    return Number(this.sql.exec(`SELECT COUNT(*) AS n FROM audit_events`).one().n);
  }
}
