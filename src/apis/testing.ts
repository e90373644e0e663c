// Test helper: runs a body through decode → defaults → prepareForCreate → validation, the
// order the registry uses, so tests read like API calls.
import { fieldErrorMessage } from "../lib/field-errors.js";
import { decodeObject } from "./decode.js";
import type { KindDef, KubeObject } from "./types.js";
import { validateObjectMeta } from "./validation.js";

export function admit<T extends KubeObject>(def: KindDef<T>, raw: unknown, uid = "11111111-2222-3333-4444-555555555555"): { obj: T; errors: string[] } {
  const res = decodeObject(def, raw);
  if (!res.ok) throw new Error(res.status.message);
  const obj = res.obj;
  def.applyDefaults?.(obj);
  obj.metadata.uid = uid;
  def.prepareForCreate?.(obj);
  const errs = [...validateObjectMeta(obj.metadata, def.namespaced, def.nameRule), ...(def.validate?.(obj) ?? [])];
  return { obj, errors: errs.map(fieldErrorMessage) };
}
