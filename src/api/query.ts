// Query parameters as upstream reads them (metav1.ListOptions, CreateOptions, DeleteOptions…),
// with upstream's errors for values it refuses.
import { badRequest, invalid } from "../lib/status.js";
import { notSupported } from "../lib/field-errors.js";
import type { DeleteOptions, FieldValidation, ListQuery, PropagationPolicy, WatchQuery, WriteOptions } from "../registry/requests.js";

function int(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`unable to parse quantity's suffix: ${name}=${v} is not an integer`);
  return Number(v);
}

function bool(params: URLSearchParams, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  if (v === "" || v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw badRequest(`invalid boolean value for ${name}: ${v}`);
}

export function isWatch(params: URLSearchParams): boolean {
  return bool(params, "watch") === true;
}

export function listQuery(params: URLSearchParams): ListQuery {
  const q: ListQuery = {};
  const ls = params.get("labelSelector");
  if (ls !== null) q.labelSelector = ls;
  const fs = params.get("fieldSelector");
  if (fs !== null) q.fieldSelector = fs;
  const limit = int(params, "limit");
  if (limit !== undefined) {
    if (limit < 0) throw badRequest(`limit must be non-negative`);
    q.limit = limit;
  }
  const cont = params.get("continue");
  if (cont) q.continue = cont;
  const rv = params.get("resourceVersion");
  if (rv !== null) q.resourceVersion = rv;
  const rvm = params.get("resourceVersionMatch");
  if (rvm) q.resourceVersionMatch = rvm;
  return q;
}

export function watchQuery(params: URLSearchParams): WatchQuery {
  const q: WatchQuery = listQuery(params);
  const b = bool(params, "allowWatchBookmarks");
  if (b !== undefined) q.allowWatchBookmarks = b;
  const t = int(params, "timeoutSeconds");
  if (t !== undefined) q.timeoutSeconds = Math.max(0, t);
  const s = bool(params, "sendInitialEvents");
  if (s !== undefined) q.sendInitialEvents = s;
  if (q.sendInitialEvents !== undefined && q.resourceVersionMatch !== "NotOlderThan") {
    throw invalid("ListOptions", "meta.k8s.io", "", [
      { type: "FieldValueForbidden", field: "resourceVersionMatch", detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" },
    ]);
  }
  return q;
}

function dryRun(params: URLSearchParams, fromBody?: unknown): boolean {
  const values = [...params.getAll("dryRun"), ...(Array.isArray(fromBody) ? (fromBody as string[]) : [])];
  for (const v of values) {
    if (v !== "All") {
      throw invalid("CreateOptions", "meta.k8s.io", "", [notSupported("dryRun", [v], ["All"])]);
    }
  }
  return values.length > 0;
}

export function writeOptions(params: URLSearchParams, userAgent?: string | null): WriteOptions {
  const o: WriteOptions = {};
  if (userAgent) o.userAgent = userAgent;
  const force = bool(params, "force");
  if (force !== undefined) o.force = force;
  if (dryRun(params)) o.dryRun = true;
  const fm = params.get("fieldManager");
  if (fm) {
    if (fm.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    o.fieldManager = fm;
  }
  const fv = params.get("fieldValidation");
  if (fv) {
    if (!["Strict", "Warn", "Ignore"].includes(fv)) {
      throw badRequest(`invalid fieldValidation directive: ${fv}, valid values are: Ignore, Warn, Strict`);
    }
    o.fieldValidation = fv as FieldValidation;
  }
  return o;
}

/** DeleteOptions from the query and, as kubectl sends them, from the request body. */
export function deleteOptions(params: URLSearchParams, body: unknown): DeleteOptions {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== "DeleteOptions") {
    throw badRequest(`the kind in the data (${String(b.kind)}) does not match the expected kind (DeleteOptions)`);
  }
  const o: DeleteOptions = {};
  const grace = int(params, "gracePeriodSeconds") ?? (typeof b.gracePeriodSeconds === "number" ? b.gracePeriodSeconds : undefined);
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const policy = params.get("propagationPolicy") ?? (b.propagationPolicy as string | undefined);
  if (policy) {
    if (!["Orphan", "Background", "Foreground"].includes(policy)) {
      throw invalid("DeleteOptions", "meta.k8s.io", "", [notSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"])]);
    }
    o.propagationPolicy = policy as PropagationPolicy;
  }
  const orphan = bool(params, "orphanDependents") ?? (typeof b.orphanDependents === "boolean" ? b.orphanDependents : undefined);
  if (orphan !== undefined) {
    if (o.propagationPolicy) {
      throw invalid("DeleteOptions", "meta.k8s.io", "", [
        { type: "FieldValueInvalid", field: "propagationPolicy", badValue: o.propagationPolicy, detail: "orphanDependents and deletionPropagation cannot be both set" },
      ]);
    }
    o.orphanDependents = orphan;
  }
  const pre = b.preconditions as { uid?: unknown; resourceVersion?: unknown } | undefined;
  if (pre && typeof pre === "object") {
    o.preconditions = {};
    if (typeof pre.uid === "string") o.preconditions.uid = pre.uid;
    if (typeof pre.resourceVersion === "string") o.preconditions.resourceVersion = pre.resourceVersion;
  }
  if (dryRun(params, b.dryRun)) o.dryRun = true;
  return o;
}
