// The compressing encoder writes what dns-packet reads back unchanged, smaller; truncation keeps
// whole records and sets TC; undecodable queries get a header-only answer; TCP framing.
import { PassThrough } from "node:stream";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { describe, expect, it } from "vitest";
import { FLAG_TC, RCODE, encodeCompressed, encodeTcpFrame, encodeWithin, fitRelayed, headerOnlyResponse, isWritableName, readTcpFrames, udpLimit } from "./wire.js";

const name = "svc.ns.svc.cluster.local";
const records: Answer[] = [
  { name, type: "A", class: "IN", ttl: 5, data: "10.0.0.1" },
  { name, type: "AAAA", class: "IN", ttl: 5, data: "fd00::1" },
  { name, type: "CNAME", class: "IN", ttl: 5, data: "other.ns.svc.cluster.local" },
  { name, type: "SRV", class: "IN", ttl: 5, data: { priority: 0, weight: 50, port: 443, target: "pod-0.svc.ns.svc.cluster.local" } },
  { name, type: "TXT", class: "IN", ttl: 5, data: [Buffer.from("1.1.0")] },
  { name: "cluster.local", type: "SOA", class: "IN", ttl: 5, data: { mname: "ns.dns.cluster.local", rname: "hostmaster.cluster.local", serial: 7, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } },
  { name: "cluster.local", type: "NS", class: "IN", ttl: 5, data: "ns.dns.cluster.local" },
  { name: "1.0.0.10.in-addr.arpa", type: "PTR", class: "IN", ttl: 5, data: name },
  { name: "example.com", type: "MX", class: "IN", ttl: 60, data: { preference: 10, exchange: "mail.example.com" } },
  { name: "example.com", type: "UNKNOWN_65" as never, class: "IN", ttl: 60, data: Buffer.from([0, 1, 0]) } as Answer,
];

const message: Packet = {
  type: "response",
  id: 99,
  flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | RCODE.NXDOMAIN,
  questions: [{ name, type: "A", class: "IN" }],
  answers: records,
  additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
};

describe("encodeCompressed", () => {
  it("encodes every record type as dns-packet does, only smaller", () => {
    const ours = encodeCompressed(message);
    const theirs = dnsPacket.encode(message);
    expect(ours.length).toBeLessThan(theirs.length * 0.7);
    const strip = (p: Packet) => JSON.parse(JSON.stringify(p));
    expect(strip(dnsPacket.decode(ours))).toEqual(strip(dnsPacket.decode(theirs)));
  });

  it("does not compress SRV targets (RFC 2782)", () => {
    const buf = encodeCompressed({ type: "response", questions: [{ name: "a.cluster.local", type: "SRV" }], answers: [{ name: "a.cluster.local", type: "SRV", ttl: 5, data: { port: 1, target: "a.cluster.local" } }] });
    const target = Buffer.from("\x01a\x07cluster\x05local\x00", "latin1");
    expect(buf.subarray(buf.length - target.length)).toEqual(target);
  });
});

describe("encodeWithin", () => {
  const many: Packet = { ...message, answers: Array.from({ length: 100 }, (_, i) => ({ name, type: "A", class: "IN", ttl: 5, data: `10.0.${i >> 8}.${i & 255}` }) as Answer), authorities: [records[5]] };

  it("leaves a message that fits alone", () => {
    expect(dnsPacket.decode(encodeWithin(message, 4096)).flag_tc).toBe(false);
  });

  it("keeps as many whole answers as fit, drops authority and additional records but OPT, and sets TC", () => {
    const buf = encodeWithin(many, 512);
    expect(buf.length).toBeLessThanOrEqual(512);
    const p = dnsPacket.decode(buf);
    expect(p.flag_tc).toBe(true);
    expect(p.answers!.length).toBeGreaterThan(20);
    expect(p.authorities).toEqual([]);
    expect(p.additionals!.map((a) => a.type)).toEqual(["OPT"]);
    // one more answer would not have fit
    expect(encodeCompressed({ ...many, answers: many.answers!.slice(0, p.answers!.length + 1), authorities: [] }).length).toBeGreaterThan(512);
  });

  it("re-encodes a relayed answer too large for the client, or writes its header and question when it cannot", () => {
    const big = dnsPacket.encode(many);
    const query = dnsPacket.decode(dnsPacket.encode({ id: 99, questions: [{ name, type: "A" }] }));
    const fitted = dnsPacket.decode(fitRelayed(big, 512, query));
    expect(fitted).toMatchObject({ id: 99, flag_tc: true, flag_aa: true, rcode: "NXDOMAIN" });
    const garbled = Buffer.concat([big.subarray(0, 100), Buffer.alloc(600, 0xff)]);
    const fallback = dnsPacket.decode(fitRelayed(garbled, 512, query));
    expect(fallback).toMatchObject({ id: 99, flag_tc: true, questions: [{ name }], answers: [] });
  });
});

describe("helpers", () => {
  it("answers an undecodable query with its id, opcode and RD, QR and RA set", () => {
    const p = dnsPacket.decode(headerOnlyResponse(Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 9, 0, 0, 0, 0, 0, 0, 7]), RCODE.FORMERR)) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
    expect(p).toMatchObject({ id: 0x1234, type: "response", flag_rd: true, flag_ra: true, rcode: "FORMERR", questions: [] });
    expect(p.flags! & FLAG_TC).toBe(0);
  });

  it("takes the client's EDNS size, at least 512 and at most 1232", () => {
    const opt = (udpPayloadSize: number): Packet => ({ additionals: [{ type: "OPT", name: ".", udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    expect(udpLimit({})).toBe(512);
    expect(udpLimit(opt(100))).toBe(512);
    expect(udpLimit(opt(1000))).toBe(1000);
    expect(udpLimit(opt(4096))).toBe(1232);
  });

  it("refuses names that cannot be written back", () => {
    expect(isWritableName("a.b.c")).toBe(true);
    expect(isWritableName(".")).toBe(true);
    expect(isWritableName(`${"a".repeat(64)}.com`)).toBe(false);
    expect(isWritableName("a..b")).toBe(false);
    expect(isWritableName(Array.from({ length: 130 }, () => "ab").join("."))).toBe(false);
  });
});

describe("TCP framing", () => {
  it("reads back each framed message however the stream splits or joins them", async () => {
    const messages = [Buffer.from("first"), Buffer.alloc(0), Buffer.alloc(60_000, 7), Buffer.from("last")];
    const wire = Buffer.concat(messages.map(encodeTcpFrame));
    expect(wire.readUInt16BE(0)).toBe(5);
    const stream = new PassThrough();
    const got: Buffer[] = [];
    readTcpFrames(stream, (m) => got.push(Buffer.from(m)));
    // One byte, then uneven pieces; the last frame's two length bytes arrive apart.
    for (const [from, to] of [[0, 1], [1, 9], [9, 4000], [4000, wire.length - 5], [wire.length - 5, wire.length]]) stream.write(wire.subarray(from, to));
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(messages);
  });
});
