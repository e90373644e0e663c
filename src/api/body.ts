// Request bodies: JSON or YAML, at most 3 MiB (upstream's limit), checked against the URL's
// group, version and kind before anything is written.
import type { KindDef } from "../apis/types.js";
import { duplicateFields } from "../apis/unknown-fields.js";
import { badRequest, tooLarge, unsupportedMediaType } from "../lib/status.js";
import type { PatchType } from "../registry/requests.js";
import { PROTOBUF_CONTENT_TYPE, ProtobufError, decodeProtobufObject } from "./protobuf/index.js";
import { assertNestingWithin, parseJsonDocument, parseYamlDocument } from "../limits/documents.js";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

function decodeProtobuf(bytes: Uint8Array): unknown {
  try {
    return decodeProtobufObject(bytes).object;
  } catch (e) {
    if (e instanceof ProtobufError) throw badRequest(e.message);
    throw e;
  }
}

export async function readBody(req: Request): Promise<string> {
  return new TextDecoder().decode(await readBytes(req));
}

/** The body's bytes, refusing more than MAX_BODY_BYTES as upstream does. */
export async function readBytes(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return all;
}

function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
}

/** Parses a JSON or YAML document; 400 with the parser's complaint when it is malformed. */
export function parseDocument(text: string, type: string): unknown {
  if (text.trim() === "") throw badRequest("the body of the request was empty");
  // Bounded parsers: nesting depth and YAML aliases are limited (src/limits/documents.ts).
  if (type === "application/yaml" || type === "application/apply-patch+yaml" || type === "text/yaml") return parseYamlDocument(text);
  return parseJsonDocument(text);
}

/** A create/update body: an object whose apiVersion and kind, when given, are the URL's. */
export async function readObject(req: Request, def: KindDef, expectKind = def.kind, expectApiVersion?: string): Promise<{ body: unknown; duplicates: string[] }> {
  const type = mediaType(req);
  if (![PROTOBUF_CONTENT_TYPE, "application/json", "application/yaml", "text/yaml", "*/*"].includes(type)) {
    throw unsupportedMediaType(["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE]);
  }
  // kubectl sends built-in kinds as protobuf (kubectl create configmap, deployment, …).
  let doc: unknown;
  let duplicates: string[] = [];
  if (type === PROTOBUF_CONTENT_TYPE) {
    doc = decodeProtobuf(await readBytes(req));
    assertNestingWithin(doc);
  } else {
    const text = await readBody(req);
    doc = parseDocument(text, type);
    if (type === "application/json" || type === "*/*") duplicates = duplicateFields(text);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw badRequest(`the object provided is not a JSON object: got ${Array.isArray(doc) ? "an array" : typeof doc === "object" ? "null" : typeof doc}`);
  }
  const o = doc as { apiVersion?: unknown; kind?: unknown };
  for (const field of ["apiVersion", "kind"] as const) {
    const v = o[field];
    if (v !== undefined && v !== null && typeof v !== "string") {
      const got = Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
      throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${got} into Go struct field .${field} of type string`);
    }
  }
  const gv = expectApiVersion ?? (def.group ? `${def.group}/${def.version}` : def.version);
  if (o.apiVersion !== undefined && o.apiVersion !== "" && o.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (o.kind !== undefined && o.kind !== "" && o.kind !== expectKind) {
    throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${expectKind})`);
  }
  return { body: doc, duplicates };
}

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

export async function readPatch(req: Request): Promise<{ type: PatchType; patch: unknown }> {
  const ct = mediaType(req);
  const type = PATCH_TYPES[ct];
  if (!type) throw unsupportedMediaType(Object.keys(PATCH_TYPES));
  const patch = parseDocument(await readBody(req), ct);
  if (type === "json" && !Array.isArray(patch)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  if (type !== "json" && (typeof patch !== "object" || patch === null || Array.isArray(patch))) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`);
  }
  return { type, patch };
}
