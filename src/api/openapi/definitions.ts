// The OpenAPI schema definitions of every served kind, generated from its zod schema: one named
// definition per Go type upstream names (io.k8s.api.core.v1.PodSpec, ...meta.v1.ObjectMeta),
// with the zod `.describe()` texts, zod defaults, required fields and the x-kubernetes-patch-*
// extensions from patch-meta.ts. Built once in the OpenAPI v3 flavour (allOf-wrapped $refs into
// #/components/schemas/); `toV2Schema` rewrites a schema for Swagger 2.0.
import type { z } from "zod";
import * as meta from "../../apis/meta.js";
import { goTypes } from "../../apis/meta.js";
import * as coreConfigMap from "../../apis/core/v1/configmap.js";
import * as coreEndpoints from "../../apis/core/v1/endpoints.js";
import * as coreEvent from "../../apis/core/v1/event.js";
import * as coreNamespace from "../../apis/core/v1/namespace.js";
import * as coreNode from "../../apis/core/v1/node.js";
import * as corePod from "../../apis/core/v1/pod.js";
import * as corePodSpec from "../../apis/core/v1/podspec.js";
import * as coreSecret from "../../apis/core/v1/secret.js";
import * as coreService from "../../apis/core/v1/service.js";
import * as coreServiceAccount from "../../apis/core/v1/serviceaccount.js";
import type { KindDef } from "../../apis/types.js";
import { type MergeKeyEntry, mergeKeys } from "../patch/patch-meta.js";
import { META, REF_V3, STATIC_DEFS, metaRef } from "./static.js";

export type Json = Record<string, unknown>;

const CORE = "io.k8s.api.core.v1";

/** The Go package prefix of a served group-version: "" → io.k8s.api.core.v1, events.k8s.io → io.k8s.api.events.v1. */
export function packageOf(group: string, version: string): string {
  const short = group === "" ? "core" : group.split(".")[0];
  return `io.k8s.api.${short}.${version}`;
}

/** The definition name of a kind: io.k8s.api.apps.v1.Deployment. */
export const kindDefName = (k: Pick<KindDef, "group" | "version" | "kind">): string => `${packageOf(k.group, k.version)}.${k.kind}`;

// ---- naming registry ------------------------------------------------------------------------

/** Go type aliases that are not definitions of their own: rendered inline. */
const INLINE_ALIASES: Record<string, () => Json> = {
  int64: () => ({ type: "integer", format: "int64" }),
  "map[string]string": () => ({ type: "object", additionalProperties: { type: "string", default: "" } }),
  "map[string][]uint8": () => ({ type: "object", additionalProperties: { type: "string", format: "byte" } }),
  "v1.ResourceList": () => ({ type: "object", additionalProperties: { $ref: REF_V3 + "io.k8s.apimachinery.pkg.api.resource.Quantity" } }),
};

/** Go type names tagged in src/apis that map to a fixed upstream definition (hand-written in static.ts). */
const FIXED_NAMES: Record<string, string> = {
  "resource.Quantity": "io.k8s.apimachinery.pkg.api.resource.Quantity",
  "intstr.IntOrString": "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  "v1.Time": `${META}.Time`,
  "v1.MicroTime": `${META}.MicroTime`,
};

/** meta.ts holds two corev1 types next to the metav1 ones. */
const META_TS_CORE_TYPES = new Set(["ObjectReference", "LocalObjectReference"]);

const isZod = (v: unknown): v is z.ZodType => !!v && typeof v === "object" && "_zod" in (v as object);
const zdef = (s: z.ZodType): Record<string, any> => (s as any)._zod.def;

/** The registered instance a schema was cloned from (`.describe()` clones and keeps a parent link). */
function canonical(s: z.ZodType): z.ZodType {
  let n: any = s;
  while (n && !goTypes.has(n) && n._zod.parent) n = n._zod.parent;
  return goTypes.has(n) ? n : s;
}
const goTypeOf = (s: z.ZodType): string | undefined => goTypes.get(s)?.goType;

/**
 * Known packages of named schemas: every exported, goType-tagged schema of a module under
 * src/apis belongs to that module's group-version. Types reached only through other types take
 * the package of the nearest named type that holds them (see `nameFor`).
 */
const seededPackage = new Map<z.ZodType, string>();
function seed(mod: Record<string, unknown>, pkg: string | ((goType: string) => string)) {
  for (const v of Object.values(mod)) {
    if (!isZod(v) || !goTypes.has(v)) continue;
    const t = goTypeOf(v)!;
    if (t in INLINE_ALIASES || t in FIXED_NAMES) continue;
    seededPackage.set(v, typeof pkg === "string" ? pkg : pkg(t));
  }
}
seed(meta, (t) => (META_TS_CORE_TYPES.has(t) ? CORE : META));
for (const m of [coreConfigMap, coreEndpoints, coreEvent, coreNamespace, coreNode, corePod, corePodSpec, coreSecret, coreService, coreServiceAccount]) seed(m, CORE);

/**
 * The definition name of a named schema reached inside `parentDef`. metav1's generic Condition
 * is used by every status in src/apis; upstream names it per status type (PodStatus.conditions
 * → PodCondition) except ServiceStatus, which uses metav1.Condition.
 */
function nameFor(s: z.ZodType, goType: string, parentDef: string | undefined): string {
  const parentPkg = parentDef ? parentDef.slice(0, parentDef.lastIndexOf(".")) : CORE;
  const parentType = parentDef ? parentDef.slice(parentDef.lastIndexOf(".") + 1) : "";
  if (s === meta.ConditionSchema) {
    if (parentType.endsWith("Status") && parentType !== "ServiceStatus") return `${parentPkg}.${parentType.slice(0, -"Status".length)}Condition`;
    return `${META}.Condition`;
  }
  return `${seededPackage.get(s) ?? parentPkg}.${goType}`;
}

// ---- required fields ------------------------------------------------------------------------

/**
 * Upstream marks a field required when its Go field has no omitempty and no +optional. src/apis
 * spells exactly those fields as `.default(<Go zero value>)`; these tables correct the rule
 * where a zero default is a defaulted optional field, and add the fields upstream requires that
 * the zod schemas leave optional (validate() reports them missing).
 */
const REQUIRED_EXTRA: Record<string, string[]> = {
  [`${CORE}.PodSpec`]: ["containers"],
  [`${CORE}.ContainerPort`]: ["containerPort"],
  [`${CORE}.Event`]: ["metadata", "involvedObject"],
  [`${CORE}.Taint`]: ["key", "effect"],
  "io.k8s.api.apps.v1.DeploymentSpec": ["selector", "template"],
  "io.k8s.api.apps.v1.ReplicaSetSpec": ["selector"],
  "io.k8s.api.apps.v1.StatefulSetSpec": ["selector", "template"],
  "io.k8s.api.apps.v1.DaemonSetSpec": ["selector", "template"],
  "io.k8s.api.batch.v1.JobSpec": ["template"],
  "io.k8s.api.batch.v1.CronJobSpec": ["schedule", "jobTemplate"],
  "io.k8s.api.events.v1.Event": ["eventTime"],
  "io.k8s.api.rbac.v1.PolicyRule": ["verbs"],
  "io.k8s.api.rbac.v1.RoleBinding": ["roleRef"],
  "io.k8s.api.rbac.v1.ClusterRoleBinding": ["roleRef"],
};
const NOT_REQUIRED: Record<string, string[]> = {
  [`${CORE}.HostPathVolumeSource`]: ["type"],
  "io.k8s.api.batch.v1.CronJobSpec": ["suspend"],
};
const isGoZero = (v: unknown) => v === "" || v === 0 || v === false;

// ---- zod → schema ---------------------------------------------------------------------------

interface Peeled {
  inner: z.ZodType;
  description?: string;
  hasDefault: boolean;
  default?: unknown;
  /** The outermost wrapper is a `.default(zero)`: a non-omitempty Go field. */
  zeroDefault: boolean;
  optional: boolean;
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "nonoptional"]);

function peel(s: z.ZodType): Peeled {
  const out: Peeled = { inner: s, hasDefault: false, zeroDefault: false, optional: false };
  let node: z.ZodType = s;
  let first = true;
  for (;;) {
    const d = zdef(node);
    const named = goTypes.has(node);
    if (!out.description && !named && node.description) out.description = node.description;
    if (!WRAPPERS.has(d.type)) break;
    if (d.type === "optional") out.optional = true;
    if ((d.type === "default" || d.type === "prefault") && !out.hasDefault) {
      out.hasDefault = true;
      out.default = structuredClone(d.defaultValue);
      if (first && d.type === "default" && isGoZero(out.default)) out.zeroDefault = true;
    }
    first = false;
    node = d.innerType;
  }
  out.inner = node;
  return out;
}

/** Walks the kinds' zod schemas once and collects every definition they reach. */
export class DefinitionBuilder {
  readonly defs = new Map<string, Json>();
  /** def name → property → patch strategy seen at that property from some kind's root. */
  private patch = new Map<string, Map<string, MergeKeyEntry>>();
  private byPath = new Map<string, MergeKeyEntry>();
  private visited = new Set<string>();

  constructor() {
    for (const [name, def] of Object.entries(STATIC_DEFS)) this.defs.set(name, structuredClone(def));
  }

  addKind(k: KindDef): void {
    this.byPath = new Map(mergeKeys(k.group, k.kind).map((e) => [e.path, e]));
    const name = kindDefName(k);
    this.object(k.schema as z.ZodType, name, "", true);
    const def = this.defs.get(name)!;
    def["x-kubernetes-group-version-kind"] = [{ group: k.group, kind: k.kind, version: k.version }];
    this.defs.set(`${packageOf(k.group, k.version)}.${k.listKind}`, listDef(k, name));
  }

  /** Definitions with the patch extensions applied, sorted by name. */
  finish(): Map<string, Json> {
    for (const [defName, props] of this.patch) {
      const properties = this.defs.get(defName)?.properties as Record<string, Json> | undefined;
      if (!properties) continue;
      for (const [prop, e] of props) if (properties[prop]) Object.assign(properties[prop], patchExtensions(e, properties[prop]));
    }
    return new Map([...this.defs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Builds (once) the definition `name` from an object schema; always walks it to record patch paths. */
  private object(s: z.ZodType, name: string, path: string, isKind = false): void {
    const key = `${name}@${path}`;
    if (this.visited.has(key) || path.split(".").length > 40) return;
    this.visited.add(key);
    const building = !this.defs.has(name);
    const def: Json = building ? {} : this.defs.get(name)!;
    if (building) this.defs.set(name, def);
    const own = canonical(s).description;
    if (building && own) def.description = own;
    const d = zdef(s);
    if (d.type !== "object") {
      if (building) Object.assign(def, this.convertAnonymous(s, name, path));
      return;
    }
    const shape: Record<string, z.ZodType> = d.shape;
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const [prop, field] of Object.entries(shape)) {
      const fieldPath = path ? `${path}.${prop}` : prop;
      const p = peel(field);
      properties[prop] = this.property(p, name, fieldPath);
      if (p.zeroDefault) required.push(prop);
      const e = this.byPath.get(fieldPath);
      if (e) {
        const m = this.patch.get(name) ?? new Map<string, MergeKeyEntry>();
        m.set(prop, e);
        this.patch.set(name, m);
      }
    }
    if (!building) return;
    for (const r of REQUIRED_EXTRA[name] ?? []) if (r in properties && !required.includes(r)) required.push(r);
    const req = required.filter((r) => !(NOT_REQUIRED[name] ?? []).includes(r));
    def.properties = properties;
    if (req.length) def.required = req;
    def.type = "object";
    if (d.catchall && zdef(d.catchall).type === "unknown" && Object.keys(shape).length === 0) {
      delete def.properties;
      def["x-kubernetes-preserve-unknown-fields"] = true;
    }
  }

  /** A property: the field's schema plus its description and default (refs wrapped in allOf as upstream's v3). */
  private property(p: Peeled, parentDef: string, path: string): Json {
    const schema = this.convert(p.inner, parentDef, path);
    const out: Json = "$ref" in schema ? { allOf: [schema] } : schema;
    if (p.hasDefault && p.default !== undefined) out.default = p.default;
    if (p.description) out.description = p.description;
    return out;
  }

  /** A schema for a value (no description of its own field). */
  private convert(s: z.ZodType, parentDef: string, path: string): Json {
    const p = peel(s);
    s = p.inner;
    const goType = goTypeOf(s);
    if (goType) {
      if (goType in INLINE_ALIASES) {
        const out = INLINE_ALIASES[goType]();
        this.descend(s, parentDef, path);
        return out;
      }
      if (goType in FIXED_NAMES) return { $ref: REF_V3 + FIXED_NAMES[goType] };
      const c = canonical(s);
      const name = nameFor(c, goType, parentDef);
      this.object(c, name, path);
      return { $ref: REF_V3 + name };
    }
    return this.convertAnonymous(s, parentDef, path);
  }

  /** Walks inside an inline alias (a map's values) without naming it. */
  private descend(s: z.ZodType, parentDef: string, path: string): void {
    const d = zdef(s);
    if (d.type === "record") this.convert(d.valueType, parentDef, path);
  }

  private convertAnonymous(s: z.ZodType, parentDef: string, path: string): Json {
    const d = zdef(s);
    switch (d.type) {
      case "string":
        return { type: "string" };
      case "boolean":
        return { type: "boolean" };
      case "number":
        return d.format === "safeint" || d.format === "int32" ? { type: "integer", format: "int32" } : { type: "number", format: "double" };
      case "array":
        return { type: "array", items: this.convert(d.element, parentDef, path) };
      case "record":
        return { type: "object", additionalProperties: this.convert(d.valueType, parentDef, path) };
      case "union":
        return { oneOf: (d.options as z.ZodType[]).map((o) => this.convert(o, parentDef, path)) };
      case "object": {
        const shape: Record<string, z.ZodType> = d.shape;
        if (Object.keys(shape).length === 0) return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
        const properties: Record<string, Json> = {};
        const required: string[] = [];
        for (const [prop, field] of Object.entries(shape)) {
          const fp = peel(field);
          properties[prop] = this.property(fp, parentDef, `${path}.${prop}`);
          if (fp.zeroDefault) required.push(prop);
        }
        return { type: "object", properties, ...(required.length ? { required } : {}) };
      }
      default:
        return { "x-kubernetes-preserve-unknown-fields": true };
    }
  }
}

/** x-kubernetes-patch-* (from patch-meta.ts) and the list-type upstream pairs with them. */
function patchExtensions(e: MergeKeyEntry, prop: Json): Json {
  const out: Json = { "x-kubernetes-patch-strategy": e.strategy };
  if (e.mergeKey) out["x-kubernetes-patch-merge-key"] = e.mergeKey;
  if (prop.type === "array") {
    if (e.mergeKey) {
      out["x-kubernetes-list-type"] = "map";
      // A container port is identified by (containerPort, protocol) upstream.
      out["x-kubernetes-list-map-keys"] = e.mergeKey === "containerPort" ? ["containerPort", "protocol"] : [e.mergeKey];
    } else if (e.strategy.split(",").includes("merge")) {
      out["x-kubernetes-list-type"] = "set";
    }
  }
  return out;
}

function listDef(k: KindDef, itemDef: string): Json {
  return {
    description: `${k.listKind} is a list of ${k.kind} objects.`,
    properties: {
      apiVersion: { description: "APIVersion defines the versioned schema of this representation of an object.", type: "string" },
      items: { description: `List of ${k.plural}.`, items: { $ref: REF_V3 + itemDef }, type: "array" },
      kind: { description: "Kind is a string value representing the REST resource this object represents.", type: "string" },
      metadata: { allOf: [metaRef("ListMeta")], default: {}, description: "Standard list metadata." },
    },
    required: ["items"],
    type: "object",
    "x-kubernetes-group-version-kind": [{ group: k.group, kind: k.listKind, version: k.version }],
  };
}

// ---- v2 flavour -----------------------------------------------------------------------------

/**
 * The Swagger 2.0 form of a v3 schema: `$ref`s point into #/definitions/ and carry their
 * description directly (no allOf wrapper), no `default`s (upstream's v2 has none), no oneOf
 * (kubectl's v2 parser has no notion of it: the value becomes arbitrary). Quantity is a string.
 */
export function toV2Schema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2Schema);
  if (!s || typeof s !== "object") return s;
  const o = s as Json;
  const out: Json = {};
  let source = o;
  if (Array.isArray(o.allOf) && o.allOf.length === 1 && typeof (o.allOf[0] as Json).$ref === "string") {
    const { allOf, ...rest } = o;
    source = { ...rest, $ref: (allOf as Json[])[0].$ref };
  }
  for (const [k, v] of Object.entries(source)) {
    if (k === "default" || k === "oneOf" || k === "anyOf") continue;
    if (k === "$ref") out.$ref = String(v).replace("#/components/schemas/", "#/definitions/");
    else if (k === "properties" || k === "x-kubernetes-group-version-kind" || k === "required" || k.startsWith("x-kubernetes-list-map")) {
      out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, toV2Schema(pv)])) : v;
    } else if (typeof v === "object") out[k] = toV2Schema(v);
    else out[k] = v;
  }
  if (o.oneOf && !out.type && (o.oneOf as Json[]).every((x) => x.type === "string" || x.type === "number" || x.type === "integer")) out.type = "string";
  return out;
}
