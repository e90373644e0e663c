// metadata.managedFields (k8s.io/apiserver fieldmanager/internal): entries decoded into one
// versioned field set per manager identity, and encoded back as upstream writes them.
import { StatusError, failure } from "../../lib/status.js";
import { FieldSet, type Path, pathString } from "./fieldpath.js";

export type Operation = "Apply" | "Update";

/** Who manages a set: upstream's manager identifier (apiVersion left out for appliers). */
export interface ManagerId {
  manager: string;
  operation: Operation;
  /** Update entries only: the apiVersion is part of the identity. */
  apiVersion?: string;
  subresource?: string;
}

export interface ManagedEntry {
  id: ManagerId;
  apiVersion: string;
  set: FieldSet;
  /** RFC 3339, seconds. */
  time?: string;
}

/** The fields of one object, by manager identity (the key is `managerKey(id)`). */
export type Managed = Map<string, ManagedEntry>;

/** The identity as upstream's BuildManagerIdentifier writes it: JSON of the entry without fields and time. */
export function managerKey(id: ManagerId): string {
  const o: Record<string, string> = { manager: id.manager, operation: id.operation };
  if (id.operation === "Update" && id.apiVersion) o.apiVersion = id.apiVersion;
  if (id.subresource) o.subresource = id.subresource;
  return JSON.stringify(o);
}

export class ManagedFieldsError extends Error {}

/** Decodes metadata.managedFields; throws ManagedFieldsError on a malformed entry. */
export function decodeManagedFields(entries: unknown): Managed {
  const out: Managed = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsError("managedFields must be a list");
  for (const e of entries) {
    if (!e || typeof e !== "object" || Array.isArray(e)) throw new ManagedFieldsError("managedFields entries must be objects");
    const r = e as Record<string, unknown>;
    if (r.operation !== "Apply" && r.operation !== "Update") throw new ManagedFieldsError(`operation must be Apply or Update, got ${JSON.stringify(r.operation)}`);
    if (r.fieldsType !== undefined && r.fieldsType !== "FieldsV1") throw new ManagedFieldsError(`fieldsType must be FieldsV1, got ${JSON.stringify(r.fieldsType)}`);
    const apiVersion = typeof r.apiVersion === "string" ? r.apiVersion : "";
    const id: ManagerId = { manager: typeof r.manager === "string" ? r.manager : "", operation: r.operation };
    if (id.operation === "Update") id.apiVersion = apiVersion;
    if (typeof r.subresource === "string" && r.subresource) id.subresource = r.subresource;
    let set: FieldSet;
    try {
      set = r.fieldsV1 === undefined || r.fieldsV1 === null ? new FieldSet() : FieldSet.fromFieldsV1(r.fieldsV1);
    } catch (err) {
      throw new ManagedFieldsError(`error decoding fieldsV1: ${(err as Error).message}`);
    }
    const key = managerKey(id);
    if (out.has(key)) throw new ManagedFieldsError(`duplicate entries for manager ${key}`);
    out.set(key, { id, apiVersion, set, time: typeof r.time === "string" ? r.time : undefined });
  }
  return out;
}

/** Encodes the entries, sorted as upstream: operation, time, manager, apiVersion, subresource. */
export function encodeManagedFields(managed: Managed): Record<string, unknown>[] {
  const entries = [...managed.values()].filter((e) => !e.set.empty());
  const seconds = (t?: string) => (t ? Date.parse(t) / 1000 : 0);
  entries.sort(
    (p, q) =>
      cmp(p.id.operation, q.id.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.id.manager, q.id.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.id.subresource ?? "", q.id.subresource ?? ""),
  );
  return entries.map((e) => {
    const o: Record<string, unknown> = { manager: e.id.manager, operation: e.id.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = "FieldsV1";
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.id.subresource) o.subresource = e.id.subresource;
    return o;
  });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The managedFields of a request that resets them: an empty list, or one empty entry. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && v[0] !== null && typeof v[0] === "object" && Object.keys(v[0] as object).length === 0;
}

// ---- conflicts ----

export interface Conflict {
  id: ManagerId;
  apiVersion: string;
  path: Path;
}

/** printManager: `"kubectl"` for an applier, `"kubectl-edit" using apps/v1` for an updater. */
export function printManager(c: Pick<Conflict, "id" | "apiVersion">): string {
  const m = JSON.stringify(c.id.manager);
  return c.id.operation === "Update" ? `${m} using ${c.apiVersion}` : m;
}

/** 409 Conflict as upstream's NewConflictError, causes of type FieldManagerConflict. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0])}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, { label: string; paths: Path[] }>();
    for (const c of conflicts) {
      const k = managerKey(c.id);
      if (!byManager.has(k)) byManager.set(k, { label: printManager(c), paths: [] });
      byManager.get(k)!.paths.push(c.path);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      const g = byManager.get(k)!;
      lines.push(`conflicts with ${g.label}:`);
      for (const p of g.paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(failure(409, "Conflict", message, { causes }));
}
