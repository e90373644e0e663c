// Why this exists: a compact, hand-written description of the Kubernetes proto2 messages we serve,
// parsed once into field tables that drive both the decoder and the encoder (codec.ts).
//
// Each message is one string of comma-separated fields: `<number> <jsonName> <type>`.
//   type:  string | int32 | int64 | bool | double | bytes            (scalars)
//          Time | MicroTime | Duration | IntOrString | Quantity | RawExtension | FieldsV1   (well-known)
//          any other word: a message described in this table
//   `T[]`        repeated field
//   `map<T>`     map<string, T> (repeated entry messages {1: key, 2: value})
//   `!` suffix   (after `[]` too) keep the value even when it is the zero value: the Go field is a pointer
//                (`*int32`, `*bool`, ...) or its json tag has no `omitempty`. Without `!`, zero
//                values ("", 0, false) are dropped, because Go marshals every non-pointer scalar
//                onto the wire but JSON's `omitempty` leaves them out. On a repeated field, `!`
//                means an absent list decodes as [] (list `items` have no omitempty).
//   name `-`     the message is embedded `json:",inline"` (its fields merge into the parent).

export type ScalarType = "string" | "int32" | "int64" | "bool" | "double" | "bytes";
export type SpecialType = "Time" | "MicroTime" | "Duration" | "IntOrString" | "Quantity" | "RawExtension" | "FieldsV1";

export interface FieldDesc {
  no: number;
  name: string;
  /** scalar, special or message name */
  type: string;
  repeated: boolean;
  map: boolean;
  keep: boolean;
  inline: boolean;
}

export interface MessageDesc {
  name: string;
  fields: FieldDesc[];
  byNo: Map<number, FieldDesc>;
}

export const SCALARS = new Set<string>(["string", "int32", "int64", "bool", "double", "bytes"]);
export const SPECIALS = new Set<string>(["Time", "MicroTime", "Duration", "IntOrString", "Quantity", "RawExtension", "FieldsV1"]);

export type MessageTable = Record<string, string>;

export function parseMessage(name: string, spec: string): MessageDesc {
  const fields: FieldDesc[] = [];
  for (const part of spec.split(",")) {
    const item = part.trim();
    if (!item) continue;
    const m = /^(\d+)\s+(\S+)\s+(\S+)$/.exec(item);
    if (!m) throw new Error(`protobuf descriptor ${name}: cannot parse field "${item}"`);
    let type = m[3];
    let keep = false;
    let repeated = false;
    let map = false;
    if (type.endsWith("!")) {
      keep = true;
      type = type.slice(0, -1);
    }
    if (type.endsWith("[]")) {
      repeated = true;
      type = type.slice(0, -2);
    }
    const mm = /^map<(\w+)>$/.exec(type);
    if (mm) {
      map = true;
      type = mm[1];
    }
    const inline = m[2] === "-";
    fields.push({ no: Number(m[1]), name: m[2], type, repeated, map, keep, inline });
  }
  fields.sort((a, b) => a.no - b.no);
  return { name, fields, byNo: new Map(fields.map((f) => [f.no, f])) };
}

export function buildRegistry(...tables: MessageTable[]): Map<string, MessageDesc> {
  const out = new Map<string, MessageDesc>();
  for (const t of tables) for (const [name, spec] of Object.entries(t)) out.set(name, parseMessage(name, spec));
  // every message type a field refers to must exist
  for (const d of out.values()) {
    for (const f of d.fields) {
      if (!SCALARS.has(f.type) && !SPECIALS.has(f.type) && !out.has(f.type)) {
        throw new Error(`protobuf descriptor ${d.name}.${f.name}: unknown type ${f.type}`);
      }
    }
  }
  return out;
}
