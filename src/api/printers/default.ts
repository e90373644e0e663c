// upstream's rest.DefaultTableConvertor, for kinds without a printer: NAME and CREATED AT (a
// "date" column holding the RFC 3339 creation time, which kubectl shows as an age).
import { formatRFC3339 } from "./duration.js";
import { DESC, col, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintedRow } from "./types.js";

export const defaultColumns = [nameCol(), col("Created At", "date", DESC.creationTimestamp)];

export function printDefault(obj: Json): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), formatRFC3339(meta.creationTimestamp)] };
}

export const defaultPrinter: Printer = { columns: defaultColumns, print: printDefault };
