// Coded storage errors become metav1.Status at the registry boundary; resourceVersions are parsed here.
import type { KindDef } from "../apis/types.js";
import { OBJECT_MODIFIED, alreadyExists, badRequest, conflict, expired, forbidden, notFound } from "../lib/status.js";
import { StorageError } from "../storage/errors.js";
import { groupResource } from "./kind-names.js";

/** Parses a resourceVersion query value; composite (cross-namespace) tokens are the Worker's business. */
export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

export function storageToStatus(def: KindDef, e: unknown): unknown {
  if (!(e instanceof StorageError)) return e;
  const gr = groupResource(def);
  switch (e.code) {
    case "NotFound":
      return notFound(gr, e.key);
    case "Exists":
      return alreadyExists(gr, e.key);
    case "Conflict":
      return conflict(gr, e.key, OBJECT_MODIFIED);
    case "Expired":
      return expired(e.message);
    default:
      return forbidden(gr, e.key, e.message);
  }
}
