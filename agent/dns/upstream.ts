// Forwarding to upstream nameservers (what CoreDNS's forward plugin does for names outside the
// cluster): one exchange per query over UDP or TCP, a fresh socket and id each time so answers
// cannot be mixed up or spoofed by guessing a port, with a timeout and cancellation.
import dgram from "node:dgram";
import net from "node:net";
import { parseResolvConf } from "./resolv-conf.js";
import { encodeTcpFrame, readTcpFrames } from "./wire.js";

export interface Upstream {
  host: string;
  port: number;
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;

export class UpstreamError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly reason: "timeout" | "network" | "aborted",
    detail: string,
  ) {
    super(`upstream ${formatUpstream(upstream)}: ${detail}`);
    this.name = "UpstreamError";
  }
}

/** `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:5353` → host and port (53 when absent); undefined when not an IP. */
export function parseUpstream(s: string): Upstream | undefined {
  const text = s.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  let host: string;
  let port = 53;
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (net.isIP(text)) host = text;
  else {
    const colon = text.lastIndexOf(":");
    if (colon === -1) return undefined;
    host = text.slice(0, colon);
    port = Number(text.slice(colon + 1));
  }
  if (!net.isIP(host.replace(/%.*$/, "")) || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

export const formatUpstream = (u: Upstream) => (net.isIPv6(u.host) ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`);

/** The nameservers of the node's resolv.conf, leaving out the cluster DNS server itself (no forwarding loops). */
export function upstreamsFromResolvConf(text: string, self?: Upstream): Upstream[] {
  return parseResolvConf(text)
    .nameservers.map((ns) => parseUpstream(ns))
    .filter((u): u is Upstream => u !== undefined)
    .filter((u) => !self || !(sameHost(u.host, self.host) && u.port === self.port));
}

const sameHost = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Sends one query to one upstream and resolves with its answer (a response with the query's id
 * from that upstream); rejects with UpstreamError on timeout, a network error or abort.
 */
export function exchange(upstream: Upstream, query: Buffer, transport: "udp" | "tcp", timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
  return transport === "udp" ? exchangeUdp(upstream, query, timeoutMs, signal) : exchangeTcp(upstream, query, timeoutMs, signal);
}

const matches = (msg: Buffer, id: number) => msg.length >= 12 && msg.readUInt16BE(0) === id && (msg[2] & 0x80) !== 0;

/** Settles an exchange once, with its answer or an error; later calls do nothing. */
type Finish = (err: Error | undefined, answer?: Buffer) => void;

/**
 * One exchange with an upstream: `start` opens its socket, calls `finish` with the answer or an
 * error, and returns how to release the socket. The first of that, the timeout or an abort settles
 * the exchange and releases the socket; nothing is opened when the signal is aborted already.
 */
function settleExchange(upstream: Upstream, timeoutMs: number, signal: AbortSignal | undefined, start: (finish: Finish) => () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let release: (() => void) | undefined;
    const finish: Finish = (err, answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      release?.();
      if (err) reject(err);
      else resolve(answer!);
    };
    const onAbort = () => finish(new UpstreamError(upstream, "aborted", "aborted"));
    const timer = setTimeout(() => finish(new UpstreamError(upstream, "timeout", `no answer within ${timeoutMs}ms`)), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort);
    release = start(finish);
    if (settled) release(); // finished while starting
  });
}

function exchangeUdp(upstream: Upstream, query: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
  const id = query.readUInt16BE(0);
  return settleExchange(upstream, timeoutMs, signal, (finish) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.host) ? "udp6" : "udp4");
    let closed = false;
    socket.on("error", (err) => finish(new UpstreamError(upstream, "network", err.message)));
    // A connected socket only hears from the upstream's address and port, and learns of ICMP port unreachable.
    socket.on("message", (msg) => {
      if (matches(msg, id)) finish(undefined, msg);
    });
    socket.connect(upstream.port, upstream.host, () => {
      if (closed) return;
      socket.send(query, (err) => {
        if (err) finish(new UpstreamError(upstream, "network", err.message));
      });
    });
    return () => {
      closed = true;
      try {
        socket.close();
      } catch {
        // already closed
      }
    };
  });
}

function exchangeTcp(upstream: Upstream, query: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
  const id = query.readUInt16BE(0);
  return settleExchange(upstream, timeoutMs, signal, (finish) => {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    socket.on("error", (err) => finish(new UpstreamError(upstream, "network", err.message)));
    socket.on("close", () => finish(new UpstreamError(upstream, "network", "connection closed before an answer")));
    socket.on("connect", () => socket.write(encodeTcpFrame(query)));
    readTcpFrames(socket, (msg) => {
      if (matches(msg, id)) finish(undefined, Buffer.from(msg));
    });
    return () => socket.destroy();
  });
}
