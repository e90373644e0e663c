// The DNS wire format around dns-packet: responses written with name compression (RFC 1035
// 4.1.4, which dns-packet does not do, and which lets ~30 A records fit a 512-byte UDP answer
// instead of 8), truncation with the TC bit, and header-only error answers for undecodable queries.
import type { Readable } from "node:stream";
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from "dns-packet";

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const FLAG_QR = 0x8000;
export const FLAG_AA = dnsPacket.AUTHORITATIVE_ANSWER;
export const FLAG_TC = dnsPacket.TRUNCATED_RESPONSE;
export const FLAG_RD = dnsPacket.RECURSION_DESIRED;
export const FLAG_RA = dnsPacket.RECURSION_AVAILABLE;
/** RFC 1035's UDP limit for clients that do not advertise a size with EDNS. */
export const UDP_MIN_SIZE = 512;
/** What the server advertises and the most it sends over UDP (the DNS Flag Day 2020 size). */
export const EDNS_UDP_SIZE = 1232;
/** A DNS message over TCP is prefixed by a 16-bit length. */
export const TCP_MAX_SIZE = 65535;

const HEADER = 12;
const TYPE_OPT = 41;

// dns-packet's per-type rdata codec (writes RDLENGTH then RDATA); it is exported but not typed.
const rdataCodec = (dnsPacket as unknown as { record(type: string): { encode(data: unknown): Buffer } }).record;

/** RFC 1035 4.2.2: over TCP each message goes prefixed by its length, 16 bits big-endian. */
export function encodeTcpFrame(message: Buffer): Buffer {
  const frame = Buffer.alloc(2 + message.length);
  frame.writeUInt16BE(message.length, 0);
  message.copy(frame, 2);
  return frame;
}

/**
 * Calls onMessage with each length-prefixed message arriving on the stream, however the stream
 * splits or joins them (RFC 7766: pipelined). The messages are views of what was read.
 */
export function readTcpFrames(stream: Readable, onMessage: (message: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      onMessage(message);
    }
  });
  stream.resume();
}

/** Decodes a query, or undefined when dns-packet cannot make sense of it. */
export function decodeMessage(msg: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(msg);
  } catch {
    return undefined;
  }
}

/** Whether the raw message is a response (QR set); a server must never answer those. */
export const isResponse = (msg: Buffer) => msg.length >= 3 && (msg[2] & 0x80) !== 0;
export const opcodeOf = (msg: Buffer) => (msg[2] >> 3) & 0xf;

/** A header-only answer (no question) for a query that could not be decoded: id, opcode and RD kept. */
export function headerOnlyResponse(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER);
  query.copy(out, 0, 0, 2);
  out[2] = 0x80 | (query[2] & 0x79); // QR, opcode, RD
  out[3] = FLAG_RA | (rcode & 0x0f); // RA and the rcode share the low byte
  return out;
}

/** The OPT record of a query (EDNS0), if any. */
export function ednsOf(query: Packet): OptAnswer | undefined {
  return query.additionals?.find((a): a is OptAnswer => a.type === "OPT");
}

/** The largest UDP answer the client accepts: 512, or the size its EDNS record advertises (capped at ours). */
export function udpLimit(query: Packet): number {
  const opt = ednsOf(query);
  if (!opt) return UDP_MIN_SIZE;
  return Math.min(Math.max(opt.udpPayloadSize || UDP_MIN_SIZE, UDP_MIN_SIZE), EDNS_UDP_SIZE);
}

/** Our OPT record for answers to EDNS queries. */
export const serverOpt = (): OptAnswer => ({ type: "OPT", name: ".", udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });

/** Whether a decoded name can be written back unchanged (dns-packet turns odd bytes into text). */
export function isWritableName(name: string): boolean {
  if (name === ".") return true;
  const labels = name.replace(/\.$/, "").split(".");
  let total = 1;
  for (const label of labels) {
    const len = Buffer.byteLength(label);
    if (len === 0 || len > 63) return false;
    total += len + 1;
  }
  return total <= 255;
}

/**
 * Encodes a response within `limit` bytes. What does not fit is dropped, whole records at a time
 * (answers kept as far as they go, then authority and additional records dropped) and TC is set,
 * so a client that can retries over TCP and one that cannot still gets the answers that fit.
 */
export function encodeWithin(message: Packet, limit: number): Buffer {
  const full = encodeCompressed(message);
  if (full.length <= limit) return full;
  const opt = (message.additionals ?? []).filter((a) => a.type === "OPT");
  const answers = message.answers ?? [];
  const attempt = (n: number) => encodeCompressed({ ...message, flags: (message.flags ?? 0) | FLAG_TC, answers: answers.slice(0, n), authorities: [], additionals: opt });
  let lo = 0;
  let hi = answers.length; // find the most answers that fit
  let best = attempt(0);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const buf = attempt(mid);
    if (buf.length <= limit) {
      lo = mid;
      best = buf;
    } else hi = mid - 1;
  }
  if (best.length <= limit) return best;
  // Not even the question fits (a limit under the question's size cannot happen for ≥ 512).
  return encodeCompressed({ ...message, flags: (message.flags ?? 0) | FLAG_TC, answers: [], authorities: [], additionals: [] });
}

/** Fits a relayed upstream answer into a UDP limit, re-encoding it truncated when it is too large. */
export function fitRelayed(response: Buffer, limit: number, query: DecodedPacket): Buffer {
  if (response.length <= limit) return response;
  const decoded = decodeMessage(response);
  if (decoded) {
    try {
      return encodeWithin({ ...decoded, type: "response" }, limit);
    } catch {
      // fall through: something dns-packet decoded but cannot encode again
    }
  }
  const flags = (response.readUInt16BE(2) & 0x7fff) | FLAG_TC;
  return encodeCompressed({ type: "response", id: query.id, flags, questions: query.questions });
}

/** RFC 1035 encoding with name compression for the owner names and the names inside CNAME, NS, PTR, SOA and MX data. */
export function encodeCompressed(message: Packet): Buffer {
  const w = new Writer();
  w.u16(message.id ?? 0);
  w.u16(((message.flags ?? 0) & 0x7fff) | (message.type === "response" ? FLAG_QR : 0));
  const questions = message.questions ?? [];
  const sections = [message.answers ?? [], message.authorities ?? [], message.additionals ?? []];
  w.u16(questions.length);
  for (const s of sections) w.u16(s.length);
  for (const q of questions) writeQuestion(w, q);
  for (const s of sections) for (const rr of s) writeRecord(w, rr);
  return w.done();
}

function writeQuestion(w: Writer, q: Question): void {
  w.name(q.name);
  w.u16(typeNumber(q.type));
  w.u16(classNumber(q.class ?? "IN"));
}

function writeRecord(w: Writer, rr: Answer): void {
  if (rr.type === "OPT") {
    const opt = rr as OptAnswer;
    w.u8(0); // the root name
    w.u16(TYPE_OPT);
    w.u16(opt.udpPayloadSize || EDNS_UDP_SIZE);
    w.u8(opt.extendedRcode || 0);
    w.u8(opt.ednsVersion || 0);
    w.u16(opt.flags || 0);
    w.bytes(rdataCodec("OPT").encode(opt.options ?? []));
    return;
  }
  w.name(rr.name);
  w.u16(typeNumber(rr.type));
  w.u16(classNumber(rr.class ?? "IN") | (rr.flush ? 0x8000 : 0));
  w.u32(rr.ttl ?? 0);
  const start = w.length;
  w.u16(0); // RDLENGTH, filled in below
  const data = (rr as { data: unknown }).data;
  switch (rr.type) {
    case "CNAME":
    case "NS":
    case "PTR":
      w.name(data as string);
      break;
    case "MX": {
      const mx = data as { preference?: number; exchange: string };
      w.u16(mx.preference ?? 0);
      w.name(mx.exchange);
      break;
    }
    case "SOA": {
      const soa = data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
      w.name(soa.mname);
      w.name(soa.rname);
      for (const v of [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum]) w.u32(v ?? 0);
      break;
    }
    case "SRV": {
      // RFC 2782: the target is never compressed (though later names may point into it).
      const srv = data as { priority?: number; weight?: number; port: number; target: string };
      w.u16(srv.priority ?? 0);
      w.u16(srv.weight ?? 0);
      w.u16(srv.port);
      w.name(srv.target, false);
      break;
    }
    default: {
      const rdata = rdataCodec(rr.type).encode(data);
      w.bytes(rdata.subarray(2));
    }
  }
  w.setU16(start, w.length - start - 2);
}

function typeNumber(type: string): number {
  const n = typeToNumber(type);
  if (!n) throw new Error(`unknown record type ${type}`);
  return n;
}

const TYPES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35, DNAME: 39, OPT: 41, DS: 43, SSHFP: 44, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, TLSA: 52, CAA: 257, ANY: 255, AXFR: 252, IXFR: 251 };
function typeToNumber(type: string): number {
  const t = type.toUpperCase();
  if (TYPES[t]) return TYPES[t];
  if (t.startsWith("UNKNOWN_")) return Number(t.slice(8));
  // Everything else dns-packet names: let it say the number by encoding a question.
  const buf = dnsPacket.encode({ questions: [{ name: ".", type: t as Question["type"] }] });
  return buf.readUInt16BE(HEADER + 1);
}

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };
const classNumber = (c: string | number) => (typeof c === "number" ? c : (CLASSES[c.toUpperCase()] ?? (c.startsWith("UNKNOWN_") ? Number(c.slice(8)) : 1)));

/** A growing buffer that remembers where each name suffix was written, for compression pointers. */
class Writer {
  private buf = Buffer.alloc(512);
  length = 0;
  private readonly suffixes = new Map<string, number>();

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf.writeUInt8(v & 0xff, this.length);
    this.length += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
  }
  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }
  /** Writes a name, pointing at an earlier copy of its longest known suffix when `compress`. */
  name(name: string, compress = true): void {
    const labels = name.replace(/^\.|\.$/g, "").split(".").filter((l) => l.length > 0);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".");
      const at = this.suffixes.get(suffix);
      if (compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x3fff && !this.suffixes.has(suffix)) this.suffixes.set(suffix, this.length);
      const label = Buffer.from(labels[i]);
      if (label.length > 63) throw new Error(`label too long in ${name}`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
