// The few primitive operations a store needs from its medium (SQLite in a Durable Object, or
// memory). All Kubernetes semantics live once, in log-store.ts, above this line.
export interface EventRow {
  revision: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: string;
  name: string;
  /** JSON of the object as written. */
  value: string;
  /** JSON of the object before the write, or null. */
  prev: string | null;
  /** Wall-clock milliseconds of the write, for age-based compaction. */
  ts: number;
}

export interface Backend {
  /** Runs fn atomically: all of its writes commit or none does. */
  transaction<T>(fn: () => T): T;
  readMeta(): { revision: number; compacted: number };
  writeMeta(revision: number, compacted: number): void;
  getObject(resource: string, name: string): string | undefined;
  putObject(resource: string, name: string, revision: number, value: string): void;
  deleteObject(resource: string, name: string): void;
  /** Objects of one resource ordered by name, after `startAfter`, at most `limit` (0 = all). */
  scanObjects(resource: string, startAfter: string, limit: number): Iterable<{ name: string; value: string }>;
  /** Objects of one resource, or only those whose name sorts after `after`. */
  countObjects(resource: string, after?: string): number;
  resources(): string[];
  appendEvent(row: EventRow): void;
  /** Events after `revision`, oldest first, optionally of one resource. */
  eventsAfter(revision: number, resource?: string): Iterable<EventRow>;
  /** For each name of `resource` written after `revision`: its first event after that revision. */
  firstEventsAfter(resource: string, revision: number): Iterable<EventRow>;
  eventCount(): number;
  /** Deletes events with revision <= upTo; returns how many went. */
  deleteEventsUpTo(upTo: number): number;
  /** The highest revision among events older than `ts`, or 0. */
  lastRevisionBefore(ts: number): number;
  /** The revision of the event `n` rows from the newest (n=0: newest), or 0. */
  revisionFromEnd(n: number): number;
}
