// core/v1 LimitRange: per-namespace minimums, maximums, ratios and defaults of compute resources
// for each Container, Pod or PersistentVolumeClaim. Defaults are upstream's
// SetDefaults_LimitRangeItem, validation its ValidateLimitRange.
import { z } from "zod";
import { type Quantity, canonical, cmp, format, milliValue, parseQuantity, toQuantity, value } from "../../../admission/quantity.js";
import { type FieldError, duplicate, forbidden, invalid, required } from "../../../lib/field-errors.js";
import { QuantitySchema, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isQualifiedName } from "../../validation.js";

const ResourceList = () => goType(z.record(z.string(), QuantitySchema), "v1.ResourceList");

export const LimitRangeItemSchema = goType(
  z.object({
    type: z.string().default("").describe("Type of resource that this limit applies to: Container, Pod or PersistentVolumeClaim."),
    max: ResourceList().optional().describe("Max usage constraints on this kind by resource name."),
    min: ResourceList().optional().describe("Min usage constraints on this kind by resource name."),
    default: ResourceList().optional().describe("Default resource requirement limit value by resource name if resource limit is omitted."),
    defaultRequest: ResourceList().optional().describe("DefaultRequest is the default resource requirement request value by resource name if resource request is omitted."),
    maxLimitRequestRatio: ResourceList().optional().describe("If specified, the limit/request ratio of a resource may not exceed this value."),
  }),
  "LimitRangeItem",
);
export type LimitRangeItem = z.infer<typeof LimitRangeItemSchema>;

export const LimitRangeSpecSchema = goType(
  z.object({ limits: z.array(LimitRangeItemSchema).default([]).describe("Limits is the list of LimitRangeItem objects that are enforced.") }),
  "LimitRangeSpec",
);

export const LimitRangeSchema = goType(
  z.object({
    ...typeMeta,
    spec: LimitRangeSpecSchema.optional().describe("Spec defines the limits enforced."),
  }).describe("LimitRange sets resource usage limits for each kind of resource in a Namespace."),
  "LimitRange",
);
export type LimitRange = z.infer<typeof LimitRangeSchema>;

type List = Record<string, string | number>;

/** SetDefaults_LimitRangeItem: a Container's default limit from max, default request from default, then min. */
export function defaultLimitRangeItem(item: LimitRangeItem): void {
  for (const k of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) {
    const list = item[k];
    if (list) item[k] = Object.fromEntries(Object.entries(list).map(([r, q]) => [r, canonical(q)]));
  }
  if (item.type !== "Container") return;
  const def: List = { ...item.default };
  const req: List = { ...item.defaultRequest };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(req).length) item.defaultRequest = req;
}

const STANDARD_LIMIT_TYPES = new Set(["Pod", "Container", "PersistentVolumeClaim"]);
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const STANDARD_RESOURCES = new Set([...STANDARD_CONTAINER_RESOURCES, "storage", "pods", "services", "configmaps", "secrets", "persistentvolumeclaims"]);
/** Resources that cannot be overcommitted (hugepages, extended resources): default must equal defaultRequest. */
const overcommitAllowed = (name: string) => !name.startsWith("hugepages-") && (STANDARD_RESOURCES.has(name) || (name.includes("/") && name.includes("kubernetes.io/")));

function resourceNameErrors(type: string, name: string, path: string): FieldError[] {
  const qualified = isQualifiedName(name);
  if (qualified.length) return qualified.map((m) => invalid(path, name, m));
  if (name.includes("/")) return [];
  if (type === "Pod" || type === "Container") {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith("hugepages-")) return [invalid(path, name, "must be a standard resource for containers")];
  } else if (!STANDARD_RESOURCES.has(name)) {
    return [invalid(path, name, "must be a standard resource type or fully qualified")];
  }
  return [];
}

const q = (v: string | number) => toQuantity(v);
const s = (x: Quantity) => format(x);

/** Upstream's ValidateLimitRange. */
export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((limit, i) => {
    const p = `spec.limits[${i}]`;
    const typeErrs = isQualifiedName(limit.type).map((m) => invalid(`${p}.type`, limit.type, m));
    if (!typeErrs.length && !limit.type.includes("/") && !STANDARD_LIMIT_TYPES.has(limit.type)) {
      typeErrs.push(invalid(`${p}.type`, limit.type, "must be a standard limit type or fully qualified"));
    }
    errs.push(...typeErrs);
    if (seen.has(limit.type)) errs.push(duplicate(`${p}.type`, limit.type));
    seen.add(limit.type);

    const keys = new Set<string>();
    const collect = (field: keyof Omit<LimitRangeItem, "type">) => {
      for (const [k, v] of Object.entries(limit[field] ?? {})) {
        errs.push(...resourceNameErrors(limit.type, k, `${p}.${field}[${k}]`));
        if (q(v).nanos < 0n) errs.push(invalid(`${p}.${field}[${k}]`, String(v), "must be greater than or equal to 0"));
        keys.add(k);
      }
    };
    collect("max");
    collect("min");
    if (limit.type === "Pod") {
      if (Object.keys(limit.default ?? {}).length) errs.push(forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(limit.defaultRequest ?? {}).length) errs.push(forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    } else {
      collect("default");
      collect("defaultRequest");
    }
    if (limit.type === "PersistentVolumeClaim" && limit.min?.storage === undefined && limit.max?.storage === undefined) {
      errs.push(required(`${p}.limits`, "either minimum or maximum storage value is required, but neither was provided"));
    }
    collect("maxLimitRequestRatio");

    for (const k of keys) {
      const get = (f: "min" | "max" | "default" | "defaultRequest" | "maxLimitRequestRatio") => (limit[f]?.[k] === undefined ? undefined : q(limit[f]![k]));
      const min = get("min");
      const max = get("max");
      const def = limit.type === "Pod" ? undefined : get("default");
      const defReq = limit.type === "Pod" ? undefined : get("defaultRequest");
      const ratio = get("maxLimitRequestRatio");
      if (min && max && cmp(min, max) > 0) errs.push(invalid(`${p}.min[${k}]`, s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (defReq && min && cmp(min, defReq) > 0) errs.push(invalid(`${p}.defaultRequest[${k}]`, s(defReq), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      if (defReq && max && cmp(defReq, max) > 0) errs.push(invalid(`${p}.defaultRequest[${k}]`, s(defReq), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      if (defReq && def && cmp(defReq, def) > 0) errs.push(invalid(`${p}.defaultRequest[${k}]`, s(defReq), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      if (def && min && cmp(min, def) > 0) errs.push(invalid(`${p}.default[${k}]`, s(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      if (def && max && cmp(def, max) > 0) errs.push(invalid(`${p}.default[${k}]`, s(max), `default value ${s(def)} is greater than max value ${s(max)}`));
      if (ratio && cmp(ratio, parseQuantity("1")) < 0) errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, s(ratio), `ratio ${s(ratio)} is less than 1`));
      if (ratio && min && max) {
        const useMilli = value(ratio) < MAX_MILLI && value(min) < MAX_MILLI && value(max) < MAX_MILLI;
        const r = useMilli ? Number(milliValue(ratio)) / 1000 : Number(value(ratio));
        const limitRatio = useMilli ? Number(milliValue(max)) / Number(milliValue(min)) : Number(value(max)) / Number(value(min));
        if (r > limitRatio) errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, s(ratio), `ratio ${s(ratio)} is greater than max/min = ${limitRatio.toFixed(6)}`));
      }
      if (!overcommitAllowed(k) && def && defReq && cmp(def, defReq) !== 0) {
        errs.push(invalid(`${p}.defaultRequest[${k}]`, s(defReq), `default value ${s(def)} must equal to defaultRequest value ${s(defReq)} in ${k}`));
      }
    }
  });
  return errs;
}

/** resource.MaxMilliValue: above it, upstream compares whole values instead of milli values. */
export const MAX_MILLI = 9223372036854775807n / 1000n;

export const limitRangeDef: KindDef<LimitRange> = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  listKind: "LimitRangeList",
  plural: "limitranges",
  singular: "limitrange",
  namespaced: true,
  shortNames: ["limits"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: LimitRangeSchema,
  applyDefaults(lr) {
    for (const item of lr.spec?.limits ?? []) defaultLimitRangeItem(item);
  },
  validate: validateLimitRange,
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};
