// One TCP listener of the service proxy (a ClusterIP:port or a NodePort): each accepted connection
// goes to an endpoint picked round robin (or by client IP affinity), trying the next one when an
// endpoint refuses, and is reset when none answers, as upstream's REJECT of a service without endpoints.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { ProxyListener } from "./listener.js";
import { splice } from "./relay.js";

/** Strips the IPv4-mapped prefix a dual-stack socket reports. */
export const clientAddress = (address: string | undefined) => (address ?? "").replace(/^::ffff:/, "");

export class TcpProxy extends ProxyListener {
  private server?: Server;
  private readonly live = new Set<Socket>();

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
    const backend = await this.tryConnectEndpoints(
      clientAddress(client.remoteAddress),
      (ep) => this.o.dialer.stream(ep),
      (socket) => socket.destroy(),
      () => client.destroyed,
    );
    if (!backend) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    this.live.add(backend.conn);
    backend.conn.on("close", () => this.live.delete(backend.conn));
    splice(client, backend.conn);
  }
}
