// Operations on values under an apply schema (structured-merge-diff's typed package): the
// field set of a value, the comparison of two values, the merge of an applied configuration
// into a live object, and the removal of a set of fields from a value.
import { type Json, type Path, type PathElement, FieldSet, field, index, keyElement, pathString, serializeElement, valueElement } from "./fieldpath.js";
import { KEY_DEFAULTS, type TypeNode, fieldType, isObject, resolve } from "./schema.js";

type Obj = Record<string, unknown>;
type ListType = TypeNode & { kind: "list" };
type MapType = TypeNode & { kind: "map" };

/** A value that does not fit its schema (a missing list key, duplicates, a wrong shape). */
export class TypedError extends Error {
  constructor(
    readonly path: Path,
    readonly detail: string,
  ) {
    super(`${pathString(path)}: ${detail}`);
  }
}

/**
 * The path element of a list item: its keys for an associative list, its value for a set, its
 * position otherwise. `strict` refuses an item that leaves out a key field with no default
 * (applied configurations); live objects are read leniently.
 */
export function listItemElement(t: ListType, item: unknown, i: number, path: Path, strict: boolean): PathElement {
  if (t.listType === "map" && t.keys) {
    if (!isObject(item)) throw new TypedError([...path, index(i)], `expected map, got ${describe(item)}`);
    const fields: Array<[string, Json]> = [];
    for (const k of t.keys) {
      const v = item[k];
      if (v !== undefined && v !== null) fields.push([k, v as Json]);
      else if (k in KEY_DEFAULTS) fields.push([k, KEY_DEFAULTS[k]]);
      else if (strict) throw new TypedError(path, `element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
    }
    if (fields.length === 0) return index(i);
    return keyElement(fields);
  }
  if (t.listType === "set") return valueElement(item as Json);
  return index(i);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (isObject(v)) return "map";
  return typeof v === "number" ? "numeric" : typeof v;
}

interface Indexed {
  pes: PathElement[];
  /** First item per element (serialized). */
  byKey: Map<string, unknown>;
}

function indexList(t: ListType, list: unknown[], path: Path, strict: boolean): Indexed {
  const pes: PathElement[] = [];
  const byKey = new Map<string, unknown>();
  list.forEach((item, i) => {
    const pe = listItemElement(t, item, i, path, strict);
    const k = serializeElement(pe);
    if (byKey.has(k)) {
      if (strict) throw new TypedError(path, `duplicate entries for key ${pathString([pe]).replace(/^\[|\]$/g, "")}`);
    } else byKey.set(k, item);
    pes.push(pe);
  });
  return { pes, byKey };
}

// ---- field sets ----

/** The set of fields a value sets (ToFieldSet): leaves, list items, map entries, and empty or null fields. */
export function toFieldSet(value: unknown, t: TypeNode, strict = false): FieldSet {
  const out = new FieldSet();
  walkSet(value, t, [], out, strict);
  return out;
}

function walkSet(value: unknown, t0: TypeNode, path: Path, out: FieldSet, strict: boolean): void {
  const t = resolve(t0, value);
  if (t.kind === "scalar" || t.kind === "deduced") {
    out.insert(path);
    return;
  }
  if (t.kind === "list") {
    if (t.listType === "atomic") {
      out.insert(path);
      return;
    }
    if (!Array.isArray(value)) return;
    const { pes } = indexList(t, value, path, strict);
    value.forEach((item, i) => {
      const p = [...path, pes[i]];
      walkSet(item, t.elem, p, out, strict);
      out.insert(p);
    });
    return;
  }
  if (t.atomic) {
    out.insert(path);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const ft = fieldType(t, k);
    if (!ft) continue;
    const p = [...path, field(k)];
    walkSet(v, ft, p, out, strict);
    if (v === null || (isObject(v) && Object.keys(v).length === 0) || !t.fields.has(k)) out.insert(p);
  }
}

/** Adds the declared (struct) fields that lead to members as members themselves (EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(s: FieldSet, t0: TypeNode): FieldSet {
  const out = new FieldSet();
  const walk = (src: FieldSet, t: TypeNode, dst: FieldSet) => {
    for (const [k, pe] of src.members) dst.members.set(k, pe);
    for (const [k, c] of src.children) {
      let ct: TypeNode = { kind: "deduced" };
      if (t.kind === "map" && "field" in c.pe) {
        if (t.fields.has(c.pe.field)) dst.members.set(k, c.pe);
        ct = fieldType(t, c.pe.field) ?? ct;
      } else if (t.kind === "list") ct = t.elem;
      walk(c.set, ct, dst.child(c.pe));
    }
  };
  walk(s, t0, out);
  return out.union(new FieldSet());
}

// ---- comparison ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs` (typed.Compare). */
export function compare(lhs: unknown, rhs: unknown, t: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, t, [], c, true);
  return c;
}

function emptyish(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function leaf(lhs: unknown, rhs: unknown, path: Path, c: Comparison): void {
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

function walkCompare(lhs: unknown, rhs: unknown, t0: TypeNode, path: Path, c: Comparison, root = false): void {
  const t = resolve(t0, lhs, rhs);
  const kindOf = (v: unknown) => (v === undefined || v === null ? "none" : Array.isArray(v) ? "list" : isObject(v) ? "map" : "scalar");
  const lk = kindOf(lhs);
  const rk = kindOf(rhs);
  const shapeMismatch = lk !== "none" && rk !== "none" && lk !== rk;
  if (t.kind === "scalar" || t.kind === "deduced" || shapeMismatch || (t.kind === "list" && (t.listType === "atomic" || (emptyish(lhs) && emptyish(rhs)))) || (t.kind === "map" && (t.atomic || (emptyish(lhs) && emptyish(rhs))))) {
    if (!root) leaf(lhs, rhs, path, c);
    return;
  }
  if (t.kind === "list") {
    const l = Array.isArray(lhs) ? indexList(t, lhs, path, false) : { pes: [], byKey: new Map<string, unknown>() };
    const r = Array.isArray(rhs) ? indexList(t, rhs, path, false) : { pes: [], byKey: new Map<string, unknown>() };
    const seen = new Set<string>();
    for (const pe of [...l.pes, ...r.pes]) {
      const k = serializeElement(pe);
      if (seen.has(k)) continue;
      seen.add(k);
      walkCompare(l.byKey.get(k), r.byKey.get(k), t.elem, [...path, pe], c);
    }
  } else if (t.kind === "map") {
    const lo = isObject(lhs) ? lhs : {};
    const ro = isObject(rhs) ? rhs : {};
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      const ft = fieldType(t, k);
      if (!ft) continue;
      walkCompare(lo[k], ro[k], ft, [...path, field(k)], c);
    }
  }
  if (!root) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ak = Object.keys(a).filter((k) => a[k] !== undefined);
    const bk = Object.keys(b).filter((k) => b[k] !== undefined);
    return ak.length === bk.length && ak.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

// ---- merge ----

/** The live object with the applied configuration merged in (typed.Merge, the configuration winning). */
export function merge(lhs: unknown, rhs: unknown, t: TypeNode): unknown {
  return mergeAt(lhs, rhs, t, []);
}

function mergeAt(lhs: unknown, rhs: unknown, t0: TypeNode, path: Path): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null) return structuredClone(rhs);
  const t = resolve(t0, lhs, rhs);
  if (t.kind === "scalar" || t.kind === "deduced") return structuredClone(rhs);
  if (t.kind === "list") {
    if (t.listType === "atomic" || !Array.isArray(rhs) || !Array.isArray(lhs)) return structuredClone(rhs);
    return mergeList(t, lhs, rhs, path);
  }
  if (t.atomic || !isObject(rhs) || !isObject(lhs)) {
    // null for a map keeps what is there (upstream treats it as empty)
    if (rhs === null && isObject(lhs) && Object.keys(lhs).length) return lhs;
    return structuredClone(rhs);
  }
  const out: Obj = {};
  for (const [k, v] of Object.entries(lhs)) out[k] = v;
  for (const [k, v] of Object.entries(rhs)) {
    const ft = fieldType(t, k);
    if (!ft) continue;
    out[k] = mergeAt(lhs[k], v, ft, [...path, field(k)]);
  }
  return out;
}

/** Associative lists and sets: items matched by key; order as upstream's mergingWalker. */
function mergeList(t: ListType, lhs: unknown[], rhs: unknown[], path: Path): unknown[] {
  const r = indexList(t, rhs, path, true);
  const l = indexList(t, lhs, path, false);
  const rKeys = r.pes.map(serializeElement);
  const lKeys = l.pes.map(serializeElement);
  const shared = rKeys.filter((k) => l.byKey.has(k));
  let sharedAt = 0;
  let nextShared: string | undefined = shared[sharedAt++];
  const merged = new Set<string>();
  const out: unknown[] = [];
  const item = (k: string, pe: PathElement, lItem: unknown, rItem: unknown) => mergeAt(lItem, rItem, t.elem, [...path, pe]);
  let lI = 0;
  let rI = 0;
  while (lI < lhs.length || rI < rhs.length) {
    if (lI < lhs.length && rI < rhs.length) {
      const k = lKeys[lI];
      if (k === rKeys[rI]) {
        merged.add(k);
        out.push(item(k, l.pes[lI], l.byKey.get(k), r.byKey.get(k)));
        lI++;
        rI++;
        nextShared = shared[sharedAt++];
        continue;
      }
      if (r.byKey.has(k) && nextShared !== undefined && nextShared !== k) {
        lI++;
        continue;
      }
    }
    if (lI < lhs.length) {
      const k = lKeys[lI];
      if (!r.byKey.has(k)) {
        out.push(lhs[lI]);
        lI++;
        continue;
      } else if (merged.has(k)) {
        lI++;
        continue;
      }
    }
    if (rI < rhs.length) {
      const k = rKeys[rI];
      merged.add(k);
      out.push(item(k, r.pes[rI], l.byKey.get(k), r.byKey.get(k)));
      rI++;
      if (nextShared === k) nextShared = shared[sharedAt++];
    }
  }
  return out;
}

// ---- removal ----

/** `value` without the paths of `set` (and what lies under them). */
export function removeItems(value: unknown, set: FieldSet, t0: TypeNode): unknown {
  if (set.empty()) return value;
  const t = resolve(t0, value);
  if (t.kind === "list") {
    if (t.listType === "atomic" || !Array.isArray(value)) return value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const pe = listItemElement(t, item, i, [], false);
      if (set.hasMember(pe)) return;
      const sub = set.withPrefix(pe);
      out.push(sub.empty() ? item : removeItems(item, sub, t.elem));
    });
    return out;
  }
  if (t.kind === "map") {
    if (t.atomic || !isObject(value)) return value;
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = field(k);
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const ft = fieldType(t, k);
      out[k] = sub.empty() || !ft ? v : removeItems(v, sub, ft);
    }
    return out;
  }
  return value;
}

// ---- applied configurations ----

/**
 * Checks an applied configuration against the schema: list keys present and unique (errors
 * thrown), fields the schema does not know dropped (field validation reports them).
 */
export function cleanConfig(value: unknown, t0: TypeNode, path: Path = []): unknown {
  const t = resolve(t0, value);
  if (value === null || value === undefined) return value;
  if (t.kind === "list") {
    if (!Array.isArray(value)) throw new TypedError(path, `expected list, got ${describe(value)}`);
    if (t.listType !== "atomic") indexList(t, value, path, true);
    return value.map((item, i) => cleanConfig(item, t.elem, [...path, index(i)]));
  }
  if (t.kind === "map") {
    if (!isObject(value)) throw new TypedError(path, `expected map, got ${describe(value)}`);
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const ft = fieldType(t, k);
      if (!ft) continue;
      out[k] = cleanConfig(v, ft, [...path, field(k)]);
    }
    return out;
  }
  return value;
}
