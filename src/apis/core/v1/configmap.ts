// core/v1 ConfigMap: data and binaryData keyed by upstream config keys; no spec/status split.
import { z } from "zod";
import { type FieldError, forbidden, invalid, tooLong } from "../../../lib/field-errors.js";
import { StringMap, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isConfigMapKey } from "../../validation.js";
import { canonicalJson } from "../../../lib/canonical-json.js";

export const ConfigMapSchema = goType(
  z.object({
    ...typeMeta,
    immutable: z.boolean().optional().describe("If true, data cannot be updated."),
    data: StringMap().optional().describe("UTF-8 configuration data."),
    binaryData: goType(z.record(z.string(), z.base64()), "map[string][]uint8").optional().describe("Binary configuration data, base64-encoded."),
  }).describe("ConfigMap holds configuration data for pods to consume."),
  "ConfigMap",
);
export type ConfigMap = z.infer<typeof ConfigMapSchema>;

/** Upstream's MaxSecretSize, shared by ConfigMap. */
export const MAX_CONFIG_SIZE = 1024 * 1024;

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    total += new TextEncoder().encode(v).length;
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`binaryData[${k}]`, k, m));
    if (cm.data && k in cm.data) errs.push(invalid(`binaryData[${k}]`, k, "duplicate of key present in data"));
    total += Math.floor((v.length * 3) / 4);
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong("", "", MAX_CONFIG_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable) {
    if (canonicalJson(old.data ?? {}) !== canonicalJson(cm.data ?? {})) errs.push(forbidden("data", "field is immutable when `immutable` is set"));
    if (canonicalJson(old.binaryData ?? {}) !== canonicalJson(cm.binaryData ?? {})) errs.push(forbidden("binaryData", "field is immutable when `immutable` is set"));
    if (!cm.immutable) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  }
  return errs;
}

export const configMapDef: KindDef<ConfigMap> = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  plural: "configmaps",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: ConfigMapSchema,
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};
