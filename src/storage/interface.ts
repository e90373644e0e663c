// The one Storage interface every store implements (as kube-apiserver's storage.Interface):
// the Durable Object SQLite store and the in-memory store both pass test/conformance/storage.ts.
// It is synchronous on purpose: Durable Object SQLite is synchronous, so a read-modify-write
// inside one call can never interleave with another request.
import type { KubeObject } from "../apis/types.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  revision: number;
  type: EventType;
  resource: string;
  name: string;
  /** The object as written (for DELETED: the last state, resourceVersion = deletion revision). */
  object: KubeObject;
  /** The object before this write (absent for ADDED). */
  prev?: KubeObject;
}

export interface ListOptions {
  /** Serve the list as of this revision (MVCC via the watch log); default: current. */
  atRevision?: number;
  /** Only names sorting after this one (pagination). */
  startAfter?: string;
  /** At most this many items. */
  limit?: number;
  /** Cheap server-side filter applied before `limit` counts an item. */
  filter?: (obj: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list reflects. */
  revision: number;
  /** Name of the last item returned when more items remain; undefined when complete. */
  continueAfter?: string;
}

/** Returns the new object to write, or throws. Receives undefined when the key is absent. */
export type TryUpdate = (current: KubeObject | undefined) => KubeObject;

export type UpdateOutcome =
  | { status: "written"; object: KubeObject; created: boolean }
  | { status: "unchanged"; object: KubeObject };

export type CompactionPolicy = { minAgeMs: number; maxRows: number };

export interface Storage {
  /** The store's current revision: the revision of its last write, 0 when never written. */
  currentRevision(): number;
  /** Events at or below this revision are gone from the log. */
  compactedRevision(): number;
  get(resource: string, name: string): KubeObject | undefined;
  list(resource: string, opts?: ListOptions): ListResult;
  /** Objects of a resource now, or only those after a name (for remainingItemCount). */
  count(resource: string, after?: string): number;
  /** Writes a new object; throws StorageError "Exists" when the name is taken. */
  create(resource: string, name: string, obj: KubeObject): KubeObject;
  /** Read-modify-write of one key. An update producing identical bytes writes nothing. */
  guaranteedUpdate(resource: string, name: string, tryUpdate: TryUpdate, opts?: { ignoreNotFound?: boolean }): UpdateOutcome;
  /** Removes the key; `check` may throw to refuse (preconditions). Throws StorageError "NotFound". */
  delete(resource: string, name: string, check?: (current: KubeObject) => void): KubeObject;
  /** Events with revision > fromRevision, oldest first; throws StorageError "Expired" if compacted. */
  eventsSince(fromRevision: number, resource?: string): StoredEvent[];
  /** Called synchronously after every committed write, in revision order. */
  subscribe(listener: (e: StoredEvent) => void): () => void;
  /** Trims the watch log; returns the new compacted revision. */
  compact(policy: CompactionPolicy, nowMs: number): number;
  /** Resources that hold at least one object (for namespace cleanup and resync). */
  resources(): string[];
}
