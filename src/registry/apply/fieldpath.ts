// Field paths and sets of them, as sigs.k8s.io/structured-merge-diff/fieldpath: the vocabulary of
// managedFields. A path is a list of elements, each one of
//   f:<name>          a field of a struct or a key of a map           .spec
//   k:{"name":"x"}    an item of an associative list, by its keys      [name="x"]
//   v:<json>          an item of a set (list of scalars), by value     [="x"]
//   i:<n>             an item of any other list, by position           [0]
// A Set is a tree: the paths it holds ("members") at each level, and children per element.
// FieldsV1 is the JSON form of a Set: each element a key, `{}` for a member without children,
// "." inside an element's object when the element is both a member and has children.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, Json]> }
  | { readonly value: Json }
  | { readonly index: number };

export type Path = readonly PathElement[];

export const field = (name: string): PathElement => ({ field: name });
export const index = (i: number): PathElement => ({ index: i });
export const valueElement = (v: Json): PathElement => ({ value: v });
/** An associative-list key, its fields sorted by name (as upstream's KeyByFields). */
export function keyElement(fields: Iterable<readonly [string, Json]>): PathElement {
  return { key: [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
}

/** Go's json of a value: keys in sorted order (map keys are sorted by encoding/json). */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`. */
export function serializeElement(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) return `k:{${pe.key.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  if ("value" in pe) return `v:${canonicalJson(pe.value)}`;
  return `i:${pe.index}`;
}

export class FieldPathError extends Error {}

export function parseElement(s: string): PathElement {
  const tag = s.slice(0, 2);
  const rest = s.slice(2);
  try {
    switch (tag) {
      case "f:":
        return field(rest);
      case "k:": {
        const obj = JSON.parse(rest) as unknown;
        if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new FieldPathError(`expected key value pairs: ${s}`);
        return keyElement(Object.entries(obj as Record<string, Json>));
      }
      case "v:":
        return valueElement(JSON.parse(rest) as Json);
      case "i:": {
        if (!/^-?\d+$/.test(rest)) throw new FieldPathError(`invalid index: ${s}`);
        return index(Number(rest));
      }
    }
  } catch (e) {
    if (e instanceof FieldPathError) throw e;
    throw new FieldPathError(`invalid path element ${JSON.stringify(s)}: ${(e as Error).message}`);
  }
  throw new FieldPathError(`unknown path element type: ${JSON.stringify(s)}`);
}

/** value.ToString: how a value prints inside a path (`"x"` quoted, numbers bare). */
function valueToString(v: Json): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(",")}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${k}=${valueToString(v[k])}`)
    .join(",")}}`;
}

/** PathElement.String(): `.name`, `[name="x",protocol="TCP"]`, `[="x"]`, `[0]`. */
export function elementString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueToString(v)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String(): `.spec.template.spec.containers[name="nginx"].image`. */
export const pathString = (p: Path): string => p.map(elementString).join("");

// ---- ordering (upstream's PathElement.Compare, value.Compare) ----

function typeRank(v: Json): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === "object") return 4;
  return 5; // null sorts last
}

const cmp = <T extends string | number | boolean>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareValues(a: Json, b: Json): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" || typeof a === "string" || typeof a === "boolean") return cmp(a, b as typeof a);
  if (Array.isArray(a)) {
    const bl = b as Json[];
    for (let i = 0; i < Math.min(a.length, bl.length); i++) {
      const c = compareValues(a[i], bl[i]);
      if (c) return c;
    }
    return a.length - bl.length;
  }
  if (a !== null && typeof a === "object") {
    const bo = b as Record<string, Json>;
    const ak = Object.keys(a).sort();
    const bk = Object.keys(bo).sort();
    for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
      const c = cmp(ak[i], bk[i]) || compareValues(a[ak[i]], bo[bk[i]]);
      if (c) return c;
    }
    return ak.length - bk.length;
  }
  return 0;
}

function elementRank(pe: PathElement): number {
  return "field" in pe ? 0 : "key" in pe ? 1 : "value" in pe ? 2 : 3;
}

export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  if ("field" in a) return cmp(a.field, (b as { field: string }).field);
  if ("key" in a) {
    const bk = (b as { key: ReadonlyArray<readonly [string, Json]> }).key;
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= bk.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= bk.length) return 1;
      const c = cmp(a.key[i][0], bk[i][0]) || compareValues(a.key[i][1], bk[i][1]);
      if (c) return c;
    }
  }
  if ("value" in a) return compareValues(a.value, (b as { value: Json }).value);
  return a.index - (b as { index: number }).index;
}

// ---- sets ----

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of paths (upstream's fieldpath.Set). Elements are identified by their serialized form. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): this {
    if (path.length === 0) return this;
    let cur: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) cur = cur.child(path[i]);
    const last = path[path.length - 1];
    cur.members.set(serializeElement(last), last);
    return this;
  }

  /** The child set under `pe`, created when missing. */
  child(pe: PathElement): FieldSet {
    const k = serializeElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  /** The paths under `pe`, without the prefix (upstream's WithPrefix); empty when none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializeElement(pe))?.set ?? EMPTY;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializeElement(pe));
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let cur: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && cur; i++) cur = cur.children.get(serializeElement(path[i]))?.set;
    return !!cur && cur.members.has(serializeElement(path[path.length - 1]));
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  clone(): FieldSet {
    return this.union(EMPTY);
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.union(o.set) : c.set.union(EMPTY) });
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.children.set(k, { pe: c.pe, set: c.set.union(EMPTY) });
    return out.pruned();
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o) out.children.set(k, { pe: c.pe, set: c.set.intersection(o.set) });
    }
    return out.pruned();
  }

  /** Paths of this set not in `other` (exact paths: a member of `other` does not remove its subtree here). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.difference(o.set) : c.set.union(EMPTY) });
    }
    return out.pruned();
  }

  /** Paths of this set that are neither in `other` nor under one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      out.children.set(k, { pe: c.pe, set: o ? c.set.recursiveDifference(o.set) : c.set.union(EMPTY) });
    }
    return out.pruned();
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** Drops empty children. */
  private pruned(): this {
    for (const [k, c] of this.children) if (c.set.empty()) this.children.delete(k);
    return this;
  }

  /** Every path, members of a level before its children, each level in upstream's order. */
  *paths(prefix: Path = []): Generator<Path> {
    for (const pe of sortedElements(this.members.values())) yield [...prefix, pe];
    for (const c of sortedChildren(this.children.values())) yield* c.set.paths([...prefix, c.pe]);
  }

  /** The FieldsV1 JSON object. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.size || this.children.size)) out["."] = {};
    const entries: Array<{ pe: PathElement; key: string; child?: FieldSet; member: boolean }> = [];
    for (const [k, pe] of this.members) entries.push({ pe, key: k, member: true, child: this.children.get(k)?.set });
    for (const [k, c] of this.children) if (!this.members.has(k)) entries.push({ pe: c.pe, key: k, member: false, child: c.set });
    entries.sort((a, b) => compareElements(a.pe, b.pe));
    for (const e of entries) out[e.key] = e.child && !e.child.empty() ? e.child.emit(e.member) : {};
    return out;
  }

  static fromFieldsV1(json: unknown): FieldSet {
    const s = new FieldSet();
    readInto(s, json);
    return s.pruned();
  }

  toString(): string {
    return [...this.paths()].map(pathString).join("\n");
  }
}

const EMPTY = new FieldSet();

function readInto(s: FieldSet, json: unknown): void {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new FieldPathError("expected an object");
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (k === ".") continue; // the parent is a member: handled by the caller
    const pe = parseElement(k);
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new FieldPathError(`expected an object for ${k}`);
    const body = v as Record<string, unknown>;
    const keys = Object.keys(body);
    if (keys.length === 0 || "." in body) s.members.set(serializeElement(pe), pe);
    if (keys.some((x) => x !== ".")) readInto(s.child(pe), body);
  }
}

function sortedElements(it: Iterable<PathElement>): PathElement[] {
  return [...it].sort(compareElements);
}

function sortedChildren(it: Iterable<Child>): Child[] {
  return [...it].sort((a, b) => compareElements(a.pe, b.pe));
}
