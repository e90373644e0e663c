// The cluster DNS server over real UDP and TCP sockets on 127.0.0.1: queries written with
// dns-packet and Node's own resolver (c-ares), forwarding to a second server acting as the
// upstream, truncation and the TCP retry, malformed input, and upstreams that never answer.
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dnsPacket, { type DecodedPacket, type Packet } from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterDNSServer } from "./server.js";
import { service, slice } from "./testing.js";
import { parseUpstream, upstreamsFromResolvConf } from "./upstream.js";

const HOST = "127.0.0.1";
const manyEndpoints = Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 1}` }));

const clusterSnapshot = {
  services: [
    service("default", "web", { clusterIP: "10.96.0.20", ports: [{ name: "http", port: 80 }] }),
    service("db", "pg", { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] }),
    service("db", "big", { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] }),
    service("default", "ext", { type: "ExternalName", externalName: "api.prod.svc.upstream.test" }),
    service("default", "ext-missing", { type: "ExternalName", externalName: "nope.prod.svc.upstream.test" }),
  ],
  slices: [slice("db", "pg", [{ ip: "10.244.1.5", hostname: "pg-0" }, { ip: "10.244.2.6", hostname: "pg-1" }], [{ name: "pg", port: 5432 }]), slice("db", "big", manyEndpoints, [{ name: "pg", port: 5432 }])],
};

// The upstream: another instance serving its own domain, as the node's nameserver would serve the internet.
const upstreamSnapshot = {
  services: [service("prod", "api", { clusterIP: "172.16.0.7", ports: [{ port: 443 }] }), service("prod", "many", { clusterIP: "None" })],
  slices: [slice("prod", "many", manyEndpoints)],
};

let upstream: ClusterDNSServer;
let server: ClusterDNSServer;
let port: number;
let upstreamPort: number;

beforeAll(async () => {
  upstream = new ClusterDNSServer({ clusterDomain: "upstream.test", upstreams: [] });
  upstream.update(upstreamSnapshot);
  upstreamPort = (await upstream.start({ address: HOST, port: 0 })).port;
  server = new ClusterDNSServer({ upstreams: [`${HOST}:${upstreamPort}`] });
  server.update(clusterSnapshot);
  port = (await server.start({ address: HOST, port: 0 })).port;
});

afterAll(async () => {
  await server?.stop();
  await upstream?.stop();
});

let nextId = 1;
function query(name: string, type: string, o: { edns?: number; id?: number } = {}): Buffer {
  const message: Packet = { type: "query", id: o.id ?? nextId++ % 65536, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never }] };
  if (o.edns) message.additionals = [{ type: "OPT", name: ".", udpPayloadSize: o.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }];
  return dnsPacket.encode(message);
}

/** Sends one datagram; resolves with the answer, or undefined if none came within `timeoutMs`. */
function udp(msg: Buffer, to = port, timeoutMs = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    socket.on("message", (answer) => done(answer));
    socket.send(msg, to, HOST);
  });
}

/** Sends length-prefixed messages on one connection; resolves with the first `count` answers. */
function tcp(msgs: Buffer[], count = msgs.length, to = port): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(to, HOST);
    const answers: Buffer[] = [];
    let pending = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("connect", () => {
      for (const msg of msgs) {
        const frame = Buffer.alloc(2 + msg.length);
        frame.writeUInt16BE(msg.length);
        msg.copy(frame, 2);
        socket.write(frame);
      }
    });
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        answers.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (answers.length >= count) {
        socket.destroy();
        resolve(answers);
      }
    });
  });
}

type Decoded = DecodedPacket & { rcode: string };
const decode = (b: Buffer | undefined) => dnsPacket.decode(b!) as Decoded;
const values = (p: Packet) => (p.answers ?? []).map((a) => (a as { data: unknown }).data);

function resolver(to = port): Resolver {
  const r = new Resolver({ timeout: 2000, tries: 2 });
  r.setServers([`${HOST}:${to}`]);
  return r;
}

describe("ClusterDNSServer", () => {
  it("answers cluster names over UDP, authoritatively, with the query's id and question", async () => {
    const answer = decode(await udp(query("web.default.svc.cluster.local", "A", { id: 4242 })));
    expect(answer).toMatchObject({ id: 4242, type: "response", rcode: "NOERROR", flag_aa: true, flag_rd: true, flag_tc: false });
    expect(answer.questions).toEqual([{ name: "web.default.svc.cluster.local", type: "A", class: "IN" }]);
    expect(answer.answers).toEqual([{ name: "web.default.svc.cluster.local", type: "A", class: "IN", ttl: 5, flush: false, data: "10.96.0.20" }]);
  });

  it("answers over TCP, pipelined queries on one connection", async () => {
    const answers = (await tcp([query("web.default.svc.cluster.local", "A", { id: 1 }), query("pg-1.pg.db.svc.cluster.local", "A", { id: 2 })])).map(decode);
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(values(byId.get(1)!)).toEqual(["10.96.0.20"]);
    expect(values(byId.get(2)!)).toEqual(["10.244.2.6"]);
  });

  it("answers NXDOMAIN with the SOA, and no data for a type the name lacks", async () => {
    const nx = decode(await udp(query("nope.default.svc.cluster.local", "A")));
    expect(nx).toMatchObject({ rcode: "NXDOMAIN", answers: [], authorities: [{ type: "SOA", name: "cluster.local" }] });
    const nodata = decode(await udp(query("web.default.svc.cluster.local", "AAAA")));
    expect(nodata).toMatchObject({ rcode: "NOERROR", answers: [], authorities: [{ type: "SOA" }] });
  });

  it("answers EDNS queries with an OPT record", async () => {
    const answer = decode(await udp(query("web.default.svc.cluster.local", "A", { edns: 4096 })));
    expect(answer.additionals).toMatchObject([{ type: "OPT", udpPayloadSize: 1232 }]);
  });

  it("serves Node's resolver (c-ares): A, SRV, CNAME, and NODATA versus NXDOMAIN as busybox and musl need", async () => {
    const r = resolver();
    expect(await r.resolve4("web.default.svc.cluster.local")).toEqual(["10.96.0.20"]);
    expect((await r.resolve4("pg.db.svc.cluster.local")).sort()).toEqual(["10.244.1.5", "10.244.2.6"]);
    expect(await r.resolveSrv("_http._tcp.web.default.svc.cluster.local")).toEqual([{ name: "web.default.svc.cluster.local", port: 80, priority: 0, weight: 100 }]);
    expect((await r.resolveSrv("_pg._tcp.pg.db.svc.cluster.local")).map((s) => s.name).sort()).toEqual(["pg-0.pg.db.svc.cluster.local", "pg-1.pg.db.svc.cluster.local"]);
    expect(await r.resolveCname("ext.default.svc.cluster.local")).toEqual(["api.prod.svc.upstream.test"]);
    expect(await r.resolve4("10-244-7-7.default.pod.cluster.local")).toEqual(["10.244.7.7"]);
    await expect(r.resolve6("web.default.svc.cluster.local")).rejects.toMatchObject({ code: "ENODATA" });
    await expect(r.resolve4("nope.default.svc.cluster.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("forwards names outside the cluster domain upstream, over UDP and TCP, relaying the answer with the client's id", async () => {
    const viaUdp = decode(await udp(query("api.prod.svc.upstream.test", "A", { id: 777 })));
    expect(viaUdp).toMatchObject({ id: 777, rcode: "NOERROR", flag_aa: true }); // the upstream's own flags, relayed
    expect(values(viaUdp)).toEqual(["172.16.0.7"]);
    const [viaTcp] = (await tcp([query("api.prod.svc.upstream.test", "A", { id: 778 })])).map(decode);
    expect(viaTcp).toMatchObject({ id: 778, rcode: "NOERROR" });
    expect(values(viaTcp)).toEqual(["172.16.0.7"]);
    expect(decode(await udp(query("nope.prod.svc.upstream.test", "A")))).toMatchObject({ rcode: "NXDOMAIN", authorities: [{ name: "upstream.test" }] });
    expect(await resolver().resolve4("api.prod.svc.upstream.test")).toEqual(["172.16.0.7"]);
  });

  it("resolves an ExternalName's target upstream and appends it after the CNAME", async () => {
    const answer = decode(await udp(query("ext.default.svc.cluster.local", "A")));
    expect(answer.answers).toMatchObject([
      { name: "ext.default.svc.cluster.local", type: "CNAME", data: "api.prod.svc.upstream.test" },
      { name: "api.prod.svc.upstream.test", type: "A", data: "172.16.0.7" },
    ]);
    expect(await resolver().resolve4("ext.default.svc.cluster.local")).toEqual(["172.16.0.7"]);
    const missing = decode(await udp(query("ext-missing.default.svc.cluster.local", "A")));
    expect(missing).toMatchObject({ rcode: "NXDOMAIN", answers: [{ type: "CNAME" }] });
  });

  it("truncates UDP answers over 512 bytes (or the advertised EDNS size) with TC, and gives them whole over TCP", async () => {
    const plain = await udp(query("big.db.svc.cluster.local", "A"));
    expect(plain!.length).toBeLessThanOrEqual(512);
    const truncated = decode(plain);
    expect(truncated.flag_tc).toBe(true);
    expect(truncated.answers!.length).toBeGreaterThan(20); // compressed names: as many as fit
    expect(truncated.answers!.length).toBeLessThan(100);

    const edns = await udp(query("big.db.svc.cluster.local", "A", { edns: 1000 }));
    expect(edns!.length).toBeLessThanOrEqual(1000);
    expect(decode(edns).flag_tc).toBe(true);
    expect(decode(edns).answers!.length).toBeGreaterThan(truncated.answers!.length);
    const roomy = decode(await udp(query("big.db.svc.cluster.local", "A", { edns: 4096 }))); // capped at 1232
    expect(roomy.flag_tc).toBe(true);

    const [whole] = (await tcp([query("big.db.svc.cluster.local", "A")])).map(decode);
    expect(whole.flag_tc).toBe(false);
    expect(whole.answers).toHaveLength(100);
    const srv = (await tcp([query("_pg._tcp.big.db.svc.cluster.local", "SRV")])).map(decode)[0];
    expect(srv.answers).toHaveLength(100);
    expect(srv.additionals).toHaveLength(100);

    // c-ares retries over TCP on TC and gets everything
    expect(await resolver().resolve4("big.db.svc.cluster.local")).toHaveLength(100);
  });

  it("relays an upstream's truncated UDP answer, and the whole one over TCP", async () => {
    const viaUdp = decode(await udp(query("many.prod.svc.upstream.test", "A")));
    expect(viaUdp.flag_tc).toBe(true);
    const [viaTcp] = (await tcp([query("many.prod.svc.upstream.test", "A")])).map(decode);
    expect(viaTcp.answers).toHaveLength(100);
    expect(await resolver().resolve4("many.prod.svc.upstream.test")).toHaveLength(100);
  });

  it("never crashes on malformed packets: drops what is no query, answers FORMERR or NOTIMP to the rest", async () => {
    expect(await udp(Buffer.from([1, 2, 3]), port, 300)).toBeUndefined(); // shorter than a header
    const response = query("web.default.svc.cluster.local", "A");
    response[2] |= 0x80; // QR: a response, not a query
    expect(await udp(response, port, 300)).toBeUndefined();

    const garbage = Buffer.concat([Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0]), randomBytes(20)]);
    const formerr = decode(await udp(garbage));
    expect(formerr).toMatchObject({ id: 0xabcd, rcode: "FORMERR", flag_rd: true, questions: [] });

    const noQuestion = dnsPacket.encode({ type: "query", id: 9, questions: [] });
    expect(decode(await udp(noQuestion))).toMatchObject({ id: 9, rcode: "FORMERR" });
    const two = dnsPacket.encode({ type: "query", id: 10, questions: [{ name: "a.cluster.local", type: "A" }, { name: "b.cluster.local", type: "A" }] });
    expect(decode(await udp(two))).toMatchObject({ id: 10, rcode: "FORMERR" });
    const update = query("web.default.svc.cluster.local", "A", { id: 11 });
    update[2] = (update[2] & 0x87) | (5 << 3); // opcode UPDATE
    expect(decode(await udp(update))).toMatchObject({ id: 11, rcode: "NOTIMP" });
    const pointerLoop = Buffer.from([0, 12, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(decode(await udp(pointerLoop))).toMatchObject({ id: 12, rcode: "FORMERR" });

    // over TCP: a garbage frame gets FORMERR and the connection still serves the next query
    const [bad, good] = (await tcp([garbage, query("web.default.svc.cluster.local", "A", { id: 13 })])).map(decode);
    expect(bad).toMatchObject({ rcode: "FORMERR" });
    expect(good).toMatchObject({ id: 13, rcode: "NOERROR" });

    // thousands of random and bit-flipped queries, straight through the handler and over the socket
    const valid = query("_pg._tcp.pg.db.svc.cluster.local", "SRV", { edns: 1232 });
    for (let i = 0; i < 3000; i++) {
      const msg = i % 2 ? randomBytes(i % 80) : Buffer.from(valid);
      if (i % 2 === 0) for (let f = 0; f < 3; f++) msg[Math.floor(Math.random() * msg.length)] ^= 1 << Math.floor(Math.random() * 8);
      const out = await server.handleQuery(msg, i % 4 < 2 ? "udp" : "tcp");
      if (out) expect(() => dnsPacket.decode(out)).not.toThrow();
      if (i % 10 === 0) udp(msg, port, 50);
    }
    expect(values(decode(await udp(query("web.default.svc.cluster.local", "A"))))).toEqual(["10.96.0.20"]);
  });

  it("handles many concurrent queries, local and forwarded", async () => {
    const names = Array.from({ length: 300 }, (_, i) => (i % 2 ? "web.default.svc.cluster.local" : "api.prod.svc.upstream.test"));
    const answers = await Promise.all(names.map((name, i) => udp(query(name, "A", { id: i + 1 }))));
    answers.forEach((a, i) => {
      const p = decode(a);
      expect(p.id).toBe(i + 1);
      expect(values(p)).toEqual([i % 2 ? "10.96.0.20" : "172.16.0.7"]);
    });
  });

  it("picks up a new snapshot on update", async () => {
    const s = new ClusterDNSServer({ upstreams: [] });
    const { port: p } = await s.start({ address: HOST, port: 0 });
    try {
      expect(decode(await udp(query("late.default.svc.cluster.local", "A"), p))).toMatchObject({ rcode: "NXDOMAIN" });
      s.update({ services: [service("default", "late", { clusterIP: "10.96.0.99", ports: [{ port: 80 }] })], slices: [] });
      expect(values(decode(await udp(query("late.default.svc.cluster.local", "A"), p)))).toEqual(["10.96.0.99"]);
    } finally {
      await s.stop();
    }
  });
});

describe("ClusterDNSServer upstream failures", () => {
  let silent: dgram.Socket;
  let silentTcp: net.Server;
  let silentPort: number;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    // An upstream that takes queries and never answers, over UDP and TCP.
    silent = dgram.createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, HOST, () => r()));
    silentPort = silent.address().port;
    silentTcp = net.createServer((c) => held.push(c));
    await new Promise<void>((r) => silentTcp.listen(silentPort, HOST, () => r()));
  });

  afterAll(async () => {
    for (const c of held) c.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    await new Promise<void>((r) => silentTcp.close(() => r()));
  });

  it("answers SERVFAIL when every upstream times out", async () => {
    const s = new ClusterDNSServer({ upstreams: [`${HOST}:${silentPort}`], upstreamTimeoutMs: 150 });
    const { port: p } = await s.start({ address: HOST, port: 0 });
    try {
      const started = Date.now();
      expect(decode(await udp(query("example.com", "A", { id: 31 }), p))).toMatchObject({ id: 31, rcode: "SERVFAIL", flag_aa: false, questions: [{ name: "example.com" }] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      const [viaTcp] = (await tcp([query("example.com", "A", { id: 32 })], 1, p)).map(decode);
      expect(viaTcp).toMatchObject({ id: 32, rcode: "SERVFAIL" });
      // cluster names do not depend on upstreams
      expect(decode(await udp(query("kubernetes.default.svc.cluster.local", "A"), p))).toMatchObject({ rcode: "NXDOMAIN" });
    } finally {
      await s.stop();
    }
  });

  it("tries the next upstream after a timeout or a refusal", async () => {
    const closed = await freePort();
    const s = new ClusterDNSServer({ upstreams: [`${HOST}:${silentPort}`, `${HOST}:${closed}`, `${HOST}:${upstreamPort}`], upstreamTimeoutMs: 150 });
    const { port: p } = await s.start({ address: HOST, port: 0 });
    try {
      expect(values(decode(await udp(query("api.prod.svc.upstream.test", "A"), p)))).toEqual(["172.16.0.7"]);
      expect(values((await tcp([query("api.prod.svc.upstream.test", "A")], 1, p)).map(decode)[0])).toEqual(["172.16.0.7"]);
    } finally {
      await s.stop();
    }
  });

  it("answers SERVFAIL at once with no upstreams, and stop cancels forwarded queries in flight", async () => {
    const none = new ClusterDNSServer({ upstreams: [] });
    const { port: p } = await none.start({ address: HOST, port: 0 });
    expect(decode(await udp(query("example.com", "A"), p))).toMatchObject({ rcode: "SERVFAIL" });
    await none.stop();

    const s = new ClusterDNSServer({ upstreams: [`${HOST}:${silentPort}`] }); // the 2 s default
    const { port: q } = await s.start({ address: HOST, port: 0 });
    const inFlight = s.handleQuery(query("example.com", "A"), "udp");
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.stop();
    expect(decode(await inFlight)).toMatchObject({ rcode: "SERVFAIL" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(q).toBeGreaterThan(0);
  });
});

describe("default upstreams", () => {
  it("are the node's resolv.conf nameservers without the server's own address", async () => {
    expect(upstreamsFromResolvConf("nameserver 10.96.0.10\nnameserver 192.0.2.1\nnameserver fd00::53\nnameserver bogus\n", { host: "10.96.0.10", port: 53 })).toEqual([
      { host: "192.0.2.1", port: 53 },
      { host: "fd00::53", port: 53 },
    ]);
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-dns-"));
    writeFileSync(join(dir, "resolv.conf"), "search example.com\nnameserver 127.0.0.1\nnameserver 192.0.2.1\n");
    const s = new ClusterDNSServer({ resolvConfPath: join(dir, "resolv.conf") });
    await s.start({ address: HOST, port: 0 });
    try {
      expect(s.upstreams).toEqual([{ host: "127.0.0.1", port: 53 }, { host: "192.0.2.1", port: 53 }]); // 127.0.0.1:53 is not us
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parse ip, ip:port and [v6]:port", () => {
    expect(parseUpstream("192.0.2.1")).toEqual({ host: "192.0.2.1", port: 53 });
    expect(parseUpstream("192.0.2.1:5353")).toEqual({ host: "192.0.2.1", port: 5353 });
    expect(parseUpstream("fd00::53")).toEqual({ host: "fd00::53", port: 53 });
    expect(parseUpstream("[fd00::53]:5353")).toEqual({ host: "fd00::53", port: 5353 });
    for (const bad of ["dns.example.com", "192.0.2.1:0", "192.0.2.1:99999", "[fd00::53]:x", ""]) expect(parseUpstream(bad), bad).toBeUndefined();
    expect(() => new ClusterDNSServer({ upstreams: ["dns.example.com"] })).toThrow(/invalid upstream/);
  });
});

async function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}
