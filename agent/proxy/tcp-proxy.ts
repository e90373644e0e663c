// One TCP listener of the service proxy (a ClusterIP:port or a NodePort): each accepted connection
// goes to an endpoint picked round robin (or by client IP affinity), trying the next one when an
// endpoint refuses, and is reset when none answers, as upstream's REJECT of a service without endpoints.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { RoundRobin } from "./balancer.js";
import type { EndpointDialer } from "./dial.js";
import type { ClientIPAffinity, ServiceEndpoint } from "./plan.js";
import { splice } from "./relay.js";

export interface ListenerCounters {
  /** Connections (TCP) or sessions (UDP) accepted. */
  connections: number;
  /** Open now. */
  active: number;
  /** Clients turned away: no endpoint, or every endpoint refused. */
  failures: number;
  /** Endpoint attempts that were refused, unreachable or timed out (each followed by the next endpoint). */
  endpointFailures: number;
}

export interface ProxyListenerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dialer: EndpointDialer;
  now?: () => number;
  /** An endpoint attempt failed (for the proxier's once-per-change log). */
  onEndpointError?(ep: ServiceEndpoint, err: NodeJS.ErrnoException): void;
}

export const newCounters = (): ListenerCounters => ({ connections: 0, active: 0, failures: 0, endpointFailures: 0 });

/** Strips the IPv4-mapped prefix a dual-stack socket reports. */
export const clientAddress = (address: string | undefined) => (address ?? "").replace(/^::ffff:/, "");

export class TcpProxy {
  readonly counters = newCounters();
  private readonly balancer: RoundRobin;
  private server?: Server;
  private readonly live = new Set<Socket>();

  constructor(private readonly o: ProxyListenerOptions) {
    this.balancer = new RoundRobin(o.now);
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL…). */
  listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (client) => void this.accept(client));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: this.o.host, port: this.o.port }, () => {
        server.off("error", reject);
        // Errors of a listening server (EMFILE on accept) are transient: keep listening.
        server.on("error", () => {});
        this.server = server;
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.o.port;
  }

  /** Replaces the endpoints in place: open connections stay where they are. */
  setEndpoints(endpoints: ServiceEndpoint[], affinity?: ClientIPAffinity): void {
    this.balancer.setAffinity(affinity);
    this.balancer.setEndpoints(endpoints);
  }

  /**
   * Stops accepting. Open connections finish on their own unless destroyConnections is set (a
   * removed service: upstream's conntrack cleanup ends them too).
   */
  async close(opts: { destroyConnections?: boolean } = {}): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (opts.destroyConnections) this.destroyConnections();
    if (!server) return;
    server.close();
    // The listening socket is closed once the handle is; server.close's callback would also wait for connections.
    await new Promise((resolve) => setImmediate(resolve));
  }

  destroyConnections(): void {
    for (const s of this.live) s.destroy();
  }

  private async accept(client: Socket): Promise<void> {
    this.counters.connections++;
    this.counters.active++;
    this.live.add(client);
    client.on("close", () => {
      this.counters.active--;
      this.live.delete(client);
    });
    client.on("error", () => client.destroy());
    const ip = clientAddress(client.remoteAddress);
    for (const ep of this.balancer.candidates(ip)) {
      let backend: Socket;
      try {
        backend = await this.o.dialer.stream(ep);
      } catch (err) {
        this.counters.endpointFailures++;
        this.o.onEndpointError?.(ep, err as NodeJS.ErrnoException);
        if (client.destroyed) return;
        continue;
      }
      if (client.destroyed) return void backend.destroy();
      this.balancer.chose(ip, ep);
      this.live.add(backend);
      backend.on("close", () => this.live.delete(backend));
      splice(client, backend);
      return;
    }
    this.counters.failures++;
    if (!client.destroyed) client.resetAndDestroy();
  }
}
