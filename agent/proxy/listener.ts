// What the service proxy's TCP and UDP listeners share: options, counters, the endpoints' balancer,
// and how a new client reaches an endpoint (upstream userspace proxier's TryConnectEndpoints).
import { RoundRobin } from "./balancer.js";
import type { EndpointDialer } from "./dial.js";
import type { ClientIPAffinity, ServiceEndpoint } from "./plan.js";

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

export abstract class ProxyListener<O extends ProxyListenerOptions = ProxyListenerOptions> {
  readonly counters = newCounters();
  protected readonly balancer: RoundRobin;

  constructor(protected readonly o: O) {
    this.balancer = new RoundRobin(o.now);
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL…). */
  abstract listen(): Promise<void>;

  abstract get port(): number;

  /** Stops listening; `destroyConnections` also ends what is open (a removed service). */
  abstract close(opts?: { destroyConnections?: boolean }): Promise<void>;

  abstract destroyConnections(): void;

  /** Replaces the endpoints in place: open connections stay where they are. */
  setEndpoints(endpoints: ServiceEndpoint[], affinity?: ClientIPAffinity): void {
    this.balancer.setAffinity(affinity);
    this.balancer.setEndpoints(endpoints);
  }

  /**
   * TryConnectEndpoints: the endpoints in the order the balancer gives for this client, until one
   * answers; each that does not is counted and reported, and the next one is tried. Undefined when
   * none answered (a failure, counted) or when the client left meanwhile (`abandoned`; a connection
   * opened for it is closed again, and nothing is counted).
   */
  protected async tryConnectEndpoints<C>(
    clientIP: string,
    connect: (ep: ServiceEndpoint) => Promise<C>,
    close: (conn: C) => void,
    abandoned: () => boolean,
  ): Promise<{ endpoint: ServiceEndpoint; conn: C } | undefined> {
    for (const endpoint of this.balancer.candidates(clientIP)) {
      let conn: C;
      try {
        conn = await connect(endpoint);
      } catch (err) {
        this.counters.endpointFailures++;
        this.o.onEndpointError?.(endpoint, err as NodeJS.ErrnoException);
        if (abandoned()) return undefined;
        continue;
      }
      if (abandoned()) {
        close(conn);
        return undefined;
      }
      this.balancer.chose(clientIP, endpoint);
      return { endpoint, conn };
    }
    this.counters.failures++;
    return undefined;
  }
}
