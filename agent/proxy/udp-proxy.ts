// One UDP listener of the service proxy: a session per client address (ip:port) with its own
// channel to one endpoint, so replies come back to that client from the service address.
//
// A session closes after DEFAULT_UDP_IDLE_TIMEOUT_MS without a datagram either way. Upstream's
// userspace proxier closed them after 250 ms (--udp-timeout), which suits DNS and breaks anything
// slower; the kernel's conntrack, what the iptables proxier relies on, forgets a UDP flow after 30 s
// (nf_conntrack_udp_timeout), and that is the value used here. Sessions are capped: past
// maxSessions the least recently used is closed, so a client using a new source port per query
// costs at most that many sockets.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import type { DatagramChannel } from "./dial.js";
import { ProxyListener, type ProxyListenerOptions } from "./listener.js";

export const DEFAULT_UDP_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_UDP_MAX_SESSIONS = 4096;

export interface UdpProxyOptions extends ProxyListenerOptions {
  idleTimeoutMs?: number;
  maxSessions?: number;
}

interface Session {
  /** Set once the endpoint's channel is open; datagrams arriving before wait in pending. */
  channel?: DatagramChannel;
  pending: Buffer[];
  lastActive: number;
  closed: boolean;
}

/** Datagrams a session holds while its channel opens (a relayed one takes a round trip). */
const PENDING_LIMIT = 64;

export class UdpProxy extends ProxyListener<UdpProxyOptions> {
  private socket?: UdpSocket;
  /** client ip:port → session, least recently active first. */
  private readonly sessions = new Map<string, Session>();
  private sweeper?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly idleMs: number;

  constructor(o: UdpProxyOptions) {
    super(o);
    this.now = o.now ?? Date.now;
    this.idleMs = o.idleTimeoutMs ?? DEFAULT_UDP_IDLE_TIMEOUT_MS;
  }

  listen(): Promise<void> {
    const socket = createSocket({ type: "udp4" });
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ address: this.o.host, port: this.o.port }, () => {
        socket.off("error", reject);
        socket.on("error", () => {});
        socket.on("message", (msg, rinfo) => this.receive(msg, rinfo));
        this.socket = socket;
        this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(this.idleMs / 2, 5000)));
        this.sweeper.unref();
        resolve();
      });
    });
  }

  get port(): number {
    return this.socket?.address().port ?? this.o.port;
  }

  /** Stops listening. Sessions need the listening socket for their replies, so they end too. */
  async close(_opts: { destroyConnections?: boolean } = {}): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.destroyConnections();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  destroyConnections(): void {
    for (const key of [...this.sessions.keys()]) this.end(key);
  }

  private receive(msg: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let session = this.sessions.get(key);
    if (session) {
      // Re-inserted so that the map stays ordered by activity.
      this.sessions.delete(key);
      this.sessions.set(key, session);
      session.lastActive = this.now();
      if (session.channel) session.channel.send(msg);
      else if (session.pending.length < PENDING_LIMIT) session.pending.push(msg);
      return;
    }
    if (this.balancer.size === 0) {
      this.counters.failures++;
      return;
    }
    session = { pending: [msg], lastActive: this.now(), closed: false };
    this.sessions.set(key, session);
    this.counters.connections++;
    this.counters.active++;
    const max = this.o.maxSessions ?? DEFAULT_UDP_MAX_SESSIONS;
    if (this.sessions.size > max) this.end(this.sessions.keys().next().value!);
    void this.open(key, session, from);
  }

  private async open(key: string, session: Session, from: RemoteInfo): Promise<void> {
    const opened = await this.tryConnectEndpoints(
      from.address,
      (ep) => this.o.dialer.datagrams(ep),
      (channel) => channel.close(),
      () => session.closed,
    );
    if (!opened) return this.end(key, session);
    const { endpoint, conn: channel } = opened;
    session.channel = channel;
    channel.onMessage((reply) => {
      session.lastActive = this.now();
      this.socket?.send(reply, from.port, from.address);
    });
    channel.onClose((err) => {
      // ECONNREFUSED: the endpoint's port is closed; the client's next datagram picks another.
      if (err) {
        this.counters.endpointFailures++;
        this.o.onEndpointError?.(endpoint, err as NodeJS.ErrnoException);
      }
      this.end(key, session);
    });
    for (const m of session.pending) channel.send(m);
    session.pending = [];
  }

  private end(key: string, only?: Session): void {
    const session = this.sessions.get(key);
    if (!session || (only && session !== only)) return;
    this.sessions.delete(key);
    session.closed = true;
    session.channel?.close();
    this.counters.active--;
  }

  private sweep(): void {
    const oldest = this.now() - this.idleMs;
    // Replies refresh a session without reordering the map, so every session is looked at.
    for (const [key, s] of [...this.sessions]) if (s.lastActive < oldest) this.end(key);
  }
}
