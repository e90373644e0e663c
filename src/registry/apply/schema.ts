// The structural schema server-side apply merges with (structured-merge-diff's schema.Schema),
// derived from a kind's zod schema and its patch metadata:
//   - z.object → a struct: its declared fields, plus free-form keys when it is loose;
//   - z.record → a map, merged key by key;
//   - lists with a patch merge key → associative lists (x-kubernetes-list-type: map) keyed by it
//     (container ports and service ports by port and protocol, as upstream's list-map-keys);
//     lists with patch strategy "merge" and no key → sets of scalars; every other list → atomic;
//   - free-form content (loose objects, unknowns) → "deduced": maps are granular, lists atomic.
import type { z } from "zod";
import { mergeKeys } from "../../api/patch/patch-meta.js";
import type { KindDef } from "../../apis/types.js";
import type { Json } from "./fieldpath.js";

export type TypeNode =
  | { readonly kind: "scalar" }
  | { readonly kind: "deduced" }
  | {
      readonly kind: "map";
      /** Declared fields (a struct); their types. */
      readonly fields: ReadonlyMap<string, TypeNode>;
      /** The type of keys that are not declared fields; undefined when a struct declares them all. */
      readonly elem?: TypeNode;
      readonly atomic?: boolean;
    }
  | {
      readonly kind: "list";
      readonly elem: TypeNode;
      /** "map": associative by `keys`; "set": scalars by value; "atomic": replaced whole. */
      readonly listType: "atomic" | "set" | "map";
      readonly keys?: readonly string[];
    };

export const SCALAR: TypeNode = { kind: "scalar" };
export const DEDUCED: TypeNode = { kind: "deduced" };

/** Values list-map key fields take when an item leaves them out (OpenAPI defaults upstream). */
export const KEY_DEFAULTS: Readonly<Record<string, Json>> = { protocol: "TCP" };

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "nonoptional", "catch"]);

function peel(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let n = 0; n < 64; n++) {
    const d = defOf(cur);
    if (WRAPPERS.has(d.type)) cur = d.innerType as z.ZodType;
    else if (d.type === "pipe") cur = d.in as z.ZodType;
    else if (d.type === "lazy") cur = (d.getter as () => z.ZodType)();
    else return cur;
  }
  return cur;
}

interface ListMeta {
  strategy: string;
  mergeKey?: string;
}

/** Builds the type of one zod schema at a dotted path (list indices left out, as patch-meta's paths). */
function build(s: z.ZodType, path: string, lists: Map<string, ListMeta>, depth: number): TypeNode {
  if (depth > 40) return DEDUCED;
  const d = defOf(peel(s));
  switch (d.type) {
    case "object": {
      const shape = d.shape as Record<string, z.ZodType>;
      const fields = new Map<string, TypeNode>();
      for (const [k, v] of Object.entries(shape)) fields.set(k, build(v, path ? `${path}.${k}` : k, lists, depth + 1));
      const loose = d.catchall !== undefined && defOf(d.catchall as z.ZodType).type !== "never";
      return { kind: "map", fields, elem: loose ? DEDUCED : undefined };
    }
    case "record":
      return { kind: "map", fields: new Map(), elem: build(d.valueType as z.ZodType, path, lists, depth + 1) };
    case "array": {
      const elem = build(d.element as z.ZodType, path, lists, depth + 1);
      const meta = lists.get(path);
      if (meta?.mergeKey && elem.kind === "map") {
        const keys = meta.mergeKey === "containerPort" ? ["containerPort", "protocol"] : path === "spec.ports" && meta.mergeKey === "port" ? ["port", "protocol"] : [meta.mergeKey];
        return { kind: "list", elem, listType: "map", keys };
      }
      if (meta && !meta.mergeKey && meta.strategy.split(",").includes("merge") && elem.kind === "scalar") return { kind: "list", elem, listType: "set" };
      return { kind: "list", elem, listType: "atomic" };
    }
    case "union": {
      const opts = (d.options as z.ZodType[]).map((o) => build(o, path, lists, depth + 1));
      return opts.every((o) => o.kind === "scalar") ? SCALAR : DEDUCED;
    }
    case "string":
    case "number":
    case "int":
    case "boolean":
    case "bigint":
    case "enum":
    case "literal":
    case "null":
    case "date":
    case "template_literal":
      return SCALAR;
    default:
      return DEDUCED;
  }
}

const cache = new WeakMap<KindDef, TypeNode>();

/** The apply schema of a kind's objects (cached). apiVersion and kind are declared at the root. */
export function typeOf(def: KindDef): TypeNode {
  let t = cache.get(def);
  if (!t) {
    const lists = new Map<string, ListMeta>(mergeKeys(def.group, def.kind).map((e) => [e.path, { strategy: e.strategy, mergeKey: e.mergeKey }]));
    const root = build(def.schema, "", lists, 0);
    if (root.kind === "map") {
      const fields = new Map(root.fields);
      if (!fields.has("apiVersion")) fields.set("apiVersion", SCALAR);
      if (!fields.has("kind")) fields.set("kind", SCALAR);
      t = { ...root, fields };
    } else t = root;
    cache.set(def, t);
  }
  return t;
}

/** The type of key `k` of a map type; undefined when the map neither declares nor allows it. */
export function fieldType(t: TypeNode & { kind: "map" }, k: string): TypeNode | undefined {
  return t.fields.get(k) ?? t.elem;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a (possibly deduced) type is for a value: deduced objects are granular maps, deduced lists atomic. */
export function resolve(t: TypeNode, ...values: unknown[]): TypeNode {
  if (t.kind !== "deduced") return t;
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length && present.every(isObject)) return DEDUCED_MAP;
  if (present.some(Array.isArray)) return DEDUCED_LIST;
  return SCALAR;
}

const DEDUCED_MAP: TypeNode = { kind: "map", fields: new Map(), elem: DEDUCED };
const DEDUCED_LIST: TypeNode = { kind: "list", elem: DEDUCED, listType: "atomic" };
