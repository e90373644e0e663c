// core/v1 ResourceQuota as upstream's printResourceQuota: NAME, AGE, then the quota as
// `used/hard` pairs, limits.* resources in LIMIT and every other one in REQUEST.
import { since } from "./duration.js";
import { ageCol, col, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const resourceQuotaColumns = [
  nameCol(),
  ageCol(),
  col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
  col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
];

const quantity = (v: unknown): string => (typeof v === "number" ? String(v) : typeof v === "string" && v !== "" ? v : "0");

export function printResourceQuota(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  const status = rec(obj.status);
  const hard = rec(status.hard);
  const used = rec(status.used);
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split(".");
    const target = pieces.length > 1 && pieces[0] === "limits" ? limit : request;
    target.push(`${name}: ${quantity(used[name])}/${quantity(hard[name])}`);
  }
  return { cells: [str(meta.name), since(meta.creationTimestamp, now), request.join(", "), limit.join(", ")] };
}

export const resourceQuotaPrinter: Printer = { columns: resourceQuotaColumns, print: printResourceQuota };
