// core/v1 Secret: data is base64 on the wire; stringData is write-only and merged into data
// on decode, as upstream's v1 conversion does. Type-specific key rules as ValidateSecret.
import { z } from "zod";
import { type FieldError, forbidden, invalid, required, tooLong } from "../../../lib/field-errors.js";
import { StringMap, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isConfigMapKey } from "../../validation.js";
import { MAX_CONFIG_SIZE } from "./configmap.js";
import { canonicalJson } from "../../../lib/canonical-json.js";

export const SecretSchema = goType(
  z.object({
    ...typeMeta,
    immutable: z.boolean().optional().describe("If true, data cannot be updated."),
    data: goType(z.record(z.string(), z.base64()), "map[string][]uint8").optional().describe("Secret data, base64-encoded values."),
    stringData: StringMap().optional().describe("Write-only convenience field: plain values merged into data on write."),
    type: z.string().default("Opaque").describe("Used to facilitate programmatic handling of secret data. Defaults to Opaque."),
  }).describe("Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes."),
  "Secret",
);
export type Secret = z.infer<typeof SecretSchema>;

/** UTF-8 → base64 without Buffer (runs in workerd). */
export function encodeBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const requiredKeys: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

export function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    total += Math.floor((v.length * 3) / 4);
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong("data", "", MAX_CONFIG_SIZE));
  const data = s.data ?? {};
  for (const k of requiredKeys[s.type] ?? []) if (!(k in data)) errs.push(required(`data[${k}]`, ""));
  if (s.type === "kubernetes.io/service-account-token" && !s.metadata.annotations?.["kubernetes.io/service-account.name"]) {
    errs.push(required("metadata.annotations[kubernetes.io/service-account.name]", ""));
  }
  if (s.type === "kubernetes.io/basic-auth" && !("username" in data) && !("password" in data)) {
    errs.push(required("data[username]", ""), required("data[password]", ""));
  }
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  {
    if (old.type !== s.type) errs.push(invalid("type", s.type, "field is immutable"));
    if (old.immutable) {
      if (canonicalJson(old.data ?? {}) !== canonicalJson(s.data ?? {})) errs.push(forbidden("data", "field is immutable when `immutable` is set"));
      if (!s.immutable) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
    }
  }
  return errs;
}

export const secretDef: KindDef<Secret> = {
  group: "",
  version: "v1",
  kind: "Secret",
  listKind: "SecretList",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  shortNames: [],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: SecretSchema,
  applyDefaults(s) {
    if (s.stringData) {
      s.data ??= {};
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = encodeBase64(v);
      delete s.stringData;
    }
  },
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  selectableFields: { type: (s) => s.type },
};
