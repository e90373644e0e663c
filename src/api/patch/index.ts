// The PATCH verb's three body types, chosen by Content-Type as kube-apiserver does; routes call
// applyPatch and turn a thrown PatchError into a Status by its code.
import { applyJsonPatch } from "./json-patch.js";
import { applyMergePatch } from "./json-merge-patch.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { patchMetaFor } from "./patch-meta.js";
import { PatchError } from "./patch-error.js";

export { applyJsonPatch, parseJsonPatch, type JsonPatchOp } from "./json-patch.js";
export { applyMergePatch } from "./json-merge-patch.js";
export { applyStrategicMergePatch, noPatchMeta, type FieldPatchMeta, type PatchMeta } from "./strategic-merge-patch.js";
export { mergeKeys, patchMetaFor, patchMetaForType, patchMetaKinds, type MergeKeyEntry } from "./patch-meta.js";
export { PatchError, isPatchError, type PatchErrorCode } from "./patch-error.js";

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

export type PatchType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_MERGE_PATCH;

/** The patch types a kind accepts: strategic merge patch only for built-in kinds, as upstream. */
export function supportedPatchTypes(group: string, kind: string): PatchType[] {
  return patchMetaFor(group, kind) ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH] : [JSON_PATCH, MERGE_PATCH];
}

/**
 * Applies a decoded patch body of the given Content-Type (parameters such as "; charset" are
 * ignored) to `original`. Throws PatchError: 415 for a type this kind does not accept.
 */
export function applyPatch(contentType: string, original: unknown, patch: unknown, target: { group: string; kind: string }): unknown {
  const type = contentType.split(";")[0].trim().toLowerCase();
  switch (type) {
    case JSON_PATCH:
      return applyJsonPatch(original, patch);
    case MERGE_PATCH:
      return applyMergePatch(original, patch);
    case STRATEGIC_MERGE_PATCH: {
      const meta = patchMetaFor(target.group, target.kind);
      if (!meta) throw unsupported(target);
      return applyStrategicMergePatch(original, patch, meta);
    }
    default:
      throw unsupported(target);
  }
}

const unsupported = (target: { group: string; kind: string }) =>
  new PatchError(
    `the body of the request was in an unknown format - accepted media types include: ${supportedPatchTypes(target.group, target.kind).join(", ")}`,
    415,
  );
