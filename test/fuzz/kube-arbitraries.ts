// fast-check generators for Kubernetes request bodies, shared by the property tests of the
// decoders (node) and of the whole API (workers): objects generated from a kind's own zod schema
// (through its JSON Schema, so the generator follows the schema as it changes), valid objects
// mutated at random paths, and JSON with the keys that trip up JavaScript ("__proto__"…).
import fc from "fast-check";
import { z } from "zod";
import type { KindDef } from "../../src/apis/types.js";

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
};

/** Keys JavaScript treats specially, and keys of the patch formats. */
export const trickyKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "$patch", "$retainKeys", "", "a.b", "x/y", "~0"] as const;

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, -1, 3, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308),
  fc.double(),
  fc.constantFrom("", "a", "1", "100m", "nginx:1.27", "Always", "true", "null", "\u0000", "\ud800", "é", "k".repeat(300)),
  fc.string({ maxLength: 8 }),
);

/** Any JSON value (as JSON.parse builds it: "__proto__" is an own key), of bounded size. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    scalar,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...trickyKeys), fc.string({ maxLength: 6 })), tie("v")), { maxLength: 4 }).map((e) => Object.fromEntries(e)),
  ),
})).v;

/** JSON nested `depth` levels: arrays, objects, or both alternating. */
export const nested = (depth: number, style: "array" | "object" | "mixed", leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = style === "array" || (style === "mixed" && i % 2) ? [v] : { a: v };
  return v;
};

// ---------------------------------------------------------------------------------------------
// Schema-guided generation

const dnsName = fc.constantFrom("a", "web", "x-1", "db-0", "nginx", "c");
const badName = fc.constantFrom("", "Web", "a_b", "-a", "a.", "x".repeat(64), "a/b", "..", "%");
const labelKey = fc.constantFrom("app", "tier", "example.com/role", "a", "Bad Key", "-x", "k8s.io/", "x".repeat(64));
const labelValue = fc.constantFrom("web", "", "v1", "a.b_c-d", "-bad", "x".repeat(64));

/** Strings by the property they fill, so that generated objects are often nearly valid. */
function stringFor(prop: string): fc.Arbitrary<string> {
  const anything = fc.oneof(fc.constantFrom("", "a", "x-1", "Always", "TCP", "100m", "1Gi", "80", "http", "25%", "IfNotPresent", "Never", "RollingUpdate", "Recreate"), fc.string({ maxLength: 6 }));
  const pick = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: anything });
  switch (prop) {
    case "name":
    case "generateName":
    case "serviceAccountName":
    case "nodeName":
    case "hostname":
    case "subdomain":
      return pick(fc.oneof({ weight: 5, arbitrary: dnsName }, { weight: 1, arbitrary: badName }));
    case "image":
      return pick(fc.constantFrom("nginx:1.27", "busybox", "registry.example.com:5000/app@sha256:abcd", " "));
    case "apiVersion":
    case "kind":
    case "namespace":
    case "uid":
    case "resourceVersion":
    case "creationTimestamp":
    case "deletionTimestamp":
    case "selfLink":
      // Mostly left alone: the server owns or checks these; sometimes junk, to see it refused.
      return fc.constantFrom("", "junk", "v1", "2024-01-01T00:00:00Z");
    case "imagePullPolicy":
      return pick(fc.constantFrom("Always", "IfNotPresent", "Never", "Sometimes"));
    case "restartPolicy":
      return pick(fc.constantFrom("Always", "OnFailure", "Never"));
    case "protocol":
      return pick(fc.constantFrom("TCP", "UDP", "SCTP", "HTTP"));
    case "type":
      return pick(fc.constantFrom("RollingUpdate", "Recreate", "Opaque"));
    case "operator":
      return pick(fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist", "Equal", "Gt"));
    case "key":
      return pick(labelKey);
    case "cpu":
    case "memory":
    case "sizeLimit":
      return pick(fc.constantFrom("100m", "1", "1Gi", "0.5", "1e3", "-1", "lots"));
    case "maxSurge":
    case "maxUnavailable":
      return pick(fc.constantFrom("25%", "0%", "100%", "150%", "x%", "1"));
    default:
      return anything;
  }
}

const intValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 3, 80, 8080) }, { weight: 1, arbitrary: fc.constantFrom(-1, 65536, 2 ** 31, 1.5) }, { weight: 1, arbitrary: fc.integer() });

/** The properties generated objects usually carry, so that many get past "Required value". */
const usual = new Set(["metadata", "name", "spec", "containers", "image", "selector", "matchLabels", "template", "labels", "data"]);

export interface SchemaArbitraryOptions {
  /** Most optional properties an object gets (beyond the usual ones). */
  maxProps?: number;
  maxDepth?: number;
}

/** Values of a JSON Schema (as z.toJSONSchema writes it), leaning towards plausible ones. */
export function fromJsonSchema(schema: JsonSchema, opts: SchemaArbitraryOptions = {}, prop = "", depth = 0): fc.Arbitrary<unknown> {
  const maxDepth = opts.maxDepth ?? 8;
  const maxProps = opts.maxProps ?? 3;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => fromJsonSchema(s, opts, prop, depth)));
  if (depth >= maxDepth && (schema.type === "object" || schema.type === "array")) return fc.constant(schema.type === "array" ? [] : {});
  switch (schema.type) {
    case "string":
      return prop === "labels" || prop === "matchLabels" || prop === "annotations" ? labelValue : stringFor(prop);
    case "integer":
      // Out-of-range values on purpose too: they must come back as 400 or 422.
      return intValue;
    case "number":
      return fc.oneof(intValue, fc.double({ noNaN: true }));
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(schema.items ? fromJsonSchema(schema.items, opts, prop, depth + 1) : anyJson, { maxLength: prop === "containers" ? 2 : 3 });
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) {
        const ap = schema.additionalProperties;
        if (ap && typeof ap === "object" && Object.keys(ap).length > 0) {
          const keyArb = prop === "labels" || prop === "matchLabels" || prop === "annotations" ? labelKey : fc.constantFrom("k", "key.txt", "a-b", "bad key", "x");
          return fc.dictionary(keyArb, fromJsonSchema(ap, opts, prop, depth + 1), { maxKeys: 3 });
        }
        return ap === false ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 });
      }
      const always = props.filter(([k]) => usual.has(k)).map(([k]) => k);
      const rest = props.filter(([k]) => !usual.has(k)).map(([k]) => k);
      return fc
        .tuple(fc.subarray(always, { minLength: Math.max(0, always.length - 1) }), fc.subarray(rest, { maxLength: Math.min(maxProps, rest.length) }))
        .chain(([a, b]) => {
          const chosen = [...a, ...b];
          if (chosen.length === 0) return fc.constant({});
          return fc
            .tuple(...chosen.map((k) => fromJsonSchema(schema.properties![k], opts, k, depth + 1)))
            .map((values) => Object.fromEntries(chosen.map((k, i) => [k, values[i]])));
        });
    }
    default:
      return anyJson;
  }
}

const schemaCache = new WeakMap<object, JsonSchema>();
export function jsonSchemaOf(def: KindDef): JsonSchema {
  let s = schemaCache.get(def);
  if (!s) {
    s = z.toJSONSchema(def.schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    schemaCache.set(def, s);
  }
  return s;
}

/** Objects of `def`'s shape, generated from its schema. */
export function schemaObject(def: KindDef, opts?: SchemaArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  return fromJsonSchema(jsonSchemaOf(def), opts) as fc.Arbitrary<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid objects

type Path = (string | number)[];

/** Every path into `v` (the root included). */
export function allPaths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...prefix, i])));
  else if (v && typeof v === "object") for (const k of Object.keys(v)) out.push(...allPaths((v as Record<string, unknown>)[k], [...prefix, k]));
  return out;
}

function setAt(root: unknown, path: Path, f: (old: unknown) => unknown | typeof DELETE): unknown {
  if (path.length === 0) {
    const r = f(root);
    return r === DELETE ? {} : r;
  }
  const [head, ...rest] = path;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  if (rest.length === 0) {
    const r = f(copy[head]);
    if (r === DELETE) {
      if (Array.isArray(copy)) copy.splice(head as number, 1);
      else delete copy[head];
    } else if (head === "__proto__") Object.defineProperty(copy, head, { value: r, enumerable: true, writable: true, configurable: true });
    else copy[head] = r;
  } else copy[head] = setAt(copy[head], rest, f);
  return copy;
}
const DELETE = Symbol("delete");

/** One edit: what a careless client or a hostile one might do to a field. */
const edit = fc.oneof(
  fc.constant((_: unknown) => DELETE as unknown),
  fc.constant((_: unknown) => null),
  anyJson.map((j) => (_: unknown) => j),
  fc.constant((old: unknown) => (typeof old === "number" ? String(old) : typeof old === "string" ? (Number.isNaN(Number(old)) ? 7 : Number(old)) : old === undefined ? "x" : [old])),
  fc.constant((old: unknown) => (Array.isArray(old) ? [...old, ...old] : old)),
  fc.constant((old: unknown) => (typeof old === "string" ? old + old.toUpperCase() + "_" : old)),
  fc.constantFrom(...trickyKeys).chain((k) => anyJson.map((j) => (old: unknown) => (old && typeof old === "object" && !Array.isArray(old) ? Object.fromEntries([...Object.entries(old), [k, j]]) : old))),
  fc.constantFrom(50, 99, 150).chain((d) => fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed").map((s) => (_: unknown) => nested(d, s))),
);

/** `base` with one to three random edits at random paths. */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const paths = allPaths(base).filter((p) => p.length > 0);
  return fc.array(fc.tuple(fc.constantFrom(...paths), edit), { minLength: 1, maxLength: 3 }).map((edits) => {
    let out: unknown = base;
    for (const [p, f] of edits) out = setAt(out, p, f);
    return out as Record<string, unknown>;
  });
}

// ---------------------------------------------------------------------------------------------
// Valid objects to start from

export const validConfigMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { app: "web" } }, data: { k: "v", "key.txt": "x" } });
export const validPod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "nginx:1.27", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }], resources: { limits: { cpu: "100m" } } }] },
});
export const validDeployment = (name: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, labels: { app: "web" } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.27", env: [{ name: "A", value: "1" }] }] } },
  },
});
