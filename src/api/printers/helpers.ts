// Small pieces the printers share: loose JSON access, column construction, upstream's label and
// selector formatting (labels.FormatLabels, metav1.FormatLabelSelector) and container cells.
import type { TableColumnDefinition } from "./types.js";

export type Json = Record<string, unknown>;

/** The value as an object, or {} (objects here are loosely typed JSON). */
export function rec(v: unknown): Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

/** The value as an object, or undefined: Go's "pointer is nil". */
export function recOrNil(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** An integer field, 0 when absent (Go's zero value). */
export function int(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** An optional integer field: undefined when absent (a nil *int32). */
export function intOrNil(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : undefined;
}

/** Number of keys of a map field (len(map) in Go). */
export function mapLen(v: unknown): number {
  return Object.keys(rec(v)).length;
}

/** A column definition, fields in upstream's JSON order. */
export function col(name: string, type: string, description: string, priority = 0, format = ""): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The NAME column every printer starts with. */
export function nameCol(): TableColumnDefinition {
  return col("Name", "string", DESC.name, 0, "name");
}

export function ageCol(): TableColumnDefinition {
  return col("Age", "string", DESC.creationTimestamp);
}

/** The wide CONTAINERS and IMAGES columns of a pod-template workload, then SELECTOR when described. */
export function templateCols(selectorDescription?: string): TableColumnDefinition[] {
  const cols = [col("Containers", "string", DESC.containers, 1), col("Images", "string", DESC.images, 1)];
  if (selectorDescription !== undefined) cols.push(col("Selector", "string", selectorDescription, 1));
  return cols;
}

/** labels.FormatLabels: "k=v,k2=v2" sorted, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const pairs = Object.entries(rec(labels)).map(([k, v]) => `${k}=${str(v)}`);
  pairs.sort(compareStrings);
  const s = pairs.join(",");
  return s === "" ? "<none>" : s;
}

/** Go's byte-wise string ordering (sort.Strings). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, "k=v", "k in (a,b)",
 * "k notin (a,b)", "k", "!k". Undefined when the selector is invalid (unknown operator, a
 * value list that does not fit the operator).
 */
export function labelSelectorString(selector: unknown): string | undefined {
  const sel = recOrNil(selector);
  if (!sel) return "";
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(rec(sel.matchLabels))) reqs.push({ key: k, text: `${k}=${str(v)}` });
  for (const e of arr(sel.matchExpressions)) {
    const expr = rec(e);
    const key = str(expr.key);
    const values = arr(expr.values).map(str);
    const sorted = [...values].sort(compareStrings).join(",");
    switch (str(expr.operator)) {
      case "In":
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} in (${sorted})` });
        break;
      case "NotIn":
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} notin (${sorted})` });
        break;
      case "Exists":
        if (values.length !== 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case "DoesNotExist":
        if (values.length !== 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  reqs.sort((a, b) => compareStrings(a.key, b.key));
  return reqs.map((r) => r.text).join(",");
}

/** metav1.FormatLabelSelector: "<none>" when it selects everything/nothing, "<error>" when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return "<error>";
  return s === "" ? "<none>" : s;
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function layoutContainerCells(containers: unknown): [names: string, images: string] {
  const cs = arr(containers).map(rec);
  return [cs.map((c) => str(c.name)).join(","), cs.map((c) => str(c.image)).join(",")];
}

/** The pod template's containers of a workload (spec.template.spec.containers). */
export function templateContainers(spec: Json): unknown {
  return rec(rec(rec(spec.template).spec)).containers;
}

/**
 * Column descriptions: upstream fills them from the API types' SwaggerDoc (the Go doc comments
 * also published in the OpenAPI document).
 */
export const DESC = {
  name:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  creationTimestamp:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  containers: "Names of each container in the template.",
  images: "Images referenced by each container in the template.",
} as const;
