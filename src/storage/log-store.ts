// Storage semantics, written once over a Backend (kine's model: the write log is the truth).
// Each write is one transaction: bump the revision, write the object, append the event.
import type { KubeObject } from "../apis/types.js";
import type { Backend, EventRow } from "./backend.js";
import { StorageError, expiredError } from "./errors.js";
import type { CompactionPolicy, ListOptions, ListResult, Storage, StoredEvent, TryUpdate, UpdateOutcome } from "./interface.js";
import { canonicalJson } from "../lib/canonical-json.js";

export class LogStore implements Storage {
  private listeners = new Set<(e: StoredEvent) => void>();
  private meta: { revision: number; compacted: number };

  constructor(
    private readonly backend: Backend,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.meta = backend.readMeta();
  }

  currentRevision(): number {
    return this.meta.revision;
  }

  compactedRevision(): number {
    return this.meta.compacted;
  }

  get(resource: string, name: string): KubeObject | undefined {
    const v = this.backend.getObject(resource, name);
    return v === undefined ? undefined : (JSON.parse(v) as KubeObject);
  }

  count(resource: string, after?: string): number {
    return this.backend.countObjects(resource, after);
  }

  resources(): string[] {
    return this.backend.resources();
  }

  list(resource: string, opts: ListOptions = {}): ListResult {
    const revision = opts.atRevision ?? this.meta.revision;
    if (revision > this.meta.revision) {
      throw new StorageError("Expired", resource, "", `revision ${revision} is in the future (current ${this.meta.revision})`);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const startAfter = opts.startAfter ?? "";
    const filter = opts.filter;
    // Names written after `revision` read their state at `revision` from their first later event.
    const overrides = new Map<string, string | null>();
    if (revision < this.meta.revision) {
      if (revision < this.meta.compacted) throw expiredError(revision, this.meta.compacted + 1);
      for (const row of this.backend.firstEventsAfter(resource, revision)) {
        if (row.name > startAfter) overrides.set(row.name, row.type === "ADDED" ? null : row.prev);
      }
    }
    const items: KubeObject[] = [];
    let continueAfter: string | undefined;
    const take = (name: string, value: string): boolean => {
      const obj = JSON.parse(value) as KubeObject;
      if (filter && !filter(obj)) return true;
      if (limit && items.length === limit) {
        continueAfter = items.length ? (items[items.length - 1].metadata.name as string) : undefined;
        return false;
      }
      items.push(obj);
      return true;
    };
    // Merge the current objects (minus overridden names) with the overridden states, by name.
    const pending = [...overrides.entries()].filter(([, v]) => v !== null).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as [string, string][];
    let pi = 0;
    let cursor = startAfter;
    let more = true;
    const batch = limit ? Math.max(limit + 1, 64) : 0;
    outer: while (more) {
      let seen = 0;
      for (const row of this.backend.scanObjects(resource, cursor, batch)) {
        seen++;
        cursor = row.name;
        while (pi < pending.length && pending[pi][0] < row.name) {
          if (!take(pending[pi][0], pending[pi][1])) break outer;
          pi++;
        }
        if (overrides.has(row.name)) continue;
        if (!take(row.name, row.value)) break outer;
      }
      more = batch > 0 && seen === batch;
    }
    if (continueAfter === undefined) {
      for (; pi < pending.length; pi++) {
        if (!take(pending[pi][0], pending[pi][1])) break;
      }
    }
    return { items, revision, continueAfter };
  }

  create(resource: string, name: string, obj: KubeObject): KubeObject {
    return this.commit(() => {
      if (this.backend.getObject(resource, name) !== undefined) {
        throw new StorageError("Exists", resource, name, `${resource} "${name}" already exists`);
      }
      return this.write("ADDED", resource, name, obj, null);
    });
  }

  guaranteedUpdate(resource: string, name: string, tryUpdate: TryUpdate, opts: { ignoreNotFound?: boolean } = {}): UpdateOutcome {
    return this.commit((): UpdateOutcome => {
      const currentJson = this.backend.getObject(resource, name);
      if (currentJson === undefined && !opts.ignoreNotFound) {
        throw new StorageError("NotFound", resource, name, `${resource} "${name}" not found`);
      }
      const current = currentJson === undefined ? undefined : (JSON.parse(currentJson) as KubeObject);
      const next = tryUpdate(current === undefined ? undefined : structuredClone(current));
      if (current !== undefined) {
        // Identical content is not a write: no new revision, no event (as etcd3's GuaranteedUpdate).
        const probe = { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } };
        if (canonicalJson(probe) === canonicalJson(current)) return { status: "unchanged", object: current };
      }
      const object = this.write(current === undefined ? "ADDED" : "MODIFIED", resource, name, next, currentJson ?? null);
      return { status: "written", object, created: current === undefined };
    });
  }

  delete(resource: string, name: string, check?: (current: KubeObject) => void): KubeObject {
    return this.commit(() => {
      const currentJson = this.backend.getObject(resource, name);
      if (currentJson === undefined) throw new StorageError("NotFound", resource, name, `${resource} "${name}" not found`);
      const current = JSON.parse(currentJson) as KubeObject;
      check?.(current);
      return this.write("DELETED", resource, name, current, currentJson);
    });
  }

  eventsSince(fromRevision: number, resource?: string): StoredEvent[] {
    if (fromRevision < this.meta.compacted) throw expiredError(fromRevision, this.meta.compacted + 1);
    const out: StoredEvent[] = [];
    for (const row of this.backend.eventsAfter(fromRevision, resource)) out.push(toEvent(row));
    return out;
  }

  subscribe(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  compact(policy: CompactionPolicy, nowMs: number): number {
    // Drop an event only when it is both older than minAge and beyond the newest maxRows.
    const byAge = this.backend.lastRevisionBefore(nowMs - policy.minAgeMs);
    const byCount = this.backend.revisionFromEnd(policy.maxRows);
    const upTo = Math.min(byAge, byCount);
    if (upTo <= this.meta.compacted) return this.meta.compacted;
    this.commit(() => {
      this.backend.deleteEventsUpTo(upTo);
      this.meta = { revision: this.meta.revision, compacted: upTo };
      this.backend.writeMeta(this.meta.revision, upTo);
    });
    return upTo;
  }

  private write(type: EventRow["type"], resource: string, name: string, obj: KubeObject, prev: string | null): KubeObject {
    const revision = this.meta.revision + 1;
    const object: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
    const value = JSON.stringify(object);
    if (type === "DELETED") this.backend.deleteObject(resource, name);
    else this.backend.putObject(resource, name, revision, value);
    const row: EventRow = { revision, type, resource, name, value, prev, ts: this.nowMs() };
    this.backend.appendEvent(row);
    this.backend.writeMeta(revision, this.meta.compacted);
    this.meta = { revision, compacted: this.meta.compacted };
    const event = toEvent(row);
    this.pendingEvents.push(event);
    return object;
  }

  private pendingEvents: StoredEvent[] = [];

  /** Runs a write transaction; on commit, delivers its events to subscribers in order. */
  private commit<T>(fn: () => T): T {
    const saved = this.meta;
    let result: T;
    try {
      result = this.backend.transaction(fn);
    } catch (e) {
      this.meta = saved;
      this.pendingEvents = [];
      throw e;
    }
    this.flush();
    return result;
  }

  private flush(): void {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    for (const e of events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch {
          // a broken watcher is removed by its own error handling; the store goes on
        }
      }
    }
  }
}

function toEvent(row: EventRow): StoredEvent {
  const e: StoredEvent = { revision: row.revision, type: row.type, resource: row.resource, name: row.name, object: JSON.parse(row.value) };
  if (row.prev !== null) e.prev = JSON.parse(row.prev);
  return e;
}
