// What one watcher sees of one stored event: selector transitions as upstream's cacheWatcher
// sends them (an object entering the selector is ADDED, leaving it is DELETED).
import type { KubeObject } from "../apis/types.js";
import type { StoredEvent } from "../storage/interface.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export function toWatchEvent(e: StoredEvent, matches: (o: KubeObject) => boolean): WatchEvent | undefined {
  const cur = matches(e.object);
  if (e.type === "ADDED") return cur ? { type: "ADDED", object: e.object } : undefined;
  if (e.type === "DELETED") {
    // The object's last state decides, as upstream filters DELETED by the previous object.
    return cur ? { type: "DELETED", object: e.object } : undefined;
  }
  const old = e.prev ? matches(e.prev) : false;
  if (cur && old) return { type: "MODIFIED", object: e.object };
  if (cur && !old) return { type: "ADDED", object: e.object };
  if (!cur && old) {
    // Leaving the selector: DELETED with the last state that matched, at this event's revision.
    const prev = structuredClone(e.prev!);
    prev.metadata.resourceVersion = e.object.metadata.resourceVersion;
    return { type: "DELETED", object: prev };
  }
  return undefined;
}

export function bookmark(apiVersion: string, kind: string, resourceVersion: string, annotations?: Record<string, string>): WatchEvent {
  const metadata: Record<string, unknown> = { resourceVersion };
  if (annotations) metadata.annotations = annotations;
  return { type: "BOOKMARK", object: { apiVersion, kind, metadata } as KubeObject };
}

export const encodeEvent = (e: WatchEvent): string => JSON.stringify(e) + "\n";

/**
 * Headers of a watch stream. Cloudflare (and Miniflare, which copies it) gzips JSON responses
 * for clients that accept it, and a compressor holds events back until its buffer fills: a
 * watch must go out uncompressed, event by event, as kube-apiserver sends it.
 */
export function watchResponseHeaders(): Record<string, string> {
  return {
    "content-type": "application/json",
    "cache-control": "no-cache, private, no-transform",
    "content-encoding": "identity",
    "x-content-type-options": "nosniff",
  };
}
