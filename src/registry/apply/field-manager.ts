// The field manager (k8s.io/apiserver pkg/endpoints/handlers/fieldmanager with
// structured-merge-diff's merge.Updater): records who set which field on every write, and runs
// server-side apply: merge the applied configuration, prune what its manager dropped, refuse
// changes to fields other managers own unless forced.
import type { KindDef, KubeObject } from "../../apis/types.js";
import { StatusError, badRequest, failure } from "../../lib/status.js";
import { type Path, FieldSet, field } from "./fieldpath.js";
import {
  type Conflict,
  type Managed,
  type ManagedEntry,
  type ManagerId,
  conflictError,
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  managerKey,
} from "./managed-fields.js";
import { isObject, typeOf } from "./schema.js";
import { apiVersionOf } from "../kind-names.js";
import { TypedError, cleanConfig, compare, deepEqual, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet } from "./typed.js";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** Upstream's cap on Update entries; older ones fold into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
const FIELD_MANAGER_MAX_LENGTH = 128;

/** How the registry should fill metadata.managedFields on a write. */
export type Tracking =
  | { operation: "Update"; manager: string; subresource?: string }
  /** Apply already computed them (see applyConfiguration). */
  | { operation: "Apply"; managedFields: Record<string, unknown>[] | undefined };


/**
 * The manager of a non-apply write: the fieldManager parameter, else the User-Agent up to its
 * first "/" (printable characters, at most 128 bytes), as upstream's managerOrUserAgent.
 */
export function managerOf(opts: { fieldManager?: string; userAgent?: string }): string {
  if (opts.fieldManager) return opts.fieldManager;
  const prefix = (opts.userAgent ?? "").split("/")[0];
  let out = "";
  let bytes = 0;
  for (const ch of prefix) {
    if (/\p{C}/u.test(ch)) continue;
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

export const updateTracking = (opts: { fieldManager?: string; userAgent?: string }, subresource?: string): Tracking => ({
  operation: "Update",
  manager: managerOf(opts),
  subresource: subresource || undefined,
});

// ---- what each manager may own ----

/** Paths no manager owns (upstream's stripMeta): exact paths, their subtrees stay. */
const STRIPPED: Path[] = [
  [field("apiVersion")],
  [field("kind")],
  [field("metadata")],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"].map((f) => [field("metadata"), field(f)]),
];
const STRIPPED_SET = FieldSet.of(...STRIPPED);

/** Top-level fields a write through `subresource` does not set (the strategies' reset fields). */
function resetFields(def: KindDef, subresource: string | undefined, obj: Record<string, unknown>): string[] {
  if (subresource === "status") return Object.keys(obj).filter((k) => k !== "status" && k !== "metadata");
  // The scale subresource writes spec.replicas only.
  if (subresource === "scale") return Object.keys(obj).filter((k) => k !== "spec");
  if (!subresource && def.hasStatus) return ["status"];
  return [];
}

/** `s` without the listed top-level fields and everything under them. */
function excludeTopLevel(s: FieldSet, names: string[]): FieldSet {
  if (names.length === 0) return s;
  const out = s.clone();
  for (const n of names) {
    out.members.delete(`f:${n}`);
    out.children.delete(`f:${n}`);
  }
  return out;
}

function decodeOrEmpty(v: unknown): Managed {
  try {
    return decodeManagedFields(v);
  } catch {
    return new Map();
  }
}

function withoutManagedFields(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  const { metadata, ...rest } = obj;
  const { managedFields: _m, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

function setAll(managed: Managed, f: (e: ManagedEntry) => FieldSet): void {
  for (const [k, e] of managed) {
    const s = f(e);
    if (s.empty()) managed.delete(k);
    else managed.set(k, { ...e, set: s });
  }
}

/** Folds the oldest Update entries beyond the cap into "ancient-changes" per apiVersion (capManagersManager). */
function capManagers(managed: Managed): void {
  const seconds = (t?: string) => Math.floor((Date.parse(t ?? "") || 0) / 1000);
  const updaters = [...managed.keys()].filter((k) => managed.get(k)!.id.operation === "Update");
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort((a, b) => seconds(managed.get(a)!.time) - seconds(managed.get(b)!.time) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const k = updaters[i];
    const e = managed.get(k)!;
    const id: ManagerId = { manager: "ancient-changes", operation: "Update", apiVersion: e.apiVersion };
    const bucket = managerKey(id);
    const first = firstOfVersion.get(e.apiVersion);
    if (k === bucket) {
      if (first === undefined) firstOfVersion.set(e.apiVersion, k);
      continue;
    }
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, k);
      continue;
    }
    if (!managed.has(bucket)) {
      const f = managed.get(first)!;
      managed.delete(first);
      managed.set(bucket, { ...f, id });
    }
    managed.set(bucket, { id, apiVersion: e.apiVersion, set: e.set.union(managed.get(bucket)!.set), time: e.time });
    managed.delete(k);
    length--;
  }
}

// ---- Update: create, update, patch ----

/**
 * The managedFields of an object written by an Update operation (create, update, non-apply
 * patch): the fields the write changed belong to its manager, and leave every other manager.
 * `requested` is the request object's managedFields: used in place of the live ones when given
 * (an empty list resets them), ignored on subresources.
 */
export function trackUpdate(def: KindDef, live: KubeObject | undefined, next: KubeObject, requested: unknown, tracking: Extract<Tracking, { operation: "Update" }>, now: string): Record<string, unknown>[] | undefined {
  let managed: Managed;
  if (tracking.subresource || requested === undefined || requested === null) managed = decodeOrEmpty(live?.metadata.managedFields);
  else if (isResetManagedFields(requested)) managed = new Map();
  else {
    try {
      managed = decodeManagedFields(requested);
      if (managed.size === 0) managed = decodeOrEmpty(live?.metadata.managedFields);
    } catch {
      managed = decodeOrEmpty(live?.metadata.managedFields);
    }
  }
  const nextV = withoutManagedFields(next)!;
  // On create, compare with the Go zero value's shape: metadata and spec exist, empty.
  const liveV = withoutManagedFields(live) ?? { metadata: {}, ...(isObject(nextV.spec) ? { spec: {} } : {}) };
  const t = typeOf(def);
  const reset = resetFields(def, tracking.subresource, nextV);
  const c = compare(liveV, nextV, t);
  const changed = excludeTopLevel(c.modified.union(c.added), reset);
  const removed = excludeTopLevel(c.removed, reset);
  // Everyone loses what this write changed or removed (an update always "forces").
  setAll(managed, (e) => e.set.difference(changed).difference(removed));
  const mine = changed.difference(STRIPPED_SET);
  if (!mine.empty()) {
    const apiVersion = apiVersionOf(def);
    const id: ManagerId = { manager: tracking.manager, operation: "Update", apiVersion, subresource: tracking.subresource };
    const key = managerKey(id);
    const prev = managed.get(key)?.set ?? new FieldSet();
    managed.set(key, { id, apiVersion, set: mine.union(prev), time: now });
    capManagers(managed);
  }
  return managed.size ? encodeManagedFields(managed) : undefined;
}

// ---- Apply ----

export interface ApplyRequest {
  manager: string;
  force: boolean;
  subresource?: string;
  now: string;
}

export interface ApplyResult {
  /** The live object with the configuration applied (managedFields set); the live object itself when nothing changed. */
  object: KubeObject;
  managedFields: Record<string, unknown>[] | undefined;
  /** The object's content (managedFields aside) is unchanged. */
  noop: boolean;
}

function parseGroupVersion(apiVersion: unknown): { group: string; version: string } {
  const s = typeof apiVersion === "string" ? apiVersion : "";
  const slash = s.indexOf("/");
  return slash < 0 ? { group: "", version: s } : { group: s.slice(0, slash), version: s.slice(slash + 1) };
}

/** Checks an applied configuration (version, kind, no managedFields) and drops the fields the schema lacks. */
export function checkConfiguration(def: KindDef, config: unknown, live: KubeObject | undefined, name: string): Record<string, unknown> {
  if (!isObject(config)) throw badRequest("the body of the request must be an object");
  const gv = parseGroupVersion(config.apiVersion);
  const kind = typeof config.kind === "string" ? config.kind : "";
  if (gv.group !== def.group || gv.version !== def.version || kind !== def.kind) {
    throw badRequest(`invalid object type: ${gv.group}/${gv.version}, Kind=${kind}`);
  }
  const meta = config.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest("metadata.managedFields must be nil");
  try {
    return cleanConfig(config, typeOf(def)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TypedError) {
      const ns = (live?.metadata.namespace ?? (isObject(meta) ? meta.namespace : undefined)) as string | undefined;
      const who = `${ns ? `${ns}/` : ""}${name}; ${def.group}/${def.version}, Kind=${def.kind}`;
      throw new StatusError(failure(500, "", `failed to create typed patch object (${who}): ${e.message}`));
    }
    throw e;
  }
}

/**
 * Server-side apply of `config` (checked by checkConfiguration) onto `live` (undefined: the
 * object is being created). Throws 409 Conflict listing the fields other managers own that the
 * configuration changes, unless `force`.
 */
export function applyConfiguration(def: KindDef, live: KubeObject | undefined, config: Record<string, unknown>, req: ApplyRequest): ApplyResult {
  try {
    return applyOnce(def, live, config, req, req.force);
  } catch (e) {
    // kubectl's upgrade from client-side apply (lastAppliedManager): conflicts on fields the
    // last-applied annotation set to their live values are the applier's own; apply with force.
    if (!(e instanceof ApplyConflicts) || req.manager !== "kubectl" || !live) throw e instanceof ApplyConflicts ? conflictError(e.conflicts) : e;
    const allowed = allowedFromLastApplied(def, live);
    if (!allowed) throw conflictError(e.conflicts);
    const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length) throw conflictError(remaining);
    return applyOnce(def, live, config, req, true);
  }
}

class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super("conflicts");
  }
}

function applyOnce(def: KindDef, live: KubeObject | undefined, config: Record<string, unknown>, req: ApplyRequest, force: boolean): ApplyResult {
  const t = typeOf(def);
  const apiVersion = apiVersionOf(def);
  const managed = decodeOrEmpty(live?.metadata.managedFields);
  const liveV = withoutManagedFields(live) ?? {};
  const reset = resetFields(def, req.subresource, config);

  let merged = merge(liveV, config, t) as Record<string, unknown>;
  const id: ManagerId = { manager: req.manager, operation: "Apply", subresource: req.subresource };
  const key = managerKey(id);
  const last = managed.get(key);
  const set = excludeTopLevel(toFieldSet(config, t, true), reset);
  managed.set(key, { id, apiVersion, set, time: last?.time });

  // Prune: what the manager applied last time, left out now, and nobody else owns.
  if (last && !last.set.empty()) {
    let owned = new FieldSet();
    for (const e of managed.values()) owned = owned.union(e.set);
    const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(merged, t), t);
    const drop = mergedSet.intersection(ensureNamedFieldsAreMembers(last.set, t)).difference(ensureNamedFieldsAreMembers(owned, t));
    merged = removeItems(merged, drop, t) as Record<string, unknown>;
  }

  // Other managers: conflicts on what changes, and they lose what is removed.
  const c = compare(liveV, merged, t);
  const changed = excludeTopLevel(c.modified.union(c.added), reset);
  const removed = excludeTopLevel(c.removed, reset);
  const conflicts: Conflict[] = [];
  const conflictSets = new Map<string, FieldSet>();
  for (const k of [...managed.keys()].sort()) {
    if (k === key) continue;
    const e = managed.get(k)!;
    const cs = e.set.intersection(changed);
    if (cs.empty()) continue;
    conflictSets.set(k, cs);
    for (const p of cs.paths()) conflicts.push({ id: e.id, apiVersion: e.apiVersion, path: p });
  }
  if (conflicts.length && !force) throw new ApplyConflicts(conflicts);
  setAll(managed, (e) => {
    if (managerKey(e.id) === key) return e.set;
    return e.set.difference(conflictSets.get(managerKey(e.id)) ?? new FieldSet()).difference(removed);
  });

  const mine = managed.get(key);
  if (mine) {
    const stripped = mine.set.difference(STRIPPED_SET);
    if (stripped.empty()) managed.delete(key);
    else managed.set(key, { ...mine, set: stripped });
  }
  const noop = !!live && deepEqual(liveV, merged);
  // Upstream stamps the time only when the object changed; a new entry gets one regardless.
  if (managed.has(key) && (!noop || !managed.get(key)!.time)) managed.set(key, { ...managed.get(key)!, time: req.now });
  const managedFields = managed.size ? encodeManagedFields(managed) : undefined;

  let object: KubeObject;
  if (noop) object = structuredClone(live!);
  else {
    object = merged as KubeObject;
    if (req.manager === "kubectl" && live && hasLastApplied(live)) setLastApplied(object, config);
  }
  if (!isObject(object.metadata)) object.metadata = {};
  if (managedFields) object.metadata.managedFields = managedFields;
  else delete object.metadata.managedFields;
  return { object, managedFields, noop };
}

// ---- kubectl's last-applied-configuration annotation ----

function hasLastApplied(obj: KubeObject): boolean {
  const v = obj.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  return typeof v === "string" && v !== "";
}

/** lastAppliedUpdater: a server-side apply by kubectl keeps the client-side annotation in step. */
function setLastApplied(obj: KubeObject, config: Record<string, unknown>): void {
  const copy = structuredClone(config) as KubeObject;
  if (isObject(copy.metadata) && isObject(copy.metadata.annotations)) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  const meta = (obj.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: JSON.stringify(copy) + "\n" };
}

/** The fields the last-applied annotation sets to their live values (lastAppliedManager). */
function allowedFromLastApplied(def: KindDef, live: KubeObject): FieldSet | undefined {
  if (!hasLastApplied(live)) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(live.metadata.annotations![LAST_APPLIED_ANNOTATION]);
  } catch {
    return undefined;
  }
  if (!isObject(last)) return undefined;
  const t = typeOf(def);
  try {
    const cleaned = cleanConfig(last, t);
    const set = toFieldSet(cleaned, t, true);
    const c = compare(cleaned, withoutManagedFields(live), t);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/**
 * Sets (or removes) metadata.managedFields keeping the key where the stored object has it, so
 * an update that changes nothing serializes exactly as the stored object (and is no write).
 */
export function placeManagedFields(meta: Record<string, unknown>, managedFields: unknown[] | undefined, like?: Record<string, unknown>): void {
  if (managedFields === undefined) {
    delete meta.managedFields;
    return;
  }
  if ("managedFields" in meta || !like || !("managedFields" in like)) {
    meta.managedFields = managedFields;
    return;
  }
  const order = Object.keys(like);
  const after = order[order.indexOf("managedFields") - 1];
  const entries = Object.entries(meta);
  const at = after !== undefined && after in meta ? entries.findIndex(([k]) => k === after) + 1 : entries.length;
  entries.splice(at, 0, ["managedFields", managedFields]);
  for (const k of Object.keys(meta)) delete meta[k];
  for (const [k, v] of entries) meta[k] = v;
}
