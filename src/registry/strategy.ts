// Per-resource behaviour that the generic store asks about (apiserver's RESTCreateStrategy,
// RESTUpdateStrategy, RESTDeleteStrategy): what create and update reset, what generation
// follows, how deletion proceeds.
import type { KindDef, KubeObject } from "../apis/types.js";

/** Top-level keys that are not "spec" for generation purposes. */
const NOT_SPEC = new Set(["apiVersion", "kind", "metadata", "status"]);

export function specOf(def: KindDef, obj: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = def.specKeys ?? Object.keys(obj).filter((k) => !NOT_SPEC.has(k));
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** Kinds whose metadata.generation upstream tracks (workload controllers read it back as observedGeneration). */
export const tracksGeneration = (def: KindDef): boolean => def.hasStatus && (def.group === "apps" || def.group === "batch");

/** What create does to the status written by the client (PrepareForCreate). */
export function resetStatusForCreate(def: KindDef, obj: KubeObject): void {
  if (!def.hasStatus) return;
  // Nodes allow all fields, status included, on create (the kubelet registers with status).
  if (def.group === "" && def.kind === "Node") return;
  delete obj.status;
}

/** Whether DELETE returns the object rather than a Success Status (ReturnDeletedObject). */
export function returnsDeletedObject(def: KindDef): boolean {
  return def.group === "" && (def.kind === "Pod" || def.kind === "Service" || def.kind === "Namespace");
}

/**
 * The grace period a delete gets, as upstream's CheckGracefulDelete: only pods are graceful;
 * a pod never bound to a node, or already finished, goes at once.
 */
export function gracePeriodFor(def: KindDef, obj: KubeObject, requested: number | undefined): number {
  if (!(def.group === "" && def.kind === "Pod")) return 0;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const status = (obj.status ?? {}) as { phase?: string };
  let grace = requested ?? spec.terminationGracePeriodSeconds ?? 30;
  if (grace < 0) grace = 1;
  if (!spec.nodeName) return 0;
  if (status.phase === "Succeeded" || status.phase === "Failed") return 0;
  return grace;
}

/** Namespaces are never removed by DELETE: they turn Terminating and the namespace controller empties them. */
export function deleteMarksTerminating(def: KindDef): boolean {
  return def.group === "" && def.kind === "Namespace";
}
