// Test helpers: what kubectl prints from a server Table, and timestamps relative to a fixed now.
import type { KubeObject } from "../../apis/types.js";
import { tableFor } from "./index.js";
import type { Table, TableColumnDefinition } from "./types.js";

export const NOW = Date.parse("2025-06-01T12:00:00Z");

/** An RFC 3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace(/\.000Z$/, "Z");
}

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;

/** The header line kubectl prints: upper-cased names, priority>0 columns only with -o wide. */
export function kubectlHeaders(columns: TableColumnDefinition[], wide = false): string[] {
  return columns.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());
}

/** One row's cells as kubectl shows them, keyed by upper-cased column name (wide: all). */
export function rowByHeader(table: Table, row = 0, wide = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  table.columnDefinitions.forEach((c, i) => {
    if (wide || c.priority === 0) out[c.name.toUpperCase()] = table.rows[row].cells[i];
  });
  return out;
}

/** The table of one object with includeObject=None. */
export function one(group: string, kind: string, obj: Record<string, unknown>): Table {
  return tableFor(group, kind, [obj as KubeObject], { now: NOW, includeObject: "None" });
}

/** The named column's cell of a single-object table. */
export function cell(group: string, kind: string, obj: Record<string, unknown>, column: string): unknown {
  return rowByHeader(one(group, kind, obj))[column];
}
