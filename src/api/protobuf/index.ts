// Why this exists: the public face of the Kubernetes protobuf codec — `k8s\0` + runtime.Unknown
// envelopes in and out, translated to and from the JSON objects the rest of edgeplane works with.

import { decodeMessage, encodeMessage, nested } from "./codec.js";
import { MESSAGES, messageFor } from "./descriptors/index.js";
import { ProtobufError, notRegistered } from "./errors.js";
import { Reader, Writer, WIRE_LEN } from "./wire.js";

export { ProtobufError, type ProtobufErrorReason } from "./errors.js";
export { registeredKinds } from "./descriptors/index.js";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
/** Content type of a protobuf watch stream: length-prefixed WatchEvent frames. */
export const PROTOBUF_WATCH_CONTENT_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";

/** The four magic bytes before every envelope: "k8s" then encoding style 0 (runtime.Unknown). */
export const PROTOBUF_MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** The `k8s\0` magic and runtime.Unknown envelope: apiVersion, kind and the raw message. */
export function readEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length === 0) throw new ProtobufError("Malformed", "empty data");
  if (bytes.length < 4 || !PROTOBUF_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new ProtobufError("Malformed", "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  }
  if (bytes.length === 4) throw new ProtobufError("Malformed", "empty body");
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array = new Uint8Array(0);
  const r = new Reader(bytes, 4);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) {
      const { start, end } = r.lengthDelimited();
      const tm = new Reader(bytes, start, end);
      while (!tm.done()) {
        const t = tm.tag();
        if (t.field === 1 && t.wire === WIRE_LEN) apiVersion = tm.string();
        else if (t.field === 2 && t.wire === WIRE_LEN) kind = tm.string();
        else tm.skip(t.wire);
      }
    } else if (field === 2 && wire === WIRE_LEN) {
      raw = r.bytes();
    } else {
      r.skip(wire);
    }
  }
  const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
  if (!kind) throw new ProtobufError("MissingKind", `Object 'Kind' is missing in '${typeMeta}'`);
  if (!apiVersion) throw new ProtobufError("MissingVersion", `Object 'apiVersion' is missing in '${typeMeta}'`);
  return { apiVersion, kind, raw };
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body into the object's JSON form, with
 * apiVersion and kind taken from the envelope. Throws ProtobufError on bad bytes or a kind we
 * do not serve.
 */
export function decodeProtobufObject(bytes: Uint8Array): DecodedObject {
  const env = readEnvelope(bytes);
  const desc = messageFor(env.apiVersion, env.kind);
  if (!desc) throw notRegistered(env.kind, env.apiVersion);
  const body = decodeMessage(desc, env.raw);
  return { apiVersion: env.apiVersion, kind: env.kind, object: { apiVersion: env.apiVersion, kind: env.kind, ...body } };
}

nested.decode = (bytes) => decodeProtobufObject(bytes).object;

/** True when a body starts with the protobuf magic (what upstream's RecognizesData checks). */
export function isProtobufBody(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && PROTOBUF_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Encodes a JSON object ({apiVersion, kind, ...}) as magic + runtime.Unknown envelope + message.
 * Lists use kind "XList" ({1: ListMeta, 2: repeated X}); Status and DeleteOptions work in any
 * group version. Fields the descriptors do not know are dropped (as a Go client would drop them).
 */
export function encodeProtobufObject(obj: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown }): Uint8Array {
  const { apiVersion, kind } = obj;
  if (typeof kind !== "string" || !kind) throw new ProtobufError("MissingKind", "Object 'Kind' is missing in object");
  if (typeof apiVersion !== "string" || !apiVersion) throw new ProtobufError("MissingVersion", "Object 'apiVersion' is missing in object");
  const desc = messageFor(apiVersion, kind);
  if (!desc) throw notRegistered(kind, apiVersion);
  const raw = encodeMessage(desc, obj);
  const typeMeta = new Writer();
  typeMeta.tag(1, WIRE_LEN);
  typeMeta.string(apiVersion);
  typeMeta.tag(2, WIRE_LEN);
  typeMeta.string(kind);
  const w = new Writer();
  w.raw(PROTOBUF_MAGIC);
  w.tag(1, WIRE_LEN);
  w.bytes(typeMeta.finish());
  w.tag(2, WIRE_LEN);
  w.bytes(raw);
  w.tag(3, WIRE_LEN); // contentEncoding, written empty like upstream
  w.string("");
  w.tag(4, WIRE_LEN); // contentType
  w.string("");
  return w.finish();
}

/**
 * One frame of a protobuf watch stream: a 4-byte big-endian length, then a metav1.WatchEvent
 * message (no envelope) whose object.raw is the enveloped object.
 */
export function encodeProtobufWatchEvent(type: string, obj: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown }): Uint8Array {
  const object = new Writer();
  object.tag(1, WIRE_LEN);
  object.bytes(encodeProtobufObject(obj));
  const ev = new Writer();
  ev.tag(1, WIRE_LEN);
  ev.string(type);
  ev.tag(2, WIRE_LEN);
  ev.bytes(object.finish());
  const body = ev.finish();
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, false);
  frame.set(body, 4);
  return frame;
}

/** Decodes one watch frame made by encodeProtobufWatchEvent (or kube-apiserver). */
export function decodeProtobufWatchEvent(frame: Uint8Array): { type: string; object: Record<string, unknown> } {
  if (frame.length < 4) throw new ProtobufError("Malformed", "unexpected EOF");
  const len = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, false);
  if (frame.length < 4 + len) throw new ProtobufError("Malformed", "unexpected EOF");
  const ev = decodeMessage(MESSAGES.get("WatchEvent")!, frame, 4, 4 + len);
  return { type: String(ev.type ?? ""), object: (ev.object ?? {}) as Record<string, unknown> };
}
