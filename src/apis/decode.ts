// Decoding a request body into a kind's shape. Type mismatches become upstream's 400
// BadRequest wording (`json: cannot unmarshal string into Go struct field …`); unknown fields
// are dropped; required-ness is left to validate() (422), as upstream decodes before validating.
import type { z } from "zod";
import { type Status, failure } from "../lib/status.js";
import { goTypes } from "./meta.js";
import type { KindDef, KubeObject } from "./types.js";

export type DecodeResult<T> = { ok: true; obj: T } | { ok: false; status: Status };

/**
 * The deepest nesting of objects and arrays a decoded object may have (`{}` is 1): the bound
 * request documents have (src/limits/documents.ts), so that a patch cannot build what a create
 * could not send. Beyond it the stack would not hold: a JSON patch can nest a loose field a level
 * deeper with every three small operations, and a few thousand levels overflow workerd's stack
 * while storing or reading the object.
 */
export const MAX_DECODE_DEPTH = 100;

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === "object" && v !== null;

/**
 * Go's JSON treats null as "unset": a copy of `raw` without null-valued object keys. Iterative,
 * so no nesting overflows the stack; undefined when deeper than `max` (a cycle, as YAML aliases
 * can make, is infinitely deep). Keys are copied as own properties, so a "__proto__" key stays an
 * unknown field instead of becoming the copy's prototype.
 */
function dropNulls(raw: unknown, max = MAX_DECODE_DEPTH): { value: unknown } | undefined {
  if (!isContainer(raw)) return { value: raw };
  const empty = (v: Container): Container => (Array.isArray(v) ? [] : {});
  const root = empty(raw);
  const stack: Array<[from: Container, to: Container, depth: number]> = [[raw, root, 1]];
  while (stack.length > 0) {
    const [from, to, depth] = stack.pop()!;
    if (depth > max) return undefined;
    const put = (k: string, v: unknown) => {
      let out = v;
      if (isContainer(v)) {
        out = empty(v);
        stack.push([v, out as Container, depth + 1]);
      }
      if (Array.isArray(to)) to.push(out);
      else if (k === "__proto__") Object.defineProperty(to, k, { value: out, enumerable: true, writable: true, configurable: true });
      else to[k] = out;
    };
    if (Array.isArray(from)) for (const v of from) put("", v);
    else for (const [k, v] of Object.entries(from)) if (v !== null) put(k, v);
  }
  return { value: root };
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function goTypeOf(s: z.ZodType): string | undefined {
  return goTypes.get(s)?.goType;
}

/** Peels wrappers (optional, default, prefault, nullable, pipe), collecting the first Go type name met. */
function unwrap(s: z.ZodType): { schema: z.ZodType; goType?: string } {
  let cur = s;
  let name = goTypeOf(cur);
  for (;;) {
    const d = defOf(cur);
    if (d.type === "optional" || d.type === "default" || d.type === "prefault" || d.type === "nullable" || d.type === "readonly" || d.type === "nonoptional") {
      cur = d.innerType as z.ZodType;
    } else if (d.type === "pipe") {
      cur = d.in as z.ZodType;
    } else break;
    name ??= goTypeOf(cur);
  }
  return { schema: cur, goType: name };
}

/** Go type name of a schema as Go's json errors print it. */
function goTypeName(s: z.ZodType): string {
  const { schema, goType } = unwrap(s);
  const d = defOf(schema);
  switch (d.type) {
    case "object":
      return goType ?? "struct";
    case "array":
      return `[]${goType ? goType.replace(/^\[\]/, "") : goTypeName(d.element as z.ZodType)}`;
    case "record":
      return goType ?? `map[string]${goTypeName(d.valueType as z.ZodType)}`;
    case "number":
      return goType ?? (typeof d.format === "string" && d.format.includes("int") ? "int32" : "float64");
    case "int":
      return goType ?? "int32";
    case "string":
      return goType ?? "string";
    case "boolean":
      return "bool";
    default:
      return goType ?? "interface {}";
  }
}

/** The schema at a path, plus the Go struct type that holds the last segment. */
function walk(root: z.ZodType, path: PropertyKey[]): { field?: z.ZodType; parentStruct?: string; fieldPath: string[] } {
  let cur: z.ZodType | undefined = root;
  let parentStruct: string | undefined;
  const fieldPath: string[] = [];
  let inMap = false;
  for (const seg of path) {
    if (!cur) return { fieldPath };
    const { schema, goType } = unwrap(cur);
    const d = defOf(schema);
    if (d.type === "object") {
      parentStruct = goType ?? parentStruct;
      cur = (d.shape as Record<string, z.ZodType>)[String(seg)];
      // Go's path names struct fields only; once inside a map it stops.
      if (!inMap) fieldPath.push(String(seg));
    } else if (d.type === "array") {
      cur = d.element as z.ZodType;
    } else if (d.type === "record") {
      cur = d.valueType as z.ZodType;
      inMap = true;
    } else return { parentStruct, fieldPath };
  }
  return { field: cur, parentStruct, fieldPath };
}

/** Go's encoding/json name for a JSON value's kind. */
function jsonKind(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return `number ${v}`;
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  if (v && typeof v === "object") return "object";
  return "null";
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let cur = raw;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

function base64ErrorOffset(s: string): number {
  const clean = s.replace(/[\r\n]/g, "");
  for (let i = 0; i < clean.length; i++) {
    if (!/[A-Za-z0-9+/=]/.test(clean[i])) return i;
    if (clean[i] === "=") return clean.length % 4 === 0 ? (/^=*$/.test(clean.slice(i)) ? (clean.length - i > 2 ? i : -1) : i) : i;
  }
  return clean.length % 4 === 0 ? -1 : clean.length - (clean.length % 4);
}

function describeIssue(def: KindDef, raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  const value = valueAt(raw, path);
  const { field, parentStruct, fieldPath } = walk(def.schema, path);
  if (issue.code === "invalid_format" && (issue as { format?: string }).format === "base64" && typeof value === "string") {
    return `illegal base64 data at input byte ${Math.max(0, base64ErrorOffset(value))}`;
  }
  const typeName = field ? goTypeName(field) : "interface {}";
  if (typeName === "resource.Quantity" && typeof value === "string") {
    return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  }
  if (path.length === 0) return `json: cannot unmarshal ${jsonKind(value).split(" ")[0]} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`;
  const kind = jsonKind(value);
  return `json: cannot unmarshal ${kind.startsWith("number") && typeName.startsWith("int") ? kind : kind.split(" ")[0]} into Go struct field ${parentStruct ?? def.kind}.${fieldPath.join(".")} of type ${typeName}`;
}

/** Decodes a request body for `def`: { ok, obj } or a 400 Status worded like kube-apiserver's. */
export function decodeObject<T extends KubeObject>(def: KindDef<T>, raw: unknown): DecodeResult<T> {
  const dropped = dropNulls(raw);
  if (!dropped) {
    return { ok: false, status: failure(400, "BadRequest", `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: json: exceeded max depth of ${MAX_DECODE_DEPTH}`) };
  }
  const input = dropped.value;
  const res = def.schema.safeParse(input);
  if (res.success) return { ok: true, obj: res.data };
  const issue = res.error.issues[0];
  const detail = describeIssue(def as unknown as KindDef, input, issue);
  return { ok: false, status: failure(400, "BadRequest", `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${detail}`) };
}
