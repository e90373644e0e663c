// Small helpers over decoded JSON values shared by the three patch algorithms: they copy
// instead of mutating, and write keys such as "__proto__" as own properties, never prototypes.

export type JsonObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function hasOwn(o: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

export function getOwn(o: JsonObject, k: string): unknown {
  return hasOwn(o, k) ? o[k] : undefined;
}

/** Sets an own enumerable property, even for "__proto__". */
export function setOwn(o: JsonObject, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * A deep copy. Iterative: a JSON patch can nest a document thousands of levels deep with a few
 * small operations (add a map, move the old one into it), and copying it must not overflow the
 * stack; decoding the result refuses it afterwards (src/apis/decode.ts).
 */
export function deepClone<T>(v: T): T {
  if (!Array.isArray(v) && !isPlainObject(v)) return v;
  const empty = (x: unknown[] | JsonObject) => (Array.isArray(x) ? new Array<unknown>(x.length) : {});
  const root = empty(v);
  const stack: Array<[from: unknown[] | JsonObject, to: unknown[] | JsonObject]> = [[v, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    const keys = Array.isArray(from) ? from.keys() : Object.keys(from);
    for (const k of keys) {
      const x = (from as JsonObject)[k as string];
      let out = x;
      if (Array.isArray(x) || isPlainObject(x)) {
        out = empty(x);
        stack.push([x, out as unknown[] | JsonObject]);
      }
      if (Array.isArray(to)) to[k as number] = out;
      else setOwn(to, k as string, out);
    }
  }
  return root as T;
}

/**
 * The size in bytes of `v` written as compact JSON (what evanphx/json-patch counts against its
 * copy limit). Iterative, for the reason deepClone is.
 */
export function jsonByteSize(v: unknown): number {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      size += 2 + Math.max(0, x.length - 1); // brackets and commas
      for (const e of x) stack.push(e);
    } else if (isPlainObject(x)) {
      const keys = Object.keys(x);
      size += 2 + Math.max(0, keys.length - 1) + keys.length; // braces, commas and colons
      for (const k of keys) {
        size += utf8Length(JSON.stringify(k));
        stack.push(x[k]);
      }
    } else {
      size += typeof x === "string" ? utf8Length(JSON.stringify(x)) : (JSON.stringify(x) ?? "null").length;
    }
  }
  return size;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** JSON equality: objects compare as unordered maps, arrays in order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Renders a value the way Go's %v prints a decoded JSON value, for upstream-shaped messages. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(" ")}]`;
  }
  return String(v);
}

/** Go's reflect type name of a decoded JSON value, as upstream's ErrBadArgType prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  if (isPlainObject(v)) return "map[string]interface {}";
  if (typeof v === "number") return "float64";
  return typeof v;
}
