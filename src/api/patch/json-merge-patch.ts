// RFC 7386 JSON merge patch (application/merge-patch+json): objects merge key by key, null
// deletes, anything else (arrays included) replaces. Inputs are never mutated.
import { deepClone, getOwn, hasOwn, isPlainObject, setOwn, type JsonObject } from "./json-value.js";

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const result: JsonObject = isPlainObject(target) ? deepClone(target) : {};
  mergeInto(result, patch);
  return result;
}

/** Merges `patch` into `result`, which the caller owns. */
function mergeInto(result: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      if (hasOwn(result, key)) delete result[key];
    } else if (isPlainObject(value)) {
      const current = getOwn(result, key);
      const next: JsonObject = isPlainObject(current) ? current : {};
      mergeInto(next, value);
      setOwn(result, key, next);
    } else {
      setOwn(result, key, deepClone(value));
    }
  }
}
