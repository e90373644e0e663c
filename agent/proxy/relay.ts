// Pods on other machines, where there is no pod network between them: each agent runs a relay on its
// node address that opens a connection to one of its own pods on behalf of another node's proxy.
//
// The protocol, one line each way and then the pod's stream:
//   → `RELAY <podIP>:<port>\n`       a TCP stream to the pod
//   → `RELAY-UDP <podIP>:<port>\n`   UDP datagrams to the pod, each framed as a 2-byte big-endian length
//                                   and the payload, both ways (as DNS frames its messages over TCP)
//   ← `OK\n` once the pod's port answered, then the stream; or `ERR <reason>\n` and the connection is
//     closed. The answer lets a proxy tell a refused endpoint from one that closes at once, and so
//     try the next endpoint (upstream's iptables proxier gets the same from the kernel's RST).
// Only addresses of the node's own pod CIDR (not its network, gateway or broadcast address) are
// accepted, so the relay is no open proxy: it reaches what a flat pod network would reach.
import { createSocket } from "node:dgram";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { DEFAULT_RELAY_PORT } from "../cli/flags.js";
import { encodeTcpFrame, readTcpFrames } from "../dns/wire.js";
import type { Logger } from "../log.js";
import { ipToNumber, parseCidr } from "../network/ipam.js";

export interface RelayAddress {
  host: string;
  port: number;
}

export type RelayMode = "tcp" | "udp";

/**
 * The relay's port when every agent uses the same one, so that a node's relay is its InternalIP and
 * this port. Next to the ports upstream's node components use (kubelet 10250, kube-proxy 10256).
 */
export { DEFAULT_RELAY_PORT };

const HEADER_LIMIT = 128;
/** Datagrams are dropped (as UDP may) rather than queued past this much unsent on a relayed stream. */
export const DATAGRAM_QUEUE_LIMIT = 1 << 20;
/** How long a connection may take to send its header line. */
const HEADER_TIMEOUT_MS = 5000;

export interface RelayServerOptions {
  /** The node's address the relay listens on, reachable by the other nodes' agents. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The node's pod CIDRs: the only targets the relay opens connections to. */
  podCIDRs: string[];
  log: Logger;
  /** Bound on the relay's own connect to a pod (a refused or silent pod answers `ERR`). */
  connectTimeoutMs?: number;
}

/** The relay listener of one node. */
export class RelayServer {
  private server?: Server;
  private readonly ranges: Array<{ first: number; last: number }>;
  private readonly live = new Set<Socket>();
  /** Connections relayed and refused (outside the pod CIDR, malformed, unreachable pod). */
  readonly counters = { relayed: 0, refused: 0 };

  constructor(private readonly o: RelayServerOptions) {
    this.ranges = o.podCIDRs.flatMap((text) => {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`relay: invalid pod CIDR ${JSON.stringify(text)}`);
      const size = 2 ** (32 - cidr.prefix);
      // Not the network address, the gateway (the bridge, that is the host itself) nor the broadcast.
      return [{ first: cidr.base + 2, last: cidr.base + size - 2 }];
    });
  }

  /** Whether the relay opens connections to this address. */
  allows(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== undefined && this.ranges.some((r) => n >= r.first && n <= r.last);
  }

  listen(): Promise<RelayAddress> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off("error", reject);
        server.on("error", (err) => this.o.log.error(`✗ service proxy: relay on ${this.o.host}: ${err.message}`));
        resolve(this.address()!);
      });
    });
  }

  address(): RelayAddress | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: this.o.host, port: a.port } : undefined;
  }

  /** Stops listening and cuts the relayed connections. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.live) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.live.add(socket);
    socket.on("close", () => this.live.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(HEADER_TIMEOUT_MS, () => socket.destroy());
    // A proxy that vanished without closing (its machine went down) is noticed eventually.
    socket.setKeepAlive(true, 60_000);
    readLine(socket, HEADER_LIMIT).then(
      (line) => {
        socket.setTimeout(0);
        if (line === undefined) return this.refuse(socket, "malformed");
        const m = /^(RELAY|RELAY-UDP) (\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(line);
        const port = m ? Number(m[3]) : 0;
        if (!m || port < 1 || port > 65535) return this.refuse(socket, "malformed");
        if (!this.allows(m[2])) return this.refuse(socket, "forbidden");
        if (m[1] === "RELAY") this.relayStream(socket, m[2], port);
        else this.relayDatagrams(socket, m[2], port);
      },
      () => socket.destroy(),
    );
  }

  private refuse(socket: Socket, reason: string): void {
    this.counters.refused++;
    socket.end(`ERR ${reason}\n`);
    socket.destroySoon();
  }

  private relayStream(socket: Socket, ip: string, port: number): void {
    const target = connect({ host: ip, port, allowHalfOpen: true });
    let connected = false;
    const timer = setTimeout(() => target.destroy(errno("ETIMEDOUT", "connect timeout")), this.o.connectTimeoutMs ?? 1000);
    target.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!connected) this.refuse(socket, err.code ?? "EHOSTUNREACH");
      else socket.destroy();
    });
    target.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      if (socket.destroyed) return void target.destroy();
      this.counters.relayed++;
      socket.write("OK\n");
      splice(socket, target);
    });
    socket.once("close", () => {
      if (!connected) target.destroy();
    });
  }

  private relayDatagrams(socket: Socket, ip: string, port: number): void {
    const udp = createSocket("udp4");
    const close = () => {
      socket.destroy();
      try {
        udp.close();
      } catch {
        // closed already
      }
    };
    udp.on("error", close);
    socket.on("close", close);
    udp.connect(port, ip, () => {
      if (socket.destroyed) return close();
      this.counters.relayed++;
      socket.write("OK\n");
      udp.on("message", (msg) => {
        if (socket.writableLength < DATAGRAM_QUEUE_LIMIT) socket.write(encodeTcpFrame(msg));
      });
      readTcpFrames(socket, (payload) => udp.send(payload));
      socket.on("end", close);
    });
  }
}

/**
 * Opens a relayed connection to a pod through its node's relay; resolves once the relay answered `OK`,
 * with the socket positioned at the pod's first byte (paused). Rejects with the relay's `ERR` reason, a
 * connect error, or ETIMEDOUT after timeoutMs.
 */
export function openRelay(relay: RelayAddress, target: { ip: string; port: number }, mode: RelayMode, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: relay.host, port: relay.port, allowHalfOpen: true });
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(errno("ETIMEDOUT", `relay ${relay.host}:${relay.port}: no answer in ${timeoutMs} ms`)), timeoutMs);
    socket.once("error", fail);
    socket.write(`${mode === "tcp" ? "RELAY" : "RELAY-UDP"} ${target.ip}:${target.port}\n`);
    readLine(socket, HEADER_LIMIT).then((line) => {
      if (done) return;
      if (line === "OK") {
        done = true;
        clearTimeout(timer);
        socket.off("error", fail);
        resolve(socket);
        return;
      }
      const reason = line?.startsWith("ERR ") ? line.slice(4) : "closed";
      fail(errno(/^E[A-Z]+$/.test(reason) ? reason : "ECONNREFUSED", `relay ${relay.host}:${relay.port} to ${target.ip}:${target.port}: ${reason}`));
    }, fail);
  });
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * Reads one `\n`-terminated line (without it) and leaves the socket paused with whatever followed
 * the line put back; undefined when the socket ends first or the line is longer than limit.
 */
function readLine(socket: Socket, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > limit) {
          cleanup();
          socket.pause();
          resolve(undefined);
        }
        return;
      }
      cleanup();
      socket.pause();
      const rest = buf.subarray(nl + 1);
      if (rest.length > 0) socket.unshift(rest);
      resolve(nl > limit ? undefined : buf.subarray(0, nl).toString("latin1").replace(/\r$/, ""));
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
  });
}

/** Pipes two sockets both ways with half-close; an error or abort on either side destroys both. */
export function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const abort = (from: Socket, to: Socket) => (hadError: boolean) => {
    if (hadError || !from.readableEnded) to.destroy();
  };
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  a.on("close", abort(a, b));
  b.on("close", abort(b, a));
}
