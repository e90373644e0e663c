// What DELETE options ask of an object: preconditions, and the finalizers a propagation policy adds.
import type { KindDef, KubeObject } from "../apis/types.js";
import { conflict, success } from "../lib/status.js";
import { groupResource } from "./kind-names.js";
import type { DeleteOptions } from "./requests.js";
import { deleteMarksTerminating, returnsDeletedObject } from "./strategy.js";

export function propagationFinalizers(opts: DeleteOptions): string[] {
  if (opts.propagationPolicy === "Orphan" || (opts.propagationPolicy === undefined && opts.orphanDependents === true)) return ["orphan"];
  if (opts.propagationPolicy === "Foreground") return ["foregroundDeletion"];
  return [];
}

export function hasNamespaceFinalizers(def: KindDef, obj: KubeObject): boolean {
  return deleteMarksTerminating(def) && ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
}

export function checkPreconditions(def: KindDef, name: string, current: KubeObject, pre: DeleteOptions["preconditions"]): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== current.metadata.uid) {
    throw conflict(groupResource(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      groupResource(def),
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
}

/** What DELETE answers once an object is gone: the object for some kinds, a Success Status for the rest. */
export function deletedResult(def: KindDef, gone: KubeObject): { code: number; body: unknown } {
  if (returnsDeletedObject(def)) return { code: 200, body: gone };
  const d: Record<string, unknown> = { name: gone.metadata.name, kind: def.plural, uid: gone.metadata.uid };
  if (def.group) d.group = def.group;
  return { code: 200, body: success(d) };
}
