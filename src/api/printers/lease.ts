// coordination.k8s.io/v1 Leases as upstream's printLease.
import { since } from "./duration.js";
import { ageCol, col, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const leaseColumns = [
  nameCol(),
  col(
    "Holder",
    "string",
    "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
  ),
  ageCol(),
];

export function printLease(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), str(rec(obj.spec).holderIdentity), since(meta.creationTimestamp, now)] };
}

export const leasePrinter: Printer = { columns: leaseColumns, print: printLease };
