// Rules on the shape of a stored object: Go's omitempty for metadata, the spec kept by status
// writes, the size limit, and list items without type metadata.
import type { KubeObject } from "../apis/types.js";
import { tooLarge } from "../lib/status.js";

/** Upstream's per-object limit (etcd's request size), in bytes of JSON. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** Go's omitempty: an empty label or annotation map, finalizer or owner list is not stored. */
export function dropEmptyMetadata(obj: KubeObject): void {
  const m = obj.metadata;
  for (const k of ["labels", "annotations"] as const) if (m[k] && Object.keys(m[k]!).length === 0) delete m[k];
  for (const k of ["finalizers", "ownerReferences"] as const) if (Array.isArray(m[k]) && m[k]!.length === 0) delete m[k];
}

/** `incoming` with every top-level field but metadata and status taken from `current`. */
export function withSpecOf(incoming: KubeObject, current: KubeObject): KubeObject {
  const keep = new Set(["apiVersion", "kind", "metadata", "status"]);
  const next: KubeObject = { apiVersion: incoming.apiVersion, kind: incoming.kind, metadata: incoming.metadata };
  for (const [k, v] of Object.entries(current)) if (!keep.has(k)) next[k] = structuredClone(v);
  if (incoming.status !== undefined) next.status = incoming.status;
  return next;
}

export function checkSize(obj: KubeObject): void {
  const n = new TextEncoder().encode(JSON.stringify(obj)).length;
  if (n > MAX_OBJECT_BYTES) throw tooLarge(`Request entity too large: object is ${n} bytes, the limit is ${MAX_OBJECT_BYTES} bytes`);
}

export function stripTypeMeta(obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest as KubeObject;
}
