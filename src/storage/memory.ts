// An in-memory Backend: the reference implementation of the storage semantics, used by pure
// tests and by components that need a store without workerd.
import type { Backend, EventRow } from "./backend.js";
import { LogStore } from "./log-store.js";

export class MemoryBackend implements Backend {
  private objects = new Map<string, Map<string, string>>();
  private events: EventRow[] = [];
  private meta = { revision: 0, compacted: 0 };

  transaction<T>(fn: () => T): T {
    const snapshot = {
      objects: new Map([...this.objects].map(([r, m]) => [r, new Map(m)])),
      events: this.events.length,
      meta: { ...this.meta },
    };
    try {
      return fn();
    } catch (e) {
      this.objects = snapshot.objects;
      this.events.length = snapshot.events;
      this.meta = snapshot.meta;
      throw e;
    }
  }
  readMeta() {
    return { ...this.meta };
  }
  writeMeta(revision: number, compacted: number) {
    this.meta = { revision, compacted };
  }
  getObject(resource: string, name: string) {
    return this.objects.get(resource)?.get(name);
  }
  putObject(resource: string, name: string, _revision: number, value: string) {
    let m = this.objects.get(resource);
    if (!m) this.objects.set(resource, (m = new Map()));
    m.set(name, value);
  }
  deleteObject(resource: string, name: string) {
    const m = this.objects.get(resource);
    m?.delete(name);
    if (m && m.size === 0) this.objects.delete(resource);
  }
  *scanObjects(resource: string, startAfter: string, limit: number) {
    const m = this.objects.get(resource);
    if (!m) return;
    const names = [...m.keys()].filter((n) => n > startAfter).sort();
    const end = limit > 0 ? Math.min(limit, names.length) : names.length;
    for (let i = 0; i < end; i++) yield { name: names[i], value: m.get(names[i])! };
  }
  countObjects(resource: string, after?: string) {
    const m = this.objects.get(resource);
    if (!m) return 0;
    if (after === undefined) return m.size;
    let n = 0;
    for (const k of m.keys()) if (k > after) n++;
    return n;
  }
  resources() {
    return [...this.objects.keys()].sort();
  }
  appendEvent(row: EventRow) {
    this.events.push(row);
  }
  *eventsAfter(revision: number, resource?: string) {
    for (const e of this.events) if (e.revision > revision && (resource === undefined || e.resource === resource)) yield e;
  }
  *firstEventsAfter(resource: string, revision: number) {
    const seen = new Set<string>();
    for (const e of this.events) {
      if (e.revision > revision && e.resource === resource && !seen.has(e.name)) {
        seen.add(e.name);
        yield e;
      }
    }
  }
  eventCount() {
    return this.events.length;
  }
  deleteEventsUpTo(upTo: number) {
    const before = this.events.length;
    this.events = this.events.filter((e) => e.revision > upTo);
    return before - this.events.length;
  }
  lastRevisionBefore(ts: number) {
    let r = 0;
    for (const e of this.events) if (e.ts < ts) r = e.revision;
    return r;
  }
  revisionFromEnd(n: number) {
    const i = this.events.length - 1 - n;
    return i >= 0 ? this.events[i].revision : 0;
  }
}

export function newMemoryStore(nowMs: () => number = Date.now): LogStore {
  return new LogStore(new MemoryBackend(), nowMs);
}
