// The node's cluster DNS server (what kube-dns/CoreDNS is for a cluster): bound on the cluster
// DNS ClusterIP over UDP and TCP, it answers names in the cluster domain from the Services and
// EndpointSlices the agent's informers hold and forwards everything else to the node's nameservers.
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import net from "node:net";
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from "dns-packet";
import type { Logger } from "../log.js";
import { ClusterRecords, DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL, type ClusterSnapshot, type DnsLookup } from "./records.js";
import { DEFAULT_UPSTREAM_TIMEOUT_MS, exchange, formatUpstream, parseUpstream, upstreamsFromResolvConf, type Upstream } from "./upstream.js";
import {
  FLAG_AA,
  FLAG_RA,
  FLAG_RD,
  FLAG_TC,
  RCODE,
  TCP_MAX_SIZE,
  decodeMessage,
  ednsOf,
  encodeTcpFrame,
  encodeWithin,
  fitRelayed,
  headerOnlyResponse,
  isResponse,
  isWritableName,
  opcodeOf,
  readTcpFrames,
  serverOpt,
  udpLimit,
} from "./wire.js";

export interface ClusterDNSServerOptions {
  /** The kubelet's --cluster-domain; `cluster.local` by default. */
  clusterDomain?: string;
  /** Seconds on every cluster record: 5, as CoreDNS's kubernetes plugin (kube-dns used 30). */
  ttl?: number;
  /** Upstream nameservers (`ip` or `ip:port`, `[v6]:port`); by default the nameservers of `resolvConfPath` read at start, leaving out this server's own address. */
  upstreams?: string[];
  /** The node's resolv.conf; /etc/resolv.conf by default. */
  resolvConfPath?: string;
  /** How long to wait for each upstream before trying the next: 2 s. */
  upstreamTimeoutMs?: number;
  /** Forwarded queries in flight at once; more are REFUSED (CoreDNS forward's max_concurrent). */
  maxConcurrentForwards?: number;
  /** Open TCP connections at once; more are closed on accept. */
  maxTcpConnections?: number;
  /** An idle TCP connection is closed after this long: 10 s, as CoreDNS. */
  tcpIdleTimeoutMs?: number;
  logger?: Logger;
  /** For the SOA serial. */
  now?: () => number;
}

export interface ListenAddress {
  address: string;
  /** 0 picks a port free for both UDP and TCP. */
  port: number;
}

type Transport = "udp" | "tcp";

const DEFAULT_MAX_CONCURRENT_FORWARDS = 500;
const DEFAULT_MAX_TCP_CONNECTIONS = 1000;
const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000;
const BIND_ATTEMPTS = 5;
const UDP_RECEIVE_BUFFER = 4 << 20;

export class ClusterDNSServer {
  private records: ClusterRecords;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private upstreamList: Upstream[] = [];
  private abort = new AbortController();
  private forwarding = 0;
  private bound?: ListenAddress;
  private readonly configuredUpstreams?: Upstream[];

  /** Throws on an upstream that is not `ip` or `ip:port`. */
  constructor(private readonly o: ClusterDNSServerOptions = {}) {
    this.records = this.build({ services: [], slices: [] });
    this.configuredUpstreams = o.upstreams?.map((s) => {
      const u = parseUpstream(s);
      if (!u) throw new Error(`invalid upstream nameserver ${JSON.stringify(s)}: want ip or ip:port`);
      return u;
    });
  }

  /** The address and port the server listens on, once started. */
  get address(): ListenAddress | undefined {
    return this.bound;
  }

  /** The nameservers queries outside the cluster are forwarded to, in order. */
  get upstreams(): readonly Upstream[] {
    return this.upstreamList;
  }

  /** Binds UDP and TCP on the same address and port; resolves with where it listens. */
  async start(listen: ListenAddress): Promise<ListenAddress> {
    if (this.udp) throw new Error("cluster DNS server already started");
    for (let attempt = 1; ; attempt++) {
      const udp = await bindUdp(listen.address, listen.port);
      const port = udp.address().port;
      try {
        this.tcp = await listenTcp(listen.address, port, (conn) => this.serveTcp(conn));
        this.udp = udp;
        break;
      } catch (err) {
        udp.close();
        // With port 0 the port UDP got may be taken for TCP: pick another.
        if (listen.port !== 0 || attempt >= BIND_ATTEMPTS || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
      }
    }
    this.abort = new AbortController();
    setMaxListeners(0, this.abort.signal); // one listener per forwarded query in flight
    try {
      // A burst of queries must not overflow the default ~200 KiB of the socket (the kernel caps this at rmem_max).
      this.udp.setRecvBufferSize(UDP_RECEIVE_BUFFER);
    } catch {
      // keep the default
    }
    this.bound = { address: listen.address, port: this.udp.address().port };
    this.udp.on("message", (msg, rinfo) => this.serveUdp(msg, rinfo));
    this.udp.on("error", (err) => this.o.logger?.error(`✗ cluster DNS: UDP: ${err.message}`));
    this.upstreamList = this.resolveUpstreams(this.bound);
    if (this.upstreamList.length === 0) this.o.logger?.error("✗ cluster DNS: no upstream nameservers; names outside the cluster will get SERVFAIL");
    this.o.logger?.info(`✓ cluster DNS listening on ${formatUpstream({ host: this.bound.address, port: this.bound.port })} (upstreams: ${this.upstreamList.map(formatUpstream).join(" ") || "none"})`);
    return this.bound;
  }

  /** Replaces the records with those of a new snapshot (indexed here, once). */
  update(snapshot: ClusterSnapshot): void {
    this.records = this.build(snapshot);
  }

  /** Closes the sockets and connections and cancels forwarded queries in flight. */
  async stop(): Promise<void> {
    this.abort.abort();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    this.bound = undefined;
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    await Promise.all([
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  /**
   * Answers one query in wire format, as received over `transport`; undefined when the message
   * deserves no answer (too short for a header, or itself a response). Never throws.
   */
  async handleQuery(msg: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (msg.length < 12 || isResponse(msg)) return undefined;
    const query = decodeMessage(msg);
    if (!query) return headerOnlyResponse(msg, RCODE.FORMERR);
    try {
      if (opcodeOf(msg) !== 0) return headerOnlyResponse(msg, RCODE.NOTIMP);
      const questions = query.questions ?? [];
      if (questions.length !== 1 || !isWritableName(questions[0].name)) return headerOnlyResponse(msg, RCODE.FORMERR);
      const question = questions[0];
      const limit = transport === "udp" ? udpLimit(query) : TCP_MAX_SIZE;
      const records = this.records;
      const internet = question.class === undefined || question.class === "IN" || question.class === "ANY";
      const local = internet ? records.lookup(question) : undefined;
      if (local) return this.respond(query, await this.chased(local, transport), limit);
      if (records.inClusterDomain(question.name)) return this.respond(query, { rcode: RCODE.REFUSED }, limit);
      return await this.forward(msg, query, transport, limit);
    } catch (err) {
      this.o.logger?.error(`✗ cluster DNS: ${(err as Error).message}`);
      return headerOnlyResponse(msg, RCODE.SERVFAIL);
    }
  }

  private build(snapshot: ClusterSnapshot): ClusterRecords {
    return new ClusterRecords(snapshot, {
      clusterDomain: this.o.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      ttl: this.o.ttl ?? DEFAULT_TTL,
      serial: Math.floor((this.o.now ?? Date.now)() / 1000) >>> 0,
    });
  }

  private resolveUpstreams(self: ListenAddress): Upstream[] {
    if (this.configuredUpstreams) return this.configuredUpstreams;
    let text = "";
    try {
      text = readFileSync(this.o.resolvConfPath ?? "/etc/resolv.conf", "utf8");
    } catch {
      // no resolv.conf: no upstreams
    }
    return upstreamsFromResolvConf(text, { host: self.address, port: self.port });
  }

  /** For an ExternalName pointing outside the cluster, the target's records from upstream, appended. */
  private async chased(local: DnsLookup, transport: Transport): Promise<Reply> {
    const reply: Reply = { rcode: RCODE[local.rcode], authoritative: true, answers: local.answers, authorities: local.authorities, additionals: local.additionals };
    if (!local.chase) return reply;
    const query = dnsPacket.encode({ type: "query", id: randomInt(65536), flags: FLAG_RD, questions: [{ name: local.chase.name, type: local.chase.type as never }] });
    let raw = await this.exchangeUpstreams(query, transport);
    if (raw && (raw.readUInt16BE(2) & FLAG_TC) !== 0) raw = await this.exchangeUpstreams(query, "tcp");
    const upstream = raw && decodeMessage(raw);
    if (!upstream) return reply; // the CNAME alone; the client may chase it itself
    const rcode = raw!.readUInt16BE(2) & 0x0f;
    return { ...reply, rcode: rcode === RCODE.NXDOMAIN ? RCODE.NXDOMAIN : reply.rcode, answers: [...local.answers, ...(upstream.answers ?? [])] };
  }

  private respond(query: DecodedPacket, reply: Reply, limit: number): Buffer {
    const opt = ednsOf(query);
    const message: Packet = {
      type: "response",
      id: query.id,
      flags: (reply.authoritative ? FLAG_AA : 0) | FLAG_RA | ((query.flags ?? 0) & FLAG_RD) | reply.rcode,
      questions: query.questions,
      answers: reply.answers ?? [],
      authorities: reply.authorities ?? [],
      additionals: [...(reply.additionals ?? []), ...(opt ? [serverOpt()] : [])],
    };
    return encodeWithin(message, limit);
  }

  /** Relays a query upstream (same transport as the client) and the answer back, with the client's id. */
  private async forward(msg: Buffer, query: DecodedPacket, transport: Transport, limit: number): Promise<Buffer> {
    if (this.forwarding >= (this.o.maxConcurrentForwards ?? DEFAULT_MAX_CONCURRENT_FORWARDS)) return this.respond(query, { rcode: RCODE.REFUSED }, limit);
    const answer = await this.exchangeUpstreams(msg, transport);
    if (!answer) return this.respond(query, { rcode: RCODE.SERVFAIL }, limit);
    answer.writeUInt16BE(query.id ?? 0, 0);
    return transport === "udp" ? fitRelayed(answer, limit, query) : answer;
  }

  /** Tries each upstream in turn with a fresh id; the answer carries the id of `query`, or undefined if all failed. */
  private async exchangeUpstreams(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const timeout = this.o.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    const signal = this.abort.signal;
    this.forwarding++;
    try {
      for (const upstream of this.upstreamList) {
        if (signal.aborted) return undefined;
        const sent = Buffer.from(query);
        sent.writeUInt16BE(randomInt(65536), 0);
        try {
          const answer = await exchange(upstream, sent, transport, timeout, signal);
          answer.writeUInt16BE(query.readUInt16BE(0), 0);
          return answer;
        } catch {
          // try the next upstream
        }
      }
      return undefined;
    } finally {
      this.forwarding--;
    }
  }

  private serveUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const udp = this.udp;
    void this.handleQuery(msg, "udp").then((out) => {
      if (out && udp && this.udp === udp) udp.send(out, rinfo.port, rinfo.address, () => {});
    });
  }

  /** RFC 7766: length-prefixed messages, pipelined queries answered as they complete. */
  private serveTcp(conn: net.Socket): void {
    if (this.connections.size >= (this.o.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS)) {
      conn.destroy();
      return;
    }
    this.connections.add(conn);
    conn.on("close", () => this.connections.delete(conn));
    conn.on("error", () => conn.destroy());
    conn.setNoDelay(true);
    conn.setTimeout(this.o.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS, () => conn.destroy());
    readTcpFrames(conn, (frame) => {
      void this.handleQuery(Buffer.from(frame), "tcp").then((out) => {
        if (out && !conn.destroyed) conn.write(encodeTcpFrame(out));
      });
    });
  }
}

interface Reply {
  rcode: number;
  /** Set on answers from the cluster's records, not on forwarding failures. */
  authoritative?: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? "udp6" : "udp4");
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

function listenTcp(address: string, port: number, onConnection: (conn: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      server.on("error", () => {});
      resolve(server);
    });
  });
}
