// Field validation of writes (fieldValidation=Strict|Warn|Ignore): unknown fields found along
// the kind's schema, duplicate keys found by the API layer in the request text.
import type { KindDef } from "../apis/types.js";
import { unknownFields } from "../apis/unknown-fields.js";
import { badRequest } from "../lib/status.js";
import type { WriteOptions } from "./requests.js";

/**
 * Field validation (fieldValidation=Strict|Warn|Ignore, Warn by default as upstream): unknown
 * and duplicate fields are refused with 400, returned as warnings, or ignored. They are dropped
 * from the object in every case.
 */
export function fieldValidation(def: KindDef, raw: unknown, opts: WriteOptions): string[] {
  const mode = opts.fieldValidation ?? "Warn";
  if (mode === "Ignore") return [];
  const problems = [
    ...unknownFields(def.schema, raw).map((f) => `unknown field "${f}"`),
    ...(opts.duplicateFields ?? []).map((f) => `duplicate field "${f}"`),
  ];
  if (problems.length === 0) return [];
  if (mode === "Strict") {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${problems.join(", ")}`);
  }
  return problems;
}
