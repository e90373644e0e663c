// Kubernetes strategic merge patch (application/strategic-merge-patch+json), ported from
// k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch → mergeMap / mergeSlice)
// so that kubectl apply, edit and patch produce the same objects here as against a real cluster.
// The Go struct tags upstream reads by reflection come in through PatchMeta instead.
//
// Deliberate differences from upstream, all about leaving no directive or null in stored JSON
// (upstream relies on decoding into Go structs to drop them):
// - a patch value that lands where the original has nothing (or a value of another type) is
//   itself merged into an empty value, so directives and nulls inside it are processed;
// - `$patch: replace` on a map does the same with the replacement map;
// - `$patch: merge` is accepted as the explicit default (upstream rejects it).
import { PatchError } from "./patch-error.js";
import { deepClone, getOwn, goFormat, goTypeName, hasOwn, isPlainObject, setOwn, type JsonObject } from "./json-value.js";

/** What upstream's struct tags say about one field. */
export interface FieldPatchMeta {
  /** For lists: "merge" merges by patchMergeKey (or as a set for primitives); anything else replaces.
   *  For maps: "replace" replaces the whole map; anything else merges key by key. */
  patchStrategy?: "merge" | "replace";
  patchMergeKey?: string;
  /** The field also carries the retainKeys strategy (only matters when computing patches). */
  retainKeys?: boolean;
}

/** Answers, for a field path from the root (object keys only, list indices omitted), its patch metadata. */
export interface PatchMeta {
  lookup(path: readonly string[]): FieldPatchMeta;
}

/** No field has a strategy: maps merge, lists replace. */
export const noPatchMeta: PatchMeta = { lookup: () => ({}) };

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER = "$setElementOrder";

// upstream's mergepatch errors, with the codes interpretStrategicMergePatchError gives them.
const errBadJSONDoc = () => new PatchError("invalid JSON document", 400);
const errBadPrimitiveList = () => new PatchError("invalid patch format of primitive list", 400);
const errBadRetainKeys = () => new PatchError("invalid patch format of retainKeys", 400);
const errBadSetElementOrder = () => new PatchError("invalid patch format of setElementOrder list", 400);
const errRetainKeysMismatch = () => new PatchError("patch content doesn't match retainKeys list", 422);
const errNoListOfLists = () => new PatchError("lists of lists are not supported", 422);
const errNoMergeKey = (m: unknown, key: string) =>
  new PatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`, 422);
const errBadPatchType = (t: unknown, m: JsonObject) =>
  new PatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`, 400);
const errBadArgType = (expected: string, actual: unknown) =>
  new PatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`, 422);

/**
 * Applies a strategic merge patch to `original` and returns the result; neither input is mutated.
 * Throws PatchError (400 for a malformed patch, 422 for one that cannot apply).
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): JsonObject {
  if (!isPlainObject(patch)) throw errBadJSONDoc();
  if (original !== null && original !== undefined && !isPlainObject(original)) throw errBadJSONDoc();
  return mergeMap(deepClone(original ?? {}) as JsonObject, deepClone(patch), [], meta);
}

// Everything below works on private copies and may mutate both arguments.

function mergeMap(original: JsonObject, patch: JsonObject, path: string[], meta: PatchMeta): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    switch (directive) {
      case "replace":
        return materializeMap(patch, path, meta);
      case "delete":
        return {};
      case "merge":
        break;
      default:
        throw errBadPatchType(directive, { ...patch, [DIRECTIVE]: directive });
    }
  }

  applyRetainKeysDirective(original, patch);
  applySetElementOrderDirectives(original, patch, path, meta);

  for (const key of Object.keys(patch)) {
    const patchV = patch[key];
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
      if (!Array.isArray(patchV)) throw errBadPrimitiveList();
      const current = getOwn(original, field);
      // Deleting from a list that is not there leaves it not there (upstream once added it).
      if (current === undefined || current === null) continue;
      if (!Array.isArray(current)) throw errBadArgType("[]interface {}", current);
      setOwn(original, field, current.filter((v) => !patchV.some((d) => d === v)));
      continue;
    }
    if (key.startsWith("$")) throw new PatchError(`unknown strategic merge patch directive: ${key}`, 400);

    if (patchV === null) {
      delete original[key];
      continue;
    }
    const childPath = [...path, key];
    const originalV = getOwn(original, key);
    if (isPlainObject(originalV) && isPlainObject(patchV)) {
      const fieldMeta = meta.lookup(childPath);
      setOwn(
        original,
        key,
        fieldMeta.patchStrategy === "replace" ? materializeMap(patchV, childPath, meta) : mergeMap(originalV, patchV, childPath, meta),
      );
    } else if (Array.isArray(originalV) && Array.isArray(patchV)) {
      setOwn(original, key, mergeSliceHandler(originalV, patchV, childPath, meta));
    } else {
      // Absent in the original, or of another type: the patch value wins.
      setOwn(original, key, materialize(patchV, childPath, meta));
    }
  }
  return original;
}

/** A patch value taken as is, with its own directives and nulls processed against nothing. */
function materialize(v: unknown, path: string[], meta: PatchMeta): unknown {
  if (isPlainObject(v)) return materializeMap(v, path, meta);
  if (Array.isArray(v)) return materializeList(v, path, meta);
  return v;
}

/**
 * A new list is taken as upstream takes it (no merge-key checks, duplicates kept), except that
 * in a merge list the `$patch` elements are dropped (`replace` keeps only the elements after
 * the directive is removed, which is all of them) and the maps' own directives are processed.
 */
function materializeList(list: unknown[], path: string[], meta: PatchMeta): unknown[] {
  if (meta.lookup(path).patchStrategy !== "merge") return list;
  if (sliceElementKind(list) !== "map") return list;
  return (list as JsonObject[]).filter((m) => !hasOwn(m, DIRECTIVE)).map((m) => materializeMap(m, path, meta));
}

function materializeMap(m: JsonObject, path: string[], meta: PatchMeta): JsonObject {
  return mergeMap({}, m, path, meta);
}

function mergeSliceHandler(original: unknown[], patch: unknown[], path: string[], meta: PatchMeta): unknown[] {
  const fieldMeta = meta.lookup(path);
  if (fieldMeta.patchStrategy !== "merge") return patch;
  return mergeSlice(original, patch, path, fieldMeta.patchMergeKey ?? "", meta);
}

type ElementKind = "map" | "scalar";

/** upstream's sliceElementType: every element of every slice has the same JSON type, and no lists. */
function sliceElementKind(...slices: unknown[][]): ElementKind | undefined {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = Array.isArray(v) ? "list" : isPlainObject(v) ? "map" : v === null ? "null" : typeof v;
      if (t === "list") throw errNoListOfLists();
      if (prev === undefined) prev = t;
      else if (prev !== t) {
        throw new PatchError(`list element types are not identical: ${slices.map((x) => goFormat(x)).join(" ")}`, 422);
      }
    }
  }
  if (prev === undefined) return undefined;
  return prev === "map" ? "map" : "scalar";
}

function mergeSlice(original: unknown[], patch: unknown[], path: string[], mergeKey: string, meta: PatchMeta): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch) ?? "scalar";

  let merged: unknown[];
  if (kind === "scalar") {
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${path.join(".")}`, 422);
    [original, patch] = mergeSliceWithSpecialElements(original as JsonObject[], patch as JsonObject[], mergeKey, path, meta);
    merged = mergeSliceWithoutSpecialElements(original as JsonObject[], patch as JsonObject[], mergeKey, path, meta);
  }

  // Enforce the order: patch items in patch order, server-only items where they were.
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey, kind);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** Handles `$patch` elements; returns the remaining original and the patch without them. */
function mergeSliceWithSpecialElements(
  original: JsonObject[],
  patch: JsonObject[],
  mergeKey: string,
  path: string[],
  meta: PatchMeta,
): [JsonObject[], JsonObject[]] {
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    switch (directive) {
      case "delete": {
        if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        const value = item[mergeKey];
        original = original.filter((o) => !(hasOwn(o, mergeKey) && o[mergeKey] === value));
        break;
      }
      case "replace":
        // Keep scanning so that the other directive elements are dropped.
        replace = true;
        break;
      case "merge":
        break;
      default:
        throw errBadPatchType(directive, item);
    }
  }
  if (replace) return [plain.map((m) => materializeMap(m, path, meta)), []];
  return [original, plain];
}

function mergeSliceWithoutSpecialElements(
  original: JsonObject[],
  patch: JsonObject[],
  mergeKey: string,
  path: string[],
  meta: PatchMeta,
): JsonObject[] {
  const merged = [...original];
  for (const item of patch) {
    if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const value = item[mergeKey];
    const i = merged.findIndex((o) => hasOwn(o, mergeKey) && o[mergeKey] === value);
    if (i >= 0) merged[i] = mergeMap(merged[i], item, path, meta);
    else merged.push(materializeMap(item, path, meta));
  }
  return merged;
}

function dedupe(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) if (!out.some((o) => o === v)) out.push(v);
  return out;
}

/** The value an element is identified by: its merge key for maps, itself for scalars. */
function identity(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== "map") return item;
  return isPlainObject(item) ? getOwn(item, mergeKey) : undefined;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

/** Splits `items` into those present in `by` and the rest (upstream's partition*ByPresentInList). */
function partition(items: unknown[], by: unknown[], mergeKey: string, kind: ElementKind): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const v of items) {
    if (kind === "map") {
      if (!isPlainObject(v)) throw errBadArgType("map[string]interface {}", v);
      if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      for (const b of by) if (!isPlainObject(b)) throw new PatchError(`value for key ${goFormat(b)} is not a map.`, 422);
    }
    (indexIn(by, v, mergeKey, kind) >= 0 ? present : absent).push(v);
  }
  return [present, absent];
}

/**
 * upstream's normalizeElementOrder: sorts the patch items by `patchOrder` and the server-only
 * items by `serverOrder`, then interleaves them, keeping each group's relative order.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const sortedPatch = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toDelete: unknown[] = [];
  if (kind === "map") {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isPlainObject(item)) throw errBadArgType("map[string]interface {}", item);
        if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    toDelete = toSort.filter((v) => isDeleteDirective(v));
    toSort = toSort.filter((v) => !isDeleteDirective(v));
  }
  // Stable sort by position in `order`; items not in it go last, in their current order.
  const rank = (v: unknown) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = toSort
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
  return [...sorted, ...toDelete];
}

/**
 * Interleaves two sorted, disjoint lists. An item of `left` (server-only) goes before the next
 * item of `right` (patch) only if both appear in `serverOrder` and it came first there; so new
 * items, which the server never saw, come before the remaining server-only items, as upstream.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function isDeleteDirective(v: unknown): boolean {
  return isPlainObject(v) && getOwn(v, DIRECTIVE) === "delete";
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPrimitiveList();
    if (prefix === SET_ELEMENT_ORDER) throw errBadSetElementOrder();
    throw new PatchError(`fail to find unknown prefix "${prefix}" in ${key}`, 400);
  }
  return key.slice(slash + 1);
}

/**
 * `$retainKeys: [...]`: keys of the original not listed are cleared; every non-null key the
 * patch sets must be listed.
 */
function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadRetainKeys();
  const keep = new Set(retain.filter((k): k is string => typeof k === "string"));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errRetainKeysMismatch();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<field>: [...]` (sent by kubectl apply, edit and patch computed from a
 * diff): merges the field's patch list if any, then orders the result: the listed items in
 * the listed order, the server-only items interleaved where they were.
 */
function applySetElementOrderDirectives(original: JsonObject, patch: JsonObject, path: string[], meta: PatchMeta): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadSetElementOrder();
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const childPath = [...path, field];

    const originalV = getOwn(original, field);
    const patchV = getOwn(patch, field);
    const foundOriginal = originalV !== undefined && originalV !== null;
    // A null patch list deletes the field; the main loop does that.
    if (patchV === null) continue;
    const foundPatch = patchV !== undefined;
    if (foundOriginal && !Array.isArray(originalV)) throw errBadArgType("[]interface {}", originalV);
    if (foundPatch && !Array.isArray(patchV)) throw errBadArgType("[]interface {}", patchV);
    if (!foundOriginal && !foundPatch) continue;

    const fieldMeta = meta.lookup(childPath);
    const mergeKey = fieldMeta.patchStrategy === "merge" ? (fieldMeta.patchMergeKey ?? "") : "";
    const originalList = (foundOriginal ? originalV : []) as unknown[];
    const patchList = (foundPatch ? patchV : []) as unknown[];
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    const merged = !foundPatch
      ? originalList
      : foundOriginal
        ? mergeSliceHandler(originalList, patchList, childPath, meta)
        : materializeList(patchList, childPath, meta);
    delete patch[field];
    const kind = sliceElementKind(originalList, patchList) ?? sliceElementKind(merged);
    if (kind === undefined) {
      setOwn(original, field, merged);
      continue;
    }
    if (kind === "map" && !mergeKey) throw new PatchError(`cannot merge lists without merge key for ${childPath.join(".")}`, 422);
    const [patchItems, serverOnly] = partition(merged, order, mergeKey, kind);
    setOwn(original, field, normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, kind));
  }
}

/**
 * The patch list's items (deletions aside) must appear in the `$setElementOrder` list, in the
 * same relative order.
 */
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isPlainObject(v)) throw errBadArgType("map[string]interface {}", v);
    nonDelete = patchList.filter((v) => !isDeleteDirective(v));
  }
  const keyEqual = (a: unknown, b: unknown): boolean => {
    if (!mergeKey) return a === b;
    if (!isPlainObject(a)) throw errBadArgType("map[string]interface {}", a);
    if (!isPlainObject(b)) throw errBadArgType("map[string]interface {}", b);
    if (!hasOwn(a, mergeKey)) throw errNoMergeKey(a, mergeKey);
    if (!hasOwn(b, mergeKey)) throw errNoMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    if (isPlainObject(nonDelete[p]) && hasOwn(nonDelete[p] as JsonObject, DIRECTIVE)) {
      p++;
      continue;
    }
    if (keyEqual(nonDelete[p], order[s])) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw new PatchError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
      422,
    );
  }
}
