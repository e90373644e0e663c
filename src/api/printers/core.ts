// The simple core/v1 kinds as upstream's printNamespace, printConfigMap, printSecret and
// printServiceAccount.
import { since } from "./duration.js";
import { ageCol, arr, col, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const namespaceColumns = [nameCol(), col("Status", "string", "The status of the namespace"), ageCol()];

export function printNamespace(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), str(rec(obj.status).phase), since(meta.creationTimestamp, now)] };
}

export const configMapColumns = [
  nameCol(),
  col(
    "Data",
    "string",
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  ),
  ageCol(),
];

export function printConfigMap(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  const data = Object.keys(rec(obj.data)).length + Object.keys(rec(obj.binaryData)).length;
  return { cells: [str(meta.name), data, since(meta.creationTimestamp, now)] };
}

export const secretColumns = [
  nameCol(),
  col("Type", "string", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
  col(
    "Data",
    "string",
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  ),
  ageCol(),
];

export function printSecret(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  // stringData is merged into data on the way in (v1 → internal), so count both key sets.
  const keys = new Set([...Object.keys(rec(obj.data)), ...Object.keys(rec(obj.stringData))]);
  return { cells: [str(meta.name), str(obj.type), keys.size, since(meta.creationTimestamp, now)] };
}

export const serviceAccountColumns = [
  nameCol(),
  col(
    "Secrets",
    "string",
    'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
  ),
  ageCol(),
];

export function printServiceAccount(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), arr(obj.secrets).length, since(meta.creationTimestamp, now)] };
}

export const namespacePrinter: Printer = { columns: namespaceColumns, print: printNamespace };
export const configMapPrinter: Printer = { columns: configMapColumns, print: printConfigMap };
export const secretPrinter: Printer = { columns: secretColumns, print: printSecret };
export const serviceAccountPrinter: Printer = { columns: serviceAccountColumns, print: printServiceAccount };
