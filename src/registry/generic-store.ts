// The generic registry (apiserver's genericregistry.Store): create, get, list, update, patch,
// delete and deletecollection for any kind, over one Storage holding one namespace. Kind
// specifics come from the KindDef (schema, defaults, validation) and strategy.ts.
import { decodeObject } from "../apis/decode.js";
import type { KindDef, KubeObject } from "../apis/types.js";
import { validateObjectMeta } from "../apis/validation.js";
import { JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, applyPatch } from "../api/patch/index.js";
import { isPatchError } from "../api/patch/patch-error.js";
import { rfc3339, type Clock } from "../lib/clock.js";
import { invalid as invalidField, required as requiredField, type FieldError } from "../lib/field-errors.js";
import {
  OBJECT_MODIFIED,
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  failure,
  forbidden,
  invalid,
  notFound,
  resourceVersionTooLarge,
} from "../lib/status.js";
import { isStorageError } from "../storage/errors.js";
import type { Storage } from "../storage/interface.js";
import { applyConfiguration, checkConfiguration, placeManagedFields, trackUpdate, updateTracking, type Tracking } from "./apply/field-manager.js";
import { revisionFor } from "./composite-rv.js";
import { decodeContinue, encodeContinue, encodeInconsistentContinue } from "./continue-token.js";
import { kindStorage } from "./kind-storage.js";
import { randomSuffix } from "./names.js";
import { buildPredicate } from "./predicate.js";
import type { DeleteOptions, ListQuery, PatchType, WriteOptions } from "./requests.js";
import { deleteMarksTerminating, gracePeriodFor, resetStatusForCreate, specOf, tracksGeneration } from "./strategy.js";
import { fieldValidation } from "./field-validation.js";
import { checkPreconditions, deletedResult, hasNamespaceFinalizers, propagationFinalizers } from "./deletion.js";
import { apiVersionOf, groupResource } from "./kind-names.js";
import { checkSize, dropEmptyMetadata, stripTypeMeta, withSpecOf } from "./object-shape.js";
import { mergeScale, requestedReplicas, toScale } from "./scale.js";
import { parseResourceVersion, storageToStatus } from "./storage-status.js";
import { canonicalJson } from "../lib/canonical-json.js";

export interface WriteResult {
  code: number;
  body: unknown;
  warnings?: string[];
}

/** The Content-Type each patch type arrives with (src/api/body.ts reads it). */
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: JSON_PATCH,
  merge: MERGE_PATCH,
  strategic: STRATEGIC_MERGE_PATCH,
  apply: "application/apply-patch+yaml",
};

/** Thrown inside a storage transaction to run everything but the write (dryRun=All). */
class DryRun extends Error {
  constructor(readonly object: KubeObject) {
    super("dry run");
  }
}

export class GenericStore {
  constructor(
    private readonly storage: Storage,
    /** The namespace this store holds; "" for the cluster-scoped store. */
    private readonly namespace: string,
    private readonly now: Clock = Date.now,
    /** Admission (src/admission), run on every object about to be written, after its validation. */
    private readonly admission?: { admit(def: KindDef, obj: KubeObject, old?: KubeObject): void },
  ) {}

  get(def: KindDef, name: string, subresource?: string): KubeObject {
    const obj = kindStorage(this.storage, def).get(name);
    if (!obj) throw notFound(groupResource(def), name);
    if (subresource === "scale") return toScale(def, obj);
    return obj;
  }

  list(def: KindDef, q: ListQuery): KubeObject {
    const { predicate, atRevision, startAfter } = this.listStart(def, q);
    const res = this.page(def, q, { atRevision, startAfter, limit: q.limit && q.limit > 0 ? q.limit : undefined, filter: predicate.everything ? undefined : predicate });
    const metadata: Record<string, unknown> = { resourceVersion: String(res.revision) };
    if (res.continueAfter !== undefined) {
      metadata.continue = encodeContinue(res.revision, res.continueAfter);
      // An estimate, as upstream documents it; unknown (left out) when selectors filter the list.
      if (predicate.everything) metadata.remainingItemCount = kindStorage(this.storage, def).count(res.continueAfter);
    }
    return { apiVersion: apiVersionOf(def), kind: def.listKind, metadata, items: res.items.map(stripTypeMeta) };
  }

  /**
   * A list without a limit as chunks of JSON text, read page by page over one snapshot, so a
   * store holding many objects never builds the whole answer in memory. The first page is read
   * at once, so a bad request fails before anything is sent. `itemsOnly` leaves out the list
   * envelope and starts every page with a comma (the Worker joins stores' items that way).
   */
  listChunks(def: KindDef, q: ListQuery, opts: { itemsOnly?: boolean; pageSize?: number } = {}): { revision: number; chunks: Generator<string> } {
    const { predicate, atRevision, startAfter } = this.listStart(def, q);
    const pageSize = opts.pageSize ?? 500;
    const filter = predicate.everything ? undefined : predicate;
    const first = this.page(def, q, { atRevision, startAfter, limit: pageSize, filter });
    const revision = first.revision;
    const kinds = kindStorage(this.storage, def);
    function* chunks(): Generator<string> {
      if (!opts.itemsOnly) {
        yield `{"apiVersion":${JSON.stringify(apiVersionOf(def))},"kind":${JSON.stringify(def.listKind)},"metadata":{"resourceVersion":"${revision}"},"items":[`;
      }
      let page = first;
      let count = 0;
      for (;;) {
        if (page.items.length) {
          const text = page.items.map((o) => JSON.stringify(stripTypeMeta(o))).join(",");
          yield (opts.itemsOnly || count > 0 ? "," : "") + text;
          count += page.items.length;
        }
        if (page.continueAfter === undefined) break;
        page = kinds.list({ atRevision: revision, startAfter: page.continueAfter, limit: pageSize, filter });
      }
      if (!opts.itemsOnly) yield "]}";
    }
    return { revision, chunks: chunks() };
  }

  private page(def: KindDef, q: ListQuery, opts: Parameters<Storage["list"]>[1]) {
    try {
      return kindStorage(this.storage, def).list(opts);
    } catch (e) {
      if (isStorageError(e, "Expired") && q.continue) {
        const err = expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to list from the most recent state.",
        );
        err.status.metadata = { continue: encodeInconsistentContinue(opts?.startAfter ?? "") };
        throw err;
      }
      throw storageToStatus(def, e);
    }
  }

  /** Where a list starts: its predicate, snapshot revision and first key, from the query. */
  private listStart(def: KindDef, q: ListQuery): { predicate: ReturnType<typeof buildPredicate>; atRevision?: number; startAfter?: string } {
    const predicate = buildPredicate(def, q.labelSelector, q.fieldSelector);
    let atRevision: number | undefined;
    let startAfter: string | undefined;
    if (q.continue) {
      if (q.resourceVersion && q.resourceVersion !== "0") {
        throw badRequest("specifying resource version is not allowed when using continue");
      }
      const token = decodeContinue(q.continue);
      startAfter = token.startAfter;
      atRevision = token.rv === -1 ? undefined : token.rv;
    } else if (q.resourceVersion !== undefined && q.resourceVersion !== "") {
      const rv = parseResourceVersion(q.resourceVersion);
      const current = this.storage.currentRevision();
      if (q.resourceVersionMatch === "Exact") {
        if (rv === 0) throw badRequest(`resourceVersionMatch "Exact" is forbidden for resourceVersion "0"`);
        if (rv > current) throw resourceVersionTooLarge(rv, current);
        atRevision = rv;
      } else if (q.resourceVersionMatch && q.resourceVersionMatch !== "NotOlderThan") {
        throw badRequest(`resourceVersionMatch: Unsupported value: "${q.resourceVersionMatch}": supported values: "Exact", "NotOlderThan", ""`);
      } else if (rv > current) {
        throw resourceVersionTooLarge(rv, current);
      }
    } else if (q.resourceVersionMatch) {
      throw badRequest(`resourceVersionMatch is forbidden unless resourceVersion is provided`);
    }
    return { predicate, atRevision, startAfter };
  }

  create(def: KindDef, raw: unknown, opts: WriteOptions = {}): WriteResult {
    const warnings = fieldValidation(def, raw, opts);
    const obj = this.decode(def, raw);
    this.checkNamespace(def, obj);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    this.prepareForCreate(def, obj, updateTracking(opts), opts);
    this.validate(def, obj);
    for (let attempt = 0; ; attempt++) {
      const name = obj.metadata.name as string;
      if (opts.dryRun) {
        if (kindStorage(this.storage, def).get(name)) throw alreadyExists(groupResource(def), name);
        return { code: 201, body: obj, warnings };
      }
      try {
        return { code: 201, body: kindStorage(this.storage, def).create(name, obj), warnings };
      } catch (e) {
        if (generated && isStorageError(e, "Exists") && attempt < 8) {
          obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
          continue;
        }
        throw storageToStatus(def, e);
      }
    }
  }

  update(def: KindDef, name: string, raw: unknown, subresource: string | undefined, opts: WriteOptions = {}): WriteResult {
    if (subresource === "scale") return this.updateScale(def, name, (scale) => mergeScale(name, scale, raw), opts);
    const warnings = fieldValidation(def, raw, opts);
    const incoming = this.decode(def, raw);
    if (incoming.metadata.name === undefined || incoming.metadata.name === "") incoming.metadata.name = name;
    if (incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(def, incoming);
    const res = this.write(def, name, opts, (current) => {
      if (!current) {
        if (!def.allowCreateOnUpdate || subresource || opts.noCreate) throw notFound(groupResource(def), name);
        this.prepareForCreate(def, incoming, updateTracking(opts), opts);
        this.validate(def, incoming);
        return incoming;
      }
      return this.prepareUpdate(def, current, incoming, subresource, true, updateTracking(opts, subresource), opts);
    });
    return { ...res, warnings };
  }

  patch(def: KindDef, name: string, type: PatchType, patch: unknown, subresource: string | undefined, opts: WriteOptions = {}): WriteResult {
    if (opts.force !== undefined && type !== "apply") {
      throw invalid("PatchOptions", "meta.k8s.io", "", [{ type: "FieldValueForbidden", field: "force", detail: "may not be specified for non-apply patch" }]);
    }
    if (type === "apply") {
      // Server-side apply (src/registry/apply): merge the configuration, track managedFields.
      if (!opts.fieldManager) throw invalid("PatchOptions", "meta.k8s.io", "", [requiredField("fieldManager", "is required for apply patch")]);
      if (subresource && subresource !== "status") throw new StatusError(failure(415, "UnsupportedMediaType", `server-side apply is not supported on the ${subresource} subresource`));
      const warnings = fieldValidation(def, patch, opts);
      const req = { manager: opts.fieldManager, force: !!opts.force, subresource, now: rfc3339(this.now()) };
      const res = this.write(def, name, opts, (current) => {
        const config = checkConfiguration(def, patch, current, name);
        if (!current && subresource) throw notFound(groupResource(def), name);
        const out = applyConfiguration(def, current, config, req);
        if (current && out.noop) return out.object;
        const incoming = this.decode(def, out.object);
        if (!incoming.metadata.name) incoming.metadata.name = name;
        if (incoming.metadata.name !== name) {
          throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
        }
        this.checkNamespace(def, incoming);
        const tracking: Tracking = { operation: "Apply", managedFields: out.managedFields };
        if (!current) {
          this.prepareForCreate(def, incoming, tracking, opts);
          this.validate(def, incoming);
          return incoming;
        }
        return this.prepareUpdate(def, current, incoming, subresource, true, tracking, opts);
      });
      return { ...res, warnings };
    }
    if (subresource === "scale") {
      return this.updateScale(def, name, (scale) => this.applyPatch(def, name, type, scale, patch), opts);
    }
    let warnings: string[] = [];
    const res = this.write(def, name, opts, (current) => {
      if (!current) throw notFound(groupResource(def), name);
      const patched = this.applyPatch(def, name, type, current, patch);
      warnings = fieldValidation(def, patched, opts);
      const incoming = this.decode(def, patched);
      if (incoming.metadata.name !== name) {
        throw invalid(def.kind, def.group, name, [invalidField("metadata.name", incoming.metadata.name, "field is immutable")]);
      }
      this.checkNamespace(def, incoming);
      return this.prepareUpdate(def, current, incoming, subresource, true, updateTracking(opts, subresource), opts);
    });
    return { ...res, warnings };
  }

  delete(def: KindDef, name: string, opts: DeleteOptions = {}): WriteResult {
    const current = kindStorage(this.storage, def).get(name);
    if (!current) throw notFound(groupResource(def), name);
    const pre = opts.preconditions;
    checkPreconditions(def, name, current, pre?.resourceVersion ? { ...pre, resourceVersion: revisionFor(pre.resourceVersion, this.namespace) } : pre);
    const meta = current.metadata;
    const addFinalizers = propagationFinalizers(opts);
    const finalizers = [...(meta.finalizers ?? [])];
    for (const f of addFinalizers) if (!finalizers.includes(f)) finalizers.push(f);
    const nsFinalizers = deleteMarksTerminating(def) ? ((current.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    const pending = finalizers.length > 0 || nsFinalizers.length > 0;
    const grace = gracePeriodFor(def, current, opts.gracePeriodSeconds);

    if (!pending && (grace === 0 || (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) === 0))) {
      // Immediate removal.
      if (opts.dryRun) return deletedResult(def, current);
      const gone = kindStorage(this.storage, def).delete(name, (cur) => {
        if (cur.metadata.resourceVersion !== meta.resourceVersion) throw conflict(groupResource(def), name, OBJECT_MODIFIED);
      });
      return deletedResult(def, gone);
    }
    // Graceful or finalizer-held deletion: mark the object and keep it.
    const next = structuredClone(current);
    const m = next.metadata;
    const nowMs = this.now();
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = rfc3339(nowMs + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
      if (m.generation !== undefined) m.generation += 1;
    } else if (grace < (m.deletionGracePeriodSeconds ?? 0)) {
      // A shorter grace period wins (kubectl delete --grace-period=1 after a default delete).
      m.deletionTimestamp = rfc3339(nowMs + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
    }
    if (finalizers.length) m.finalizers = finalizers;
    if (deleteMarksTerminating(def)) next.status = { ...((next.status as object) ?? {}), phase: "Terminating" };
    if (opts.dryRun) return { code: 200, body: next };
    const out = kindStorage(this.storage, def).guaranteedUpdate(name, (cur) => {
      if (!cur || cur.metadata.resourceVersion !== meta.resourceVersion) throw conflict(groupResource(def), name, OBJECT_MODIFIED);
      return next;
    });
    return { code: 200, body: out.object };
  }

  deleteCollection(def: KindDef, q: ListQuery, opts: DeleteOptions = {}): WriteResult {
    const predicate = buildPredicate(def, q.labelSelector, q.fieldSelector);
    const res = kindStorage(this.storage, def).list({ filter: predicate.everything ? undefined : predicate });
    const items: KubeObject[] = [];
    for (const obj of res.items) {
      try {
        const r = this.delete(def, obj.metadata.name as string, { ...opts, preconditions: undefined });
        const body = r.body as KubeObject;
        items.push(body.kind === "Status" ? obj : body);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) continue;
        throw e;
      }
    }
    return {
      code: 200,
      body: { apiVersion: apiVersionOf(def), kind: def.listKind, metadata: { resourceVersion: String(this.storage.currentRevision()) }, items: items.map(stripTypeMeta) },
    };
  }

  // ---- internals ----

  /** Runs one read-modify-write; finishes deletion when an update lets go of the last finalizer. */
  private write(def: KindDef, name: string, opts: WriteOptions, tryUpdate: (current: KubeObject | undefined) => KubeObject): WriteResult {
    let outcome;
    try {
      outcome = kindStorage(this.storage, def).guaranteedUpdate(name,
        (current) => {
          const next = tryUpdate(current);
          checkSize(next);
          if (opts.dryRun) throw new DryRun(next);
          return next;
        },
        { ignoreNotFound: true },
      );
    } catch (e) {
      if (e instanceof DryRun) return { code: 200, body: e.object };
      throw storageToStatus(def, e);
    }
    const obj = outcome.object;
    const created = outcome.status === "written" && outcome.created;
    const meta = obj.metadata;
    if (!created && meta.deletionTimestamp && !(meta.finalizers?.length) && !hasNamespaceFinalizers(def, obj) && (meta.deletionGracePeriodSeconds ?? 0) === 0) {
      const gone = kindStorage(this.storage, def).delete(name);
      return { code: 200, body: gone };
    }
    return { code: created ? 201 : 200, body: obj };
  }

  private decode(def: KindDef, raw: unknown): KubeObject {
    const res = decodeObject(def, raw);
    if (!res.ok) throw new StatusError(res.status);
    const { apiVersion: _a, kind: _k, metadata, ...rest } = res.obj as KubeObject;
    return { apiVersion: apiVersionOf(def), kind: def.kind, metadata: metadata ?? {}, ...rest } as KubeObject;
  }

  private checkNamespace(def: KindDef, obj: KubeObject): void {
    const meta = obj.metadata;
    if (!def.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace && meta.namespace !== this.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.namespace = this.namespace;
  }

  private prepareForCreate(def: KindDef, obj: KubeObject, tracking: Tracking = updateTracking({}), opts: WriteOptions = {}): void {
    const meta = obj.metadata;
    const requestedManagedFields = meta.managedFields;
    meta.uid = opts.uid ?? crypto.randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    delete meta.managedFields;
    if (tracksGeneration(def)) meta.generation = 1;
    else delete meta.generation;
    resetStatusForCreate(def, obj);
    def.applyDefaults?.(obj);
    def.prepareForCreate?.(obj);
    if (opts.allocated) def.applyAllocated?.(obj, opts.allocated);
    // managedFields: the request's own (if any) are the starting point, as upstream.
    const managedFields = tracking.operation === "Apply" ? tracking.managedFields : trackUpdate(def, undefined, obj, requestedManagedFields, tracking, rfc3339(this.now()));
    if (managedFields) obj.metadata.managedFields = managedFields;
  }

  private prepareUpdate(def: KindDef, current: KubeObject, incoming: KubeObject, subresource: string | undefined, preconditionFromBody: boolean, tracking: Tracking = updateTracking({}, subresource), opts: WriteOptions = {}): KubeObject {
    const name = current.metadata.name as string;
    const rv = incoming.metadata.resourceVersion ? revisionFor(incoming.metadata.resourceVersion, this.namespace) : undefined;
    if (preconditionFromBody) {
      if (rv) {
        if (rv !== current.metadata.resourceVersion) throw conflict(groupResource(def), name, OBJECT_MODIFIED);
      } else if (!def.allowUnconditionalUpdate) {
        throw invalid(def.kind, def.group, name, [invalidField("metadata.resourceVersion", 0, "must be specified for an update")]);
      }
    }
    if (subresource && subresource !== "status" && subresource !== "finalize") {
      throw badRequest(`subresource ${subresource} does not support this operation`);
    }
    let next: KubeObject;
    if (subresource === "status") {
      // Upstream's status strategies: the spec stays as stored, metadata may change (apps kinds
      // keep their labels, pods their ownerReferences), status is the request's.
      next = withSpecOf(incoming, current);
      if (def.group === "apps") next.metadata.labels = current.metadata.labels;
      if (def.group === "" && def.kind === "Pod") next.metadata.ownerReferences = current.metadata.ownerReferences;
    } else if (subresource === "finalize") {
      // namespaces/finalize: only spec.finalizers changes (the namespace controller's last step).
      next = structuredClone(current);
      const finalizers = (incoming.spec as { finalizers?: string[] } | undefined)?.finalizers;
      next.spec = { ...((next.spec as object) ?? {}), finalizers: finalizers ?? [] };
    } else {
      next = incoming;
      if (def.hasStatus) next.status = current.status;
    }
    const nm = next.metadata;
    const cm = current.metadata;
    const errs: FieldError[] = [];
    if (nm.uid && nm.uid !== cm.uid) errs.push(invalidField("metadata.uid", nm.uid, "field is immutable"));
    if (errs.length) throw invalid(def.kind, def.group, name, errs);
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    nm.resourceVersion = cm.resourceVersion;
    if (cm.deletionTimestamp) {
      nm.deletionTimestamp = cm.deletionTimestamp;
      nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete nm.deletionTimestamp;
      delete nm.deletionGracePeriodSeconds;
    }
    if (cm.deletionTimestamp) {
      // Finalizers may only go away once deletion started; none may be added (upstream's rule).
      const added = (nm.finalizers ?? []).filter((f) => !(cm.finalizers ?? []).includes(f));
      if (added.length) throw invalid(def.kind, def.group, name, [{ type: "FieldValueForbidden", field: "metadata.finalizers", detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
    }
    const requestedManagedFields = nm.managedFields;
    delete nm.selfLink;
    if (!subresource) def.prepareForUpdate?.(next, current);
    if (!subresource && opts.allocated) def.applyAllocated?.(next, opts.allocated);
    def.applyDefaults?.(next);
    if (tracksGeneration(def)) {
      // Semantic equality of the defaulted specs, as upstream: key order, nil and empty do not count.
      nm.generation = cm.generation ?? 1;
      if (subresource !== "status" && canonicalJson(specOf(def, next), { dropEmpty: true }) !== canonicalJson(specOf(def, current), { dropEmpty: true })) nm.generation += 1;
    }
    const managedFields = tracking.operation === "Apply" ? tracking.managedFields : trackUpdate(def, current, next, requestedManagedFields, tracking, rfc3339(this.now()));
    placeManagedFields(nm, managedFields, cm);
    this.validate(def, next, current);
    return next;
  }

  private validate(def: KindDef, obj: KubeObject, old?: KubeObject): void {
    dropEmptyMetadata(obj);
    const errs = [...validateObjectMeta(obj.metadata, def.namespaced, def.nameRule), ...(def.validate?.(obj, old) ?? [])];
    if (old && def.validateUpdate) errs.push(...def.validateUpdate(obj, old));
    if (errs.length) throw invalid(def.kind, def.group, (obj.metadata.name ?? obj.metadata.generateName ?? "") as string, errs);
    checkSize(obj);
    this.admission?.admit(def, obj, old);
  }

  private applyPatch(def: KindDef, name: string, type: PatchType, current: unknown, patch: unknown): KubeObject {
    try {
      return applyPatch(PATCH_CONTENT_TYPES[type], current, patch, def) as KubeObject;
    } catch (e) {
      if (isPatchError(e)) {
        if (e.code === 400) throw badRequest(e.message);
        if (e.code === 415) throw new StatusError(failure(415, "UnsupportedMediaType", e.message));
        throw new StatusError(failure(422, "Invalid", e.message, { name, group: def.group || undefined, kind: def.plural }));
      }
      throw e;
    }
  }

  // ---- scale subresource ----

  private updateScale(def: KindDef, name: string, change: (scale: KubeObject) => KubeObject, opts: WriteOptions): WriteResult {
    if (!def.scale) throw notFound(groupResource(def), name);
    const res = this.write(def, name, opts, (current) => {
      if (!current) throw notFound(groupResource(def), name);
      const scale = change(toScale(def, current));
      const rawRv = (scale.metadata ?? {}).resourceVersion;
      const rv = rawRv ? revisionFor(rawRv, this.namespace) : undefined;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(groupResource(def), name, OBJECT_MODIFIED);
      const next = structuredClone(current);
      (next.spec as { replicas?: number }).replicas = requestedReplicas(name, scale);
      return this.prepareUpdate(def, current, next, undefined, false, updateTracking(opts, "scale"));
    });
    return { code: res.code === 201 ? 200 : res.code, body: toScale(def, res.body as KubeObject) };
  }
}
