// RFC 6902 JSON patch (application/json-patch+json) with RFC 6901 pointers. Messages follow
// evanphx/json-patch, which kube-apiserver uses, so kubectl users read familiar errors.
// A malformed patch is a 400; a well-formed one that does not apply is a 422.
import { PatchError } from "./patch-error.js";
import { deepClone, deepEqual, getOwn, hasOwn, isPlainObject, jsonByteSize, setOwn, type JsonObject } from "./json-value.js";

/**
 * What `copy` operations may add to a document in all, in bytes of JSON: kube-apiserver's
 * JSONPatchMaxCopyBytes, which defaults to its request body limit. Without it a patch of a few
 * dozen copies, each duplicating the whole document, doubles it every time.
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

export type JsonPatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown }
  | { op: "move"; from: string; path: string }
  | { op: "copy"; from: string; path: string }
  | { op: "test"; path: string; value: unknown };

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** Checks the decoded body is a JSON patch document; throws a 400 PatchError if not. */
export function parseJsonPatch(ops: unknown): JsonPatchOp[] {
  if (!Array.isArray(ops)) {
    throw new PatchError(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`, 400);
  }
  return ops.map((raw, i) => {
    if (!isPlainObject(raw)) {
      throw new PatchError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type jsonpatch.Operation`, 400);
    }
    const op = raw.op;
    if (typeof op !== "string" || !OPS.has(op)) {
      throw new PatchError(`Unexpected kind: ${typeof op === "string" ? op : "unknown"}`, 400);
    }
    if (typeof raw.path !== "string") throw new PatchError(`${op} operation failed to decode path (operation ${i})`, 400);
    parsePointer(raw.path, op);
    if (op === "move" || op === "copy") {
      if (typeof raw.from !== "string") throw new PatchError(`${op} operation failed to decode from (operation ${i})`, 400);
      parsePointer(raw.from, op);
    }
    if ((op === "add" || op === "replace" || op === "test") && !hasOwn(raw, "value")) {
      throw new PatchError(`${op} operation does not apply: missing value (operation ${i})`, 400);
    }
    return raw as JsonPatchOp;
  });
}

/** Applies `ops` to a copy of `doc`; all or nothing. `maxCopyBytes` is for tests. */
export function applyJsonPatch(doc: unknown, ops: unknown, { maxCopyBytes = MAX_JSON_PATCH_COPY_BYTES } = {}): unknown {
  const patch = parseJsonPatch(ops);
  // The document lives in a box so that the root ("" pointer) is replaceable like any child.
  const box: JsonObject = { root: deepClone(doc) };
  let copied = 0;
  for (const op of patch) {
    switch (op.op) {
      case "add":
        add(box, op.path, deepClone(op.value), "add");
        break;
      case "remove":
        remove(box, op.path, "remove");
        break;
      case "replace":
        replace(box, op.path, deepClone(op.value));
        break;
      case "move": {
        if (op.from === op.path) {
          get(box, op.from, "move", "from path");
          break;
        }
        if (op.path.startsWith(op.from + "/")) {
          throw new PatchError(`move operation does not apply: cannot move ${op.from} into its own child ${op.path}`);
        }
        const value = remove(box, op.from, "move", "from path");
        add(box, op.path, value, "move");
        break;
      }
      case "copy": {
        const value = get(box, op.from, "copy", "from path");
        copied += jsonByteSize(value);
        if (copied > maxCopyBytes) {
          // evanphx/json-patch's AccumulatedCopySizeError; kube-apiserver answers it with a 422.
          throw new PatchError(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${maxCopyBytes}`);
        }
        add(box, op.path, deepClone(value), "copy");
        break;
      }
      case "test":
        test(box, op.path, op.value);
        break;
    }
  }
  return box.root;
}

type Container = JsonObject | unknown[];

/** RFC 6901 reference tokens; "" is the whole document. */
function parsePointer(pointer: string, op: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`${op} operation does not apply: invalid JSON pointer: ${pointer}`, 400);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new PatchError(`${op} operation does not apply: invalid JSON pointer escape in ${pointer}`, 400);
      return t.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

/** Walks to the parent of the pointer's last token; null when some step does not exist. */
function findParent(box: JsonObject, pointer: string, op: string): { parent: Container; key: string } | null {
  const tokens = ["root", ...parsePointer(pointer, op)];
  let cur: unknown = box;
  for (let i = 0; i < tokens.length - 1; i++) {
    cur = child(cur, tokens[i]);
    if (cur === undefined) return null;
  }
  if (!isPlainObject(cur) && !Array.isArray(cur)) return null;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function child(c: unknown, token: string): unknown {
  if (Array.isArray(c)) {
    const i = arrayIndex(token);
    return i !== null && i < c.length ? c[i] : undefined;
  }
  if (isPlainObject(c)) return getOwn(c, token);
  return undefined;
}

function arrayIndex(token: string): number | null {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : null;
}

function get(box: JsonObject, pointer: string, op: string, what = "path"): unknown {
  const found = findParent(box, pointer, op);
  const value = found ? child(found.parent, found.key) : undefined;
  if (value === undefined) throw new PatchError(`${op} operation does not apply: doc is missing ${what}: ${pointer}`);
  return value;
}

function add(box: JsonObject, pointer: string, value: unknown, op: string): void {
  const found = findParent(box, pointer, op);
  if (!found) throw new PatchError(`${op} operation does not apply: doc is missing path: ${pointer}`);
  const { parent, key } = found;
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : arrayIndex(key);
    if (i === null || i > parent.length) {
      throw new PatchError(`${op} operation does not apply: unable to access invalid index: ${key} in ${pointer}`);
    }
    parent.splice(i, 0, value);
  } else {
    setOwn(parent, key, value);
  }
}

function remove(box: JsonObject, pointer: string, op: string, what = "path"): unknown {
  if (pointer === "" && op === "remove") throw new PatchError(`remove operation does not apply: cannot remove the whole document`);
  const found = findParent(box, pointer, op);
  if (!found) throw new PatchError(`${op} operation does not apply: doc is missing ${what}: ${pointer}`);
  const { parent, key } = found;
  if (Array.isArray(parent)) {
    const i = arrayIndex(key);
    if (i === null || i >= parent.length) {
      throw new PatchError(`${op} operation does not apply: unable to access invalid index: ${key} in ${pointer}`);
    }
    return parent.splice(i, 1)[0];
  }
  if (!hasOwn(parent, key)) {
    throw new PatchError(`${op} operation does not apply: doc is missing ${what === "path" ? "key" : what}: ${pointer}`);
  }
  const value = parent[key];
  delete parent[key];
  return value;
}

function replace(box: JsonObject, pointer: string, value: unknown): void {
  const found = findParent(box, pointer, "replace");
  if (!found) throw new PatchError(`replace operation does not apply: doc is missing path: ${pointer}`);
  const { parent, key } = found;
  if (Array.isArray(parent)) {
    const i = arrayIndex(key);
    if (i === null || i >= parent.length) {
      throw new PatchError(`replace operation does not apply: unable to access invalid index: ${key} in ${pointer}`);
    }
    parent[i] = value;
    return;
  }
  if (!hasOwn(parent, key)) throw new PatchError(`replace operation does not apply: doc is missing key: ${pointer}`);
  setOwn(parent, key, value);
}

function test(box: JsonObject, pointer: string, expected: unknown): void {
  const found = findParent(box, pointer, "test");
  if (!found) throw new PatchError(`test operation does not apply: is missing path: ${pointer}`);
  const actual = child(found.parent, found.key);
  // evanphx treats a missing key as null, so `test … null` passes on an absent field.
  if (!deepEqual(actual === undefined ? null : actual, expected)) throw new PatchError(`testing value ${pointer} failed`);
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v;
}
