// Why this exists: the descriptor-driven translation between protobuf messages and the JSON form
// Go's encoding/json would produce for the same object (omitempty, inline structs, base64 bytes,
// RFC3339 times, IntOrString as number-or-string), in both directions.

import { MESSAGES, type FieldDesc, type MessageDesc } from "./descriptors/index.js";
import { SCALARS } from "./descriptors/types.js";
import { ProtobufError } from "./errors.js";
import { Reader, Writer, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, fromBase64, toBase64, utf8Decode, utf8Encode } from "./wire.js";

type JsonObject = Record<string, unknown>;

/** Set by index.ts so a RawExtension holding a nested `k8s\0` object can be decoded/encoded. */
export const nested: {
  decode?: (bytes: Uint8Array) => JsonObject;
} = {};

const goName = (f: FieldDesc) => f.name.charAt(0).toUpperCase() + f.name.slice(1);

function expectedWire(type: string): number {
  switch (type) {
    case "int32":
    case "int64":
    case "bool":
      return WIRE_VARINT;
    case "double":
      return WIRE_FIXED64;
    default:
      return WIRE_LEN;
  }
}

function message(name: string): MessageDesc {
  const d = MESSAGES.get(name);
  if (!d) throw new Error(`protobuf: no descriptor for ${name}`);
  return d;
}

// ---------------------------------------------------------------------------------------------
// decoding

export function decodeMessage(desc: MessageDesc, buf: Uint8Array, start = 0, end = buf.length): JsonObject {
  const out: JsonObject = {};
  const r = new Reader(buf, start, end);
  while (!r.done()) {
    const { field, wire } = r.tag();
    const f = desc.byNo.get(field);
    if (!f) {
      r.skip(wire); // upstream ignores unknown fields too
      continue;
    }
    if (f.map) {
      if (wire !== WIRE_LEN) throw wrongWire(f, wire);
      const { start: s, end: e } = r.lengthDelimited();
      const [k, v] = decodeMapEntry(f, buf, s, e);
      const m = (out[f.name] ??= {}) as JsonObject;
      m[k] = v;
      continue;
    }
    if (f.inline) {
      if (wire !== WIRE_LEN) throw wrongWire(f, wire);
      const { start: s, end: e } = r.lengthDelimited();
      Object.assign(out, decodeMessage(message(f.type), buf, s, e));
      continue;
    }
    if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wire === WIRE_LEN && expectedWire(f.type) !== WIRE_LEN) {
        // packed encoding of a repeated scalar
        const { start: s, end: e } = r.lengthDelimited();
        const pr = new Reader(buf, s, e);
        while (!pr.done()) list.push(readValue(f, expectedWire(f.type), pr));
      } else {
        list.push(readValue(f, wire, r));
      }
      continue;
    }
    out[f.name] = readValue(f, wire, r);
  }
  // Go marshals every non-pointer scalar; JSON's omitempty would have left the zero ones out.
  for (const f of desc.fields) {
    if (f.repeated && f.keep && !(f.name in out)) out[f.name] = [];
    if (f.inline || !(f.name in out)) continue;
    const v = out[f.name];
    if (v === null || (!f.keep && !f.repeated && !f.map && isZero(f.type, v))) delete out[f.name];
  }
  return out;
}

function wrongWire(f: FieldDesc, wire: number): ProtobufError {
  return new ProtobufError("Malformed", `proto: wrong wireType = ${wire} for field ${goName(f)}`);
}

function isZero(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
    case "bytes":
      return v === "";
    case "int32":
    case "int64":
    case "double":
      return v === 0;
    case "bool":
      return v === false;
    case "IntOrString":
      return v === 0;
    case "Duration":
      return v === "0s";
    case "Quantity":
      return v === "";
    default:
      return false;
  }
}

function readValue(f: FieldDesc, wire: number, r: Reader): unknown {
  if (wire !== expectedWire(f.type)) throw wrongWire(f, wire);
  switch (f.type) {
    case "string":
      return r.string();
    case "bytes":
      return toBase64(r.bytes());
    case "int32":
      return r.int32();
    case "int64":
      return r.int64();
    case "bool":
      return r.bool();
    case "double":
      return r.double();
  }
  const { start, end } = r.lengthDelimited();
  return decodeTyped(f.type, r.buf, start, end);
}

/** A length-delimited value of a message or well-known type. */
function decodeTyped(type: string, buf: Uint8Array, start: number, end: number): unknown {
  switch (type) {
    case "Time":
    case "MicroTime": {
      if (start === end) return null; // Go marshals the zero time as an empty message: JSON null
      const t = decodeFields(buf, start, end);
      const seconds = t.int64(1);
      return type === "Time" ? formatTime(seconds) : formatMicroTime(seconds, t.int32(2));
    }
    case "Duration":
      return formatDuration(decodeFields(buf, start, end).int64(1));
    case "IntOrString": {
      const t = decodeFields(buf, start, end);
      return t.int64(1) === 1 ? t.string(3) : t.int32(2);
    }
    case "Quantity":
      return decodeFields(buf, start, end).string(1);
    case "RawExtension":
    case "FieldsV1": {
      const raw = decodeFields(buf, start, end).bytes(1);
      if (raw.length === 0) return null;
      if (raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0 && nested.decode) return nested.decode(raw);
      try {
        return JSON.parse(utf8Decode(raw));
      } catch (e) {
        throw new ProtobufError("Malformed", `invalid JSON in ${type}: ${(e as Error).message}`);
      }
    }
  }
  return decodeMessage(message(type), buf, start, end);
}

function decodeMapEntry(f: FieldDesc, buf: Uint8Array, start: number, end: number): [string, unknown] {
  let key = "";
  let value: unknown;
  const r = new Reader(buf, start, end);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) key = r.string();
    else if (field === 2) value = readValue({ ...f, name: "value", map: false }, wire, r);
    else r.skip(wire);
  }
  if (value === undefined) {
    // an entry without a value holds the zero value
    value = f.type === "Quantity" ? "0" : SCALARS.has(f.type) ? (f.type === "string" || f.type === "bytes" ? "" : f.type === "bool" ? false : 0) : {};
  }
  return [key, value];
}

/** Reads the scalar fields of a tiny message (Time, IntOrString, ...) by number. */
function decodeFields(buf: Uint8Array, start: number, end: number) {
  const varints = new Map<number, Reader>();
  const lens = new Map<number, Uint8Array>();
  const r = new Reader(buf, start, end);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WIRE_VARINT) {
      varints.set(field, new Reader(buf, r.pos, end));
      r.skip(wire);
    } else if (wire === WIRE_LEN) {
      lens.set(field, r.bytes());
    } else {
      r.skip(wire);
    }
  }
  return {
    int64: (n: number) => varints.get(n)?.int64() ?? 0,
    int32: (n: number) => varints.get(n)?.int32() ?? 0,
    string: (n: number) => (lens.has(n) ? utf8Decode(lens.get(n)!) : ""),
    bytes: (n: number) => lens.get(n) ?? new Uint8Array(0),
  };
}

// ---------------------------------------------------------------------------------------------
// encoding

export function encodeMessage(desc: MessageDesc, obj: JsonObject): Uint8Array {
  const w = new Writer();
  for (const f of desc.fields) {
    if (f.inline) {
      w.tag(f.no, WIRE_LEN);
      w.bytes(encodeMessage(message(f.type), obj));
      continue;
    }
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.map) {
      if (typeof v !== "object" || Array.isArray(v)) throw unencodable(desc, f, "expected an object");
      for (const [k, item] of Object.entries(v as JsonObject)) {
        if (item === undefined) continue;
        const entry = new Writer();
        entry.tag(1, WIRE_LEN);
        entry.string(k);
        if (item !== null) writeValue(entry, desc, { ...f, no: 2 }, item);
        w.tag(f.no, WIRE_LEN);
        w.bytes(entry.finish());
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw unencodable(desc, f, "expected an array");
      for (const item of v) if (item !== null && item !== undefined) writeValue(w, desc, f, item);
    } else {
      writeValue(w, desc, f, v);
    }
  }
  return w.finish();
}

function unencodable(desc: MessageDesc, f: FieldDesc, why: string): ProtobufError {
  return new ProtobufError("Unencodable", `cannot encode ${desc.name}.${f.name} as protobuf: ${why}`);
}

function writeValue(w: Writer, desc: MessageDesc, f: FieldDesc, v: unknown): void {
  const fail = (why: string) => unencodable(desc, f, why);
  switch (f.type) {
    case "string":
      if (typeof v === "object") throw fail("expected a string");
      w.tag(f.no, WIRE_LEN);
      w.string(String(v));
      return;
    case "bytes":
      if (typeof v !== "string") throw fail("expected a base64 string");
      w.tag(f.no, WIRE_LEN);
      w.bytes(fromBase64(v));
      return;
    case "int32":
    case "int64": {
      const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n)) throw fail(`expected an integer, got ${JSON.stringify(v)}`);
      w.tag(f.no, WIRE_VARINT);
      w.int64(f.type === "int32" ? n | 0 : n);
      return;
    }
    case "bool":
      if (typeof v !== "boolean") throw fail(`expected a boolean, got ${JSON.stringify(v)}`);
      w.tag(f.no, WIRE_VARINT);
      w.uint32(v ? 1 : 0);
      return;
    case "double":
      if (typeof v !== "number") throw fail("expected a number");
      w.tag(f.no, WIRE_FIXED64);
      w.double(v);
      return;
  }
  const body = new Writer();
  switch (f.type) {
    case "Time":
    case "MicroTime": {
      if (typeof v !== "string") throw fail("expected an RFC3339 time string");
      const t = parseTime(v);
      if (!t) throw fail(`cannot parse time ${JSON.stringify(v)}`);
      body.tag(1, WIRE_VARINT);
      body.int64(t.seconds);
      body.tag(2, WIRE_VARINT);
      body.int64(f.type === "Time" ? 0 : t.nanos - (t.nanos % 1000));
      break;
    }
    case "Duration": {
      const ns = typeof v === "string" ? parseDuration(v) : undefined;
      if (ns === undefined) throw fail(`cannot parse duration ${JSON.stringify(v)}`);
      body.tag(1, WIRE_VARINT);
      body.int64(ns);
      break;
    }
    case "IntOrString":
      if (typeof v === "number") {
        body.tag(1, WIRE_VARINT);
        body.int64(0);
        body.tag(2, WIRE_VARINT);
        body.int64(v | 0);
        body.tag(3, WIRE_LEN);
        body.string("");
      } else if (typeof v === "string") {
        body.tag(1, WIRE_VARINT);
        body.int64(1);
        body.tag(2, WIRE_VARINT);
        body.int64(0);
        body.tag(3, WIRE_LEN);
        body.string(v);
      } else {
        throw fail("expected a number or a string");
      }
      break;
    case "Quantity":
      if (typeof v !== "string" && typeof v !== "number") throw fail("expected a quantity string");
      body.tag(1, WIRE_LEN);
      body.string(String(v));
      break;
    case "RawExtension":
    case "FieldsV1":
      body.tag(1, WIRE_LEN);
      body.bytes(utf8Encode(JSON.stringify(v)));
      break;
    default:
      if (typeof v !== "object" || Array.isArray(v)) throw fail("expected an object");
      w.tag(f.no, WIRE_LEN);
      w.bytes(encodeMessage(message(f.type), v as JsonObject));
      return;
  }
  w.tag(f.no, WIRE_LEN);
  w.bytes(body.finish());
}

// ---------------------------------------------------------------------------------------------
// times and durations, in Go's JSON formats

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function isoSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufError("Malformed", `time out of range: ${seconds}`);
  return d.toISOString().slice(0, 19);
}

/** metav1.Time: RFC3339 in UTC at second precision (protobuf nanos are dropped, as upstream does). */
export function formatTime(seconds: number): string {
  return `${isoSeconds(seconds)}Z`;
}

/** metav1.MicroTime: RFC3339 in UTC with exactly six fractional digits. */
export function formatMicroTime(seconds: number, nanos: number): string {
  return `${isoSeconds(seconds)}.${pad(Math.floor(nanos / 1000), 6)}Z`;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

export function parseTime(s: string): { seconds: number; nanos: number } | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return undefined;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return { seconds: Math.floor(ms / 1000), nanos: frac ? Number(frac.padEnd(9, "0")) : 0 };
}

/** Go's time.Duration.String(). */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let u = Math.abs(ns);
  const frac = (v: number, div: number, digits: number) => {
    const whole = Math.floor(v / div);
    const rest = v - whole * div;
    return rest === 0 ? `${whole}` : `${whole}.${pad(rest, digits).replace(/0+$/, "")}`;
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 1e3, 3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 1e6, 6)}ms`;
  const h = Math.floor(u / 3.6e12);
  u -= h * 3.6e12;
  const m = Math.floor(u / 6e10);
  u -= m * 6e10;
  return `${sign}${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${frac(u, 1e9, 9)}s`;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(s);
  if (!m) return undefined;
  if (m[2] === "0") return 0;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]];
  return Math.round(m[1] === "-" ? -total : total);
}
