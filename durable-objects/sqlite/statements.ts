// All SQL of the store, in one module; nothing else in the project writes SQL.
import type { Backend, EventRow } from "../../src/storage/backend.js";
import type { ValueRewriter } from "../../src/storage/encryption/backend.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

type Row = Record<string, SqlStorageValue>;

export class SqliteBackend implements Backend, ValueRewriter {
  constructor(private readonly storage: DurableObjectStorage) {
    this.migrate();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private migrate(): void {
    const hasMeta = this.sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray().length > 0;
    let version = hasMeta ? Number(this.sql.exec(`SELECT schema_version FROM meta WHERE id = 1`).one().schema_version) : 0;
    while (version < SCHEMA_VERSION) {
      const steps = MIGRATIONS[version];
      this.storage.transactionSync(() => {
        for (const stmt of steps) this.sql.exec(stmt);
        this.sql.exec(`UPDATE meta SET schema_version = ? WHERE id = 1`, version + 1);
      });
      version++;
    }
  }

  transaction<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  readMeta() {
    const r = this.sql.exec(`SELECT revision, compacted FROM meta WHERE id = 1`).one();
    return { revision: Number(r.revision), compacted: Number(r.compacted) };
  }

  writeMeta(revision: number, compacted: number) {
    this.sql.exec(`UPDATE meta SET revision = ?, compacted = ? WHERE id = 1`, revision, compacted);
  }

  getObject(resource: string, name: string) {
    const rows = this.sql.exec(`SELECT value FROM objects WHERE resource = ? AND name = ?`, resource, name).toArray();
    return rows.length ? String(rows[0].value) : undefined;
  }

  putObject(resource: string, name: string, revision: number, value: string) {
    this.sql.exec(
      `INSERT INTO objects (resource, name, revision, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (resource, name) DO UPDATE SET revision = excluded.revision, value = excluded.value`,
      resource,
      name,
      revision,
      value,
    );
  }

  /** Re-encryption: the same object at the same revision, in another representation. */
  rewriteObjectValue(resource: string, name: string, value: string) {
    this.sql.exec(`UPDATE objects SET value = ? WHERE resource = ? AND name = ?`, value, resource, name);
  }

  /** Re-encryption of one watch-log row; its revision, type and timestamp stay. */
  rewriteEventValues(revision: number, value: string, prev: string | null) {
    this.sql.exec(`UPDATE events SET value = ?, prev = ? WHERE revision = ?`, value, prev, revision);
  }

  deleteObject(resource: string, name: string) {
    this.sql.exec(`DELETE FROM objects WHERE resource = ? AND name = ?`, resource, name);
  }

  *scanObjects(resource: string, startAfter: string, limit: number) {
    const cursor =
      limit > 0
        ? this.sql.exec(`SELECT name, value FROM objects WHERE resource = ? AND name > ? ORDER BY name LIMIT ?`, resource, startAfter, limit)
        : this.sql.exec(`SELECT name, value FROM objects WHERE resource = ? AND name > ? ORDER BY name`, resource, startAfter);
    for (const r of cursor) yield { name: String(r.name), value: String(r.value) };
  }

  countObjects(resource: string, after?: string) {
    if (after === undefined) return Number(this.sql.exec(`SELECT COUNT(*) AS n FROM objects WHERE resource = ?`, resource).one().n);
    return Number(this.sql.exec(`SELECT COUNT(*) AS n FROM objects WHERE resource = ? AND name > ?`, resource, after).one().n);
  }

  resources() {
    return this.sql.exec(`SELECT DISTINCT resource FROM objects ORDER BY resource`).toArray().map((r) => String(r.resource));
  }

  appendEvent(row: EventRow) {
    this.sql.exec(
      `INSERT INTO events (revision, type, resource, name, value, prev, ts) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      row.revision,
      row.type,
      row.resource,
      row.name,
      row.value,
      row.prev,
      row.ts,
    );
  }

  *eventsAfter(revision: number, resource?: string) {
    const cursor =
      resource === undefined
        ? this.sql.exec(`SELECT * FROM events WHERE revision > ? ORDER BY revision`, revision)
        : this.sql.exec(`SELECT * FROM events WHERE revision > ? AND resource = ? ORDER BY revision`, revision, resource);
    for (const r of cursor) yield toRow(r);
  }

  *firstEventsAfter(resource: string, revision: number) {
    const cursor = this.sql.exec(
      `SELECT e.* FROM events e
       JOIN (SELECT MIN(revision) AS first FROM events WHERE resource = ? AND revision > ? GROUP BY name) f
       ON e.revision = f.first`,
      resource,
      revision,
    );
    for (const r of cursor) yield toRow(r);
  }

  eventCount() {
    return Number(this.sql.exec(`SELECT COUNT(*) AS n FROM events`).one().n);
  }

  deleteEventsUpTo(upTo: number) {
    return this.sql.exec(`DELETE FROM events WHERE revision <= ?`, upTo).rowsWritten;
  }

  lastRevisionBefore(ts: number) {
    return Number(this.sql.exec(`SELECT COALESCE(MAX(revision), 0) AS r FROM events WHERE ts < ?`, ts).one().r);
  }

  revisionFromEnd(n: number) {
    const rows = this.sql.exec(`SELECT revision FROM events ORDER BY revision DESC LIMIT 1 OFFSET ?`, n).toArray();
    return rows.length ? Number(rows[0].revision) : 0;
  }

  /** Bytes of the SQLite database, for the memory benchmark. */
  databaseSize(): number {
    return this.storage.sql.databaseSize;
  }
}

function toRow(r: Row): EventRow {
  return {
    revision: Number(r.revision),
    type: String(r.type) as EventRow["type"],
    resource: String(r.resource),
    name: String(r.name),
    value: String(r.value),
    prev: r.prev === null ? null : String(r.prev),
    ts: Number(r.ts),
  };
}
