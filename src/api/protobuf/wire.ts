// Why this exists: the protobuf wire format (varints, length-delimited fields, fixed64) written by
// hand, because Kubernetes' proto2 messages need nothing more and we take no dependencies.
// proto2 int32/int64 are plain (not zigzag) varints; negatives are sign-extended to 10 bytes.

import { ProtobufError } from "./errors.js";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

/** Errors worded like gogo/protobuf's generated Unmarshal methods. */
const eof = () => new ProtobufError("Malformed", "unexpected EOF");

export class Reader {
  pos = 0;
  readonly end: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as two unsigned 32-bit halves. */
  varint64(): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      if (i >= 10) throw new ProtobufError("Malformed", "proto: integer overflow");
      if (this.pos >= this.end) throw eof();
      const b = this.buf[this.pos++];
      if (shift < 28) {
        lo |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else {
        hi |= (b & 0x7f) << (shift - 32);
      }
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    return { lo: lo >>> 0, hi: hi >>> 0 };
  }

  /** A varint small enough for a tag or a length. */
  uint32(): number {
    const { lo, hi } = this.varint64();
    if (hi !== 0) throw new ProtobufError("Malformed", "proto: integer overflow");
    return lo;
  }

  int32(): number {
    return this.varint64().lo | 0;
  }

  /** int64 as a JS number (exact up to 2^53, which covers every value Kubernetes uses). */
  int64(): number {
    const { lo, hi } = this.varint64();
    if (hi & 0x80000000) {
      // two's complement negative
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nhi * TWO_32 + nlo);
    }
    return hi * TWO_32 + lo;
  }

  bool(): boolean {
    const { lo, hi } = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw eof();
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** The bounds of a length-delimited field's payload; advances past it. */
  lengthDelimited(): { start: number; end: number } {
    const len = this.uint32();
    if (len < 0) throw new ProtobufError("Malformed", "proto: negative length found during unmarshaling");
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw eof();
    this.pos = end;
    return { start, end };
  }

  bytes(): Uint8Array {
    const { start, end } = this.lengthDelimited();
    return this.buf.subarray(start, end);
  }

  string(): string {
    return utf8Decode(this.bytes());
  }

  tag(): { field: number; wire: number } {
    const t = this.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field <= 0) throw new ProtobufError("Malformed", `proto: illegal tag ${field} (wire type ${wire})`);
    return { field, wire };
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw eof();
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw eof();
        this.pos += 4;
        return;
      default:
        throw new ProtobufError("Malformed", `proto: illegal wireType ${wire}`);
    }
  }
}

export class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned varint from two 32-bit halves. */
  varint64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    this.ensure(10);
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.len++] = lo;
  }

  uint32(v: number): void {
    this.varint64(v >>> 0, 0);
  }

  /** int32/int64 as proto2 encodes them: negatives sign-extended to 64 bits. */
  int64(v: number): void {
    if (!Number.isFinite(v)) throw new ProtobufError("Unencodable", `cannot encode ${v} as an integer`);
    v = Math.trunc(v);
    if (v >= 0) {
      this.varint64(v % TWO_32, Math.floor(v / TWO_32));
    } else {
      const big = BigInt.asUintN(64, BigInt(v));
      this.varint64(Number(big & 0xffffffffn), Number(big >> 32n));
    }
  }

  tag(field: number, wire: number): void {
    this.uint32((field << 3) | wire);
  }

  double(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true);
    this.len += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  string(s: string): void {
    this.bytes(utf8Encode(s));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

export function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s.replace(/[\r\n]/g, ""));
  } catch {
    throw new ProtobufError("Unencodable", `illegal base64 data in ${JSON.stringify(s.slice(0, 32))}`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
