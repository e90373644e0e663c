// The watchers of one store: chunked HTTP streams held in memory while their request lasts, and
// WebSockets held with the Hibernation API so idle watchers cost nothing. Replay from the log
// and registration happen in one synchronous step, so no event is lost or sent twice.
import { fromStorage, storageResourceOf, type KindDef, type KubeObject } from "../src/apis/types.js";
import { kindStorage } from "../src/registry/kind-storage.js";
import { apiVersionOf } from "../src/registry/kind-names.js";
import { parseResourceVersion } from "../src/registry/storage-status.js";
import { buildPredicate, type Predicate } from "../src/registry/predicate.js";
import { fieldEquals } from "../src/auth/authorizers/node/rules.js";
import type { Target, WatchQuery } from "../src/registry/requests.js";
import { bookmark, encodeEvent, toWatchEvent, watchResponseHeaders, type WatchEvent } from "../src/registry/watch-events.js";
import { StatusError, expired, failure, type Status } from "../src/lib/status.js";
import { isStorageError } from "../src/storage/errors.js";
import type { Storage, StoredEvent } from "../src/storage/interface.js";

export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** Used when the client gives no timeoutSeconds (upstream: 30–60 min). */
  defaultTimeoutMs: number;
}

interface Sink {
  send(text: string): void;
  close(): void;
}

interface Watcher {
  def: KindDef;
  predicate: Predicate;
  sink: Sink;
  bookmarks: boolean;
  timers: Array<ReturnType<typeof setTimeout>>;
  closed: boolean;
  /** A pods watch by spec.nodeName=NODE (an agent's): indexed, so a pod event reaches only its node's watchers. */
  node?: string;
}

/** What a hibernated WebSocket remembers about its watch. */
export interface SocketAttachment {
  target: Target;
  query: WatchQuery;
}

const encoder = new TextEncoder();

const nodeNameOf = (o: KubeObject | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName || undefined;

/** A stored event in the shape the watcher's kind serves (events.k8s.io Events are stored as core ones). */
function asKind(def: KindDef, e: StoredEvent): StoredEvent {
  if (!def.storageConversion) return e;
  return { ...e, object: fromStorage(def, e.object), prev: e.prev ? fromStorage(def, e.prev) : undefined };
}

export class WatchHub {
  private watchers = new Set<Watcher>();
  /** Watchers by the node their field selector names (upstream's watch-cache trigger on spec.nodeName), and the rest. */
  private byNode = new Map<string, Set<Watcher>>();
  private unindexed = new Set<Watcher>();
  /** Predicates of hibernatable sockets, rebuilt from their attachment after a wake-up. */
  private socketPredicates = new WeakMap<WebSocket, { def: KindDef; predicate: Predicate }>();

  constructor(
    private readonly storage: Storage,
    private readonly settings: WatchSettings,
    private readonly lookup: (t: Target) => KindDef,
    private readonly sockets: () => WebSocket[],
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  /** A chunked HTTP watch: the Response streams newline-delimited events until timeout or disconnect. */
  openStream(def: KindDef, query: WatchQuery): Response {
    const predicate = buildPredicate(def, query.labelSelector, query.fieldSelector);
    // A resourceVersion that does not parse is a plain 400, before any stream starts.
    if (query.resourceVersion && query.resourceVersion !== "0") parseResourceVersion(query.resourceVersion);
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const w: Watcher = {
      def,
      predicate,
      bookmarks: !!query.allowWatchBookmarks,
      timers: [],
      closed: false,
      node: storageResourceOf(def) === "pods" ? fieldEquals(query.fieldSelector, "spec.nodeName") || undefined : undefined,
      sink: {
        send: (text) => void writer.write(encoder.encode(text)).catch(() => this.remove(w)),
        close: () => void writer.close().catch(() => undefined),
      },
    };
    writer.closed.catch(() => this.remove(w));
    this.start(w, query);
    return new Response(readable, { headers: watchResponseHeaders() });
  }

  /** A WebSocket watch held with the Hibernation API. */
  openSocket(ws: WebSocket, def: KindDef, target: Target, query: WatchQuery): void {
    const predicate = buildPredicate(def, query.labelSelector, query.fieldSelector);
    ws.serializeAttachment({ target, query } satisfies SocketAttachment);
    this.socketPredicates.set(ws, { def, predicate });
    for (const e of this.initialEvents(def, predicate, query)) ws.send(JSON.stringify(e));
  }

  publish(e: StoredEvent): void {
    for (const w of this.candidates(e)) {
      if (w.closed || storageResourceOf(w.def) !== e.resource) continue;
      const out = toWatchEvent(asKind(w.def, e), w.predicate);
      if (out) w.sink.send(encodeEvent(out));
    }
    for (const ws of this.sockets()) {
      const p = this.socketPredicate(ws);
      if (!p || storageResourceOf(p.def) !== e.resource) continue;
      const out = toWatchEvent(asKind(p.def, e), p.predicate);
      if (out) {
        try {
          ws.send(JSON.stringify(out));
        } catch {
          // a closing socket; the runtime drops it
        }
      }
    }
  }

  /** The watchers an event can concern: for pods, the unindexed ones and those of the pod's old and new node. */
  private *candidates(e: StoredEvent): Iterable<Watcher> {
    if (e.resource !== "pods" || this.byNode.size === 0) {
      yield* this.watchers;
      return;
    }
    yield* this.unindexed;
    const now = nodeNameOf(e.object);
    const before = nodeNameOf(e.prev);
    if (now) yield* this.byNode.get(now) ?? [];
    if (before && before !== now) yield* this.byNode.get(before) ?? [];
  }

  closeAll(): void {
    for (const w of [...this.watchers]) this.finish(w);
  }

  private socketPredicate(ws: WebSocket): { def: KindDef; predicate: Predicate } | undefined {
    let p = this.socketPredicates.get(ws);
    if (!p) {
      const a = ws.deserializeAttachment() as SocketAttachment | null;
      if (!a) return undefined;
      const def = this.lookup(a.target);
      p = { def, predicate: buildPredicate(def, a.query.labelSelector, a.query.fieldSelector) };
      this.socketPredicates.set(ws, p);
    }
    return p;
  }

  private start(w: Watcher, query: WatchQuery): void {
    let initial: WatchEvent[];
    try {
      initial = this.initialEvents(w.def, w.predicate, query);
    } catch (e) {
      // Upstream answers a watch from a compacted revision with 200 and one ERROR event.
      const status: Status = e instanceof StatusError ? e.status : failure(500, "InternalError", String(e));
      w.sink.send(encodeEvent({ type: "ERROR", object: status as unknown as KubeObject }));
      w.sink.close();
      return;
    }
    for (const e of initial) w.sink.send(encodeEvent(e));
    this.watchers.add(w);
    if (w.node) {
      let set = this.byNode.get(w.node);
      if (!set) this.byNode.set(w.node, (set = new Set()));
      set.add(w);
    } else this.unindexed.add(w);
    const timeoutMs = query.timeoutSeconds !== undefined ? query.timeoutSeconds * 1000 : this.settings.defaultTimeoutMs;
    w.timers.push(setTimeout(() => this.finish(w), timeoutMs));
    const every = this.settings.bookmarkIntervalMs;
    if (w.bookmarks && every > 0) {
      // The first one a random 75–125% of the interval out, so that watches opened together
      // (every agent's watch when a namespace appears) do not all get theirs in the same tick.
      w.timers.push(
        setTimeout(() => {
          this.sendBookmark(w);
          if (!w.closed) w.timers.push(setInterval(() => this.sendBookmark(w), every));
        }, every * (0.75 + Math.random() / 2)),
      );
    }
  }

  /** The events a new watch starts with: the current state (no resourceVersion) or the log since one. */
  private initialEvents(def: KindDef, predicate: Predicate, query: WatchQuery): WatchEvent[] {
    const rv = query.resourceVersion;
    const out: WatchEvent[] = [];
    const fromState = rv === undefined || rv === "" || rv === "0" || query.sendInitialEvents === true;
    if (fromState) {
      const res = kindStorage(this.storage, def).list({ filter: predicate.everything ? undefined : predicate });
      for (const obj of res.items) out.push({ type: "ADDED", object: obj });
      // With bookmarks allowed, a bookmark marks where the initial state ends (its revision).
      if (query.allowWatchBookmarks) {
        const end = query.sendInitialEvents ? { "k8s.io/initial-events-end": "true" } : undefined;
        out.push(bookmark(apiVersionOf(def), def.kind, String(res.revision), end));
      }
      return out;
    }
    const from = parseResourceVersion(rv);
    let events: StoredEvent[];
    try {
      events = this.storage.eventsSince(from, storageResourceOf(def));
    } catch (e) {
      if (isStorageError(e, "Expired")) throw expired(e.message);
      throw e;
    }
    for (const e of events) {
      const w = toWatchEvent(asKind(def, e), predicate);
      if (w) out.push(w);
    }
    return out;
  }

  private sendBookmark(w: Watcher): void {
    if (w.closed) return;
    w.sink.send(encodeEvent(bookmark(apiVersionOf(w.def), w.def.kind, String(this.storage.currentRevision()))));
  }

  private finish(w: Watcher): void {
    if (w.closed) return;
    if (w.bookmarks) this.sendBookmark(w);
    this.remove(w);
    w.sink.close();
  }

  private remove(w: Watcher): void {
    w.closed = true;
    for (const t of w.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.watchers.delete(w);
    this.unindexed.delete(w);
    if (w.node) {
      const set = this.byNode.get(w.node);
      set?.delete(w);
      if (set?.size === 0) this.byNode.delete(w.node);
    }
  }
}
