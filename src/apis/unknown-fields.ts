// Fields a request carries that the kind's schema does not know, found by walking the raw body
// along the zod schema: what kube-apiserver's field validation (Strict / Warn / Ignore) reports,
// as paths like `spec.containers[0].imagee`.
import type { z } from "zod";

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "nonoptional", "catch"]);

function peel(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (WRAPPERS.has(d.type)) cur = d.innerType as z.ZodType;
    else if (d.type === "pipe") cur = d.in as z.ZodType;
    else if (d.type === "lazy") cur = (d.getter as () => z.ZodType)();
    else return cur;
  }
}

/** Every unknown field of `raw` under `schema`, in document order. */
export function unknownFields(schema: z.ZodType, raw: unknown): string[] {
  const out: string[] = [];
  visit(schema, raw, "", out);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function visit(schema: z.ZodType, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const s = peel(schema);
  const d = defOf(s);
  switch (d.type) {
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return;
      // A schema that keeps unknown keys (loose/catchall) declares free-form content.
      if (d.catchall !== undefined && defOf(d.catchall as z.ZodType).type !== "never") return;
      const shape = d.shape as Record<string, z.ZodType>;
      for (const [k, v] of Object.entries(value)) {
        if (k === "apiVersion" || k === "kind") {
          if (!path) continue;
        }
        // Own keys only: `toString`, `constructor` or `__proto__` in a body are unknown fields.
        const field = Object.prototype.hasOwnProperty.call(shape, k) ? shape[k] : undefined;
        if (!field) out.push(join(path, k));
        else visit(field, v, join(path, k), out);
      }
      return;
    }
    case "array":
      if (!Array.isArray(value)) return;
      value.forEach((v, i) => visit(d.element as z.ZodType, v, `${path}[${i}]`, out));
      return;
    case "record":
      if (typeof value !== "object" || Array.isArray(value)) return;
      for (const [k, v] of Object.entries(value)) visit(d.valueType as z.ZodType, v, `${path}[${k}]`, out);
      return;
    case "union": {
      // IntOrString and friends: follow the first option that has the value's shape.
      for (const opt of d.options as z.ZodType[]) {
        const o = defOf(peel(opt)).type;
        if ((o === "object" && typeof value === "object" && !Array.isArray(value)) || (o === "array" && Array.isArray(value))) {
          visit(opt, value, path, out);
          return;
        }
      }
      return;
    }
    default:
      return;
  }
}

/** Keys that appear twice in one JSON object of the text, as paths (`metadata.name`). */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        const p = join(path, key);
        if (seen.has(key)) out.push(p);
        seen.add(key);
        ws();
        i++; // ':'
        value(p);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        i++; // '}'
        return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        i++; // ']'
        return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    while (i < text.length && !",}] \t\r\n".includes(text[i])) i++;
  };
  try {
    value("");
  } catch {
    return out;
  }
  return out;
}
