// Which endpoint a new connection goes to (upstream userspace proxier's LoadBalancerRR): round robin
// over the endpoints, with sessionAffinity ClientIP keeping a client IP on the endpoint it last used
// while it connects again within the timeout and the endpoint is still there.
import type { ClientIPAffinity, ServiceEndpoint } from "./plan.js";

const endpointKey = (ep: ServiceEndpoint) => `${ep.ip}:${ep.port}`;

/** Affinity entries beyond this many trigger a sweep of the expired ones. */
const SWEEP_AT = 1024;

export class RoundRobin {
  private endpoints: ServiceEndpoint[] = [];
  /** ip:port → endpoint, built once per endpoint set so affinity costs no scan per connection. */
  private byKey = new Map<string, ServiceEndpoint>();
  private next = 0;
  private affinity: ClientIPAffinity | undefined;
  /** client IP → the endpoint it went to last and when. */
  private sticky = new Map<string, { key: string; at: number }>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly now: () => number = Date.now) {}

  /** Replaces the endpoint set; affinity to endpoints that remain is kept. */
  setEndpoints(endpoints: ServiceEndpoint[]): void {
    const previous = this.endpoints[this.next % Math.max(1, this.endpoints.length)];
    this.endpoints = endpoints.slice();
    this.byKey = new Map();
    for (const e of this.endpoints) if (!this.byKey.has(endpointKey(e))) this.byKey.set(endpointKey(e), e);
    // Continue the rotation where it was when that endpoint is still there.
    const same = previous && this.byKey.get(endpointKey(previous));
    this.next = same ? this.endpoints.indexOf(same) : 0;
    for (const [ip, s] of this.sticky) if (!this.byKey.has(s.key)) this.sticky.delete(ip);
  }

  setAffinity(affinity: ClientIPAffinity | undefined): void {
    if (affinity?.timeoutSeconds !== this.affinity?.timeoutSeconds) this.sticky.clear();
    this.affinity = affinity;
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Every endpoint once, in the order a new connection from clientIP should try them. */
  candidates(clientIP: string): ServiceEndpoint[] {
    const n = this.endpoints.length;
    if (n === 0) return [];
    const start = this.next % n;
    const order = [...this.endpoints.slice(start), ...this.endpoints.slice(0, start)];
    const stuck = this.stickyEndpoint(clientIP);
    if (!stuck) return order;
    return [stuck, ...order.filter((e) => e !== stuck)];
  }

  /** A connection from clientIP reached ep: the rotation continues after it, affinity remembers it. */
  chose(clientIP: string, ep: ServiceEndpoint): void {
    const i = this.endpoints.indexOf(ep);
    if (i >= 0 && this.stickyEndpoint(clientIP) !== ep) this.next = i + 1;
    if (!this.affinity) return;
    this.sticky.set(clientIP, { key: endpointKey(ep), at: this.now() });
    if (this.sticky.size >= this.sweepAt) this.sweep();
  }

  private stickyEndpoint(clientIP: string): ServiceEndpoint | undefined {
    if (!this.affinity) return undefined;
    const s = this.sticky.get(clientIP);
    if (!s) return undefined;
    if (this.now() - s.at > this.affinity.timeoutSeconds * 1000) {
      this.sticky.delete(clientIP);
      return undefined;
    }
    return this.byKey.get(s.key);
  }

  private sweep(): void {
    const oldest = this.now() - (this.affinity?.timeoutSeconds ?? 0) * 1000;
    for (const [ip, s] of this.sticky) if (s.at < oldest) this.sticky.delete(ip);
    this.sweepAt = Math.max(SWEEP_AT, this.sticky.size * 2);
  }
}
