// The local state a controller reads instead of the store (client-go's Indexer behind a
// reflector): filled by a list, kept current by watch events, indexed for O(matches) lookups.
import type { KubeObject } from "../../apis/types.js";
import { isStatus, type Status } from "../../lib/status.js";
import { objectKey } from "./keys.js";

/** The values an object is filed under in one index (client-go's IndexFunc). */
export type Indexer<T extends KubeObject = KubeObject> = (obj: T) => string[];

export interface InformerCacheOptions<T extends KubeObject> {
  indexers?: Record<string, Indexer<T>>;
  /** Default: `namespace/name`. */
  keyFunc?: (obj: T) => string;
}

/** What a list or watch event changed; a controller maps it to keys to enqueue. */
export type CacheChange<T> =
  | { type: "ADDED"; object: T }
  | { type: "MODIFIED"; object: T; old: T }
  | { type: "DELETED"; object: T };

/** A watch event as the API streams it. */
export interface CacheWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject | Status;
}

export type ApplyOutcome<T> =
  | { status: "applied"; change: CacheChange<T> }
  | { status: "bookmark" }
  /** 410 Gone/Expired: the watch cannot resume; list again and replace(). */
  | { status: "relist"; error: Status }
  /** Any other watch error: watch again from `resourceVersion`. */
  | { status: "rewatch"; error: Status | unknown };

/** Anything with upstream Selector.Matches, such as the parsed LabelSelector of src/registry/selectors. */
export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>> | undefined | null): boolean;
}

export class InformerCache<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Record<string, Indexer<T>>;
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly keyFunc: (obj: T) => string;
  private rv = "";
  private synced = false;

  constructor(options: InformerCacheOptions<T> = {}) {
    this.indexers = { ...options.indexers };
    this.keyFunc = options.keyFunc ?? objectKey;
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  /** The resourceVersion to watch from: the list's, then the last event's. */
  get resourceVersion(): string {
    return this.rv;
  }

  /** True once a list has been loaded (client-go's HasSynced). */
  get hasSynced(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.items.size;
  }

  /**
   * Load a full list (first sync, or re-list after 410). Returns what changed against the
   * cache; an object whose resourceVersion did not move is not reported.
   */
  replace(items: T[], resourceVersion: string): CacheChange<T>[] {
    const changes: CacheChange<T>[] = [];
    const seen = new Set<string>();
    for (const obj of items) {
      const key = this.keyFunc(obj);
      seen.add(key);
      const old = this.items.get(key);
      this.put(key, obj, old);
      if (!old) changes.push({ type: "ADDED", object: obj });
      else if (old.metadata.resourceVersion === undefined || old.metadata.resourceVersion !== obj.metadata.resourceVersion)
        changes.push({ type: "MODIFIED", object: obj, old });
    }
    for (const [key, old] of [...this.items]) {
      if (seen.has(key)) continue;
      this.remove(key, old);
      changes.push({ type: "DELETED", object: old });
    }
    this.rv = resourceVersion;
    this.synced = true;
    return changes;
  }

  /** Apply one watch event. */
  apply(event: CacheWatchEvent): ApplyOutcome<T> {
    if (event.type === "ERROR") {
      const status = event.object;
      if (isStatus(status) && status.code === 410) return { status: "relist", error: status };
      return { status: "rewatch", error: status };
    }
    const obj = event.object as T;
    const rv = obj.metadata?.resourceVersion;
    if (event.type === "BOOKMARK") {
      if (rv) this.rv = rv;
      return { status: "bookmark" };
    }
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    let change: CacheChange<T>;
    if (event.type === "DELETED") {
      if (old) this.remove(key, old);
      change = { type: "DELETED", object: obj };
    } else {
      this.put(key, obj, old);
      change = old ? { type: "MODIFIED", object: obj, old } : { type: "ADDED", object: obj };
    }
    if (rv) this.rv = rv;
    return { status: "applied", change };
  }

  /** The cached object; shared with the cache, so treat it as read-only. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()].sort();
  }

  /** Every cached object (matching `selector` if given), ordered by key. */
  list(selector?: LabelMatcher | ((obj: T) => boolean)): T[] {
    const keys = this.keys();
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key)!;
      if (!selector || (typeof selector === "function" ? selector(obj) : selector.matches(obj.metadata.labels))) out.push(obj);
    }
    return out;
  }

  /** Objects filed under `value` in index `indexName`, ordered by key. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named "${indexName}"`);
    return [...(index.get(value) ?? [])].sort().map((k) => this.items.get(k)!);
  }

  private put(key: string, obj: T, old: T | undefined): void {
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      for (const v of new Set(indexer(obj))) {
        let keys = index.get(v);
        if (!keys) index.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private remove(key: string, old: T): void {
    this.unindex(key, old);
    this.items.delete(key);
  }

  private unindex(key: string, old: T): void {
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      for (const v of indexer(old)) {
        const keys = index.get(v);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

// ---- indexers controllers need ----

/** cache.NamespaceIndex. */
export const byNamespace: Indexer = (obj) => [obj.metadata.namespace ?? ""];

/** The UIDs of every owner: dependents of an owner (garbage collector, adoption). */
export const byOwnerUID: Indexer = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);

/** The UID of the controller owner only (`controller: true`): the pods a ReplicaSet manages. */
export const byControllerUID: Indexer = (obj) => (obj.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid);

/** The value of one label, e.g. `pod-template-hash`. */
export function byLabel(labelKey: string): Indexer {
  return (obj) => {
    const v = obj.metadata.labels?.[labelKey];
    return v === undefined ? [] : [v];
  };
}

/** A selector-bearing object's (ReplicaSet, Deployment) `matchLabels`, shape of metav1.LabelSelector. */
export interface SelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: unknown[] | null;
}

const ANY_LABELS = "*";

/**
 * Files a selector-bearing object under each `key=value` of its selector's matchLabels, or under
 * `*` when it has none (it may match any labels), so selectorsMatching() narrows candidates
 * without scanning every controller.
 */
export function bySelector<T extends KubeObject>(getSelector: (obj: T) => SelectorLike | undefined | null): Indexer<T> {
  return (obj) => {
    const sel = getSelector(obj);
    if (!sel) return []; // a nil selector matches nothing
    const pairs = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
    return pairs.length ? pairs : [ANY_LABELS];
  };
}

/**
 * The objects whose selector matches `labels` (upstream's GetPodReplicaSets and friends), using
 * an index built with bySelector; `matches` is the full selector check (matchExpressions too).
 */
export function selectorsMatching<T extends KubeObject>(
  cache: InformerCache<T>,
  indexName: string,
  labels: Record<string, string> | undefined,
  matches: (obj: T, labels: Record<string, string>) => boolean,
): T[] {
  const l = labels ?? {};
  const candidates = new Set<T>();
  for (const value of [ANY_LABELS, ...Object.entries(l).map(([k, v]) => `${k}=${v}`)])
    for (const obj of cache.byIndex(indexName, value)) candidates.add(obj);
  return [...candidates]
    .filter((obj) => matches(obj, l))
    .sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
}
