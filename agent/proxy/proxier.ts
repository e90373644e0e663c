// The node's service proxy (upstream kube-proxy in userspace mode): from each sync's Services and
// EndpointSlices it keeps one listener per ClusterIP:port and per NodePort open, each with its
// current endpoints, and makes the ClusterIPs local. Syncs are level-based and coalesced; a listener
// that cannot bind is said once and retried, and nothing in a sync throws.
import type { Logger } from "../log.js";
import type { ClusterIPAddresses } from "./addresses.js";
import { endpointDialer, type EndpointDialer, type RelayFor } from "./dial.js";
import { planServicePorts, type ClientIPAffinity, type Protocol, type ProxySnapshot, type ServiceEndpoint, type ServicePortPlan } from "./plan.js";
import { newCounters, type ListenerCounters, type ProxyListener } from "./listener.js";
import { TcpProxy } from "./tcp-proxy.js";
import { UdpProxy } from "./udp-proxy.js";

export interface ServiceProxyOptions {
  nodeName: string;
  addresses: ClusterIPAddresses;
  log: Logger;
  /** The address NodePort listeners bind (upstream's --nodeport-addresses); default 0.0.0.0. */
  nodePortAddress?: string;
  /** Reaches endpoints on other nodes through their relay; without it every endpoint is dialled directly. */
  relayFor?: RelayFor;
  /**
   * Service ports the proxy opens no listener for, e.g. the cluster DNS service the agent answers
   * itself. Their ClusterIP is still made local, so that whoever serves it can bind it.
   */
  skip?: (port: ServicePortPlan) => boolean;
  connectTimeoutMs?: number;
  udpIdleTimeoutMs?: number;
  /** How soon listeners that failed to bind are tried again without a new sync; default 5 s. */
  retryIntervalMs?: number;
  now?: () => number;
  /** Tests: how endpoints are reached. */
  dialer?: EndpointDialer;
}

export interface SyncResult {
  /** Listener keys (`TCP 10.96.0.1:443`) opened, closed, and failing to bind. */
  opened: string[];
  closed: string[];
  failed: string[];
  /** ClusterIP listeners waiting for their address to be local. */
  waiting: string[];
}

export interface ServicePortStats extends ListenerCounters {
  listeners: string[];
  endpoints: number;
}

interface DesiredListener {
  kind: "ClusterIP" | "NodePort";
  host: string;
  port: number;
  protocol: Protocol;
  servicePort: string;
  endpoints: ServiceEndpoint[];
  affinity: ClientIPAffinity | undefined;
}

interface OpenListener {
  servicePort: string;
  endpoints: number;
  proxy: ProxyListener;
}

const listenerKey = (protocol: string, host: string, port: number) => `${protocol} ${host}:${port}`;

export class ServiceProxy {
  private readonly listeners = new Map<string, OpenListener>();
  /** Listener key → the bind error last reported for it. */
  private readonly failing = new Map<string, string>();
  private reportedSkips = new Set<string>();
  /** `servicePort endpoint code` already reported; forgotten when the endpoint leaves the plan. */
  private reportedEndpointErrors = new Set<string>();
  private readonly dialer: EndpointDialer;
  private pending?: { snapshot: ProxySnapshot; waiters: Array<(r: SyncResult) => void> };
  private running?: Promise<void>;
  private last?: ProxySnapshot;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: ServiceProxyOptions) {
    this.dialer = o.dialer ?? endpointDialer({ relayFor: o.relayFor, connectTimeoutMs: o.connectTimeoutMs });
  }

  /** Brings the listeners to what these Services and EndpointSlices ask for; concurrent calls coalesce. */
  sync(snapshot: Omit<ProxySnapshot, "nodeName"> & { nodeName?: string }): Promise<SyncResult> {
    const full = { ...snapshot, nodeName: snapshot.nodeName ?? this.o.nodeName };
    return new Promise((resolve) => {
      if (this.stopped) return resolve({ opened: [], closed: [], failed: [], waiting: [] });
      if (this.pending) {
        this.pending.snapshot = full;
        this.pending.waiters.push(resolve);
      } else {
        this.pending = { snapshot: full, waiters: [resolve] };
      }
      this.running ??= this.drain();
    });
  }

  /** Closes every listener (cutting its connections) and removes the addresses this proxy added. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
    for (const [key, l] of this.listeners) {
      await l.proxy.close({ destroyConnections: true });
      this.listeners.delete(key);
    }
    await this.o.addresses.stop();
  }

  /** Counters per service port, over its ClusterIP and NodePort listeners. */
  stats(): Record<string, ServicePortStats> {
    const out: Record<string, ServicePortStats> = {};
    for (const [key, l] of this.listeners) {
      const s = (out[l.servicePort] ??= { ...newCounters(), listeners: [], endpoints: 0 });
      s.listeners.push(key);
      s.endpoints = Math.max(s.endpoints, l.endpoints);
      for (const k of ["connections", "active", "failures", "endpointFailures"] as const) s[k] += l.proxy.counters[k];
    }
    return out;
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      const { snapshot, waiters } = this.pending;
      this.pending = undefined;
      let result: SyncResult;
      try {
        result = await this.apply(snapshot);
      } catch (err) {
        this.o.log.error(`✗ service proxy: sync failed: ${(err as Error).message}`);
        result = { opened: [], closed: [], failed: [], waiting: [] };
      }
      for (const w of waiters) w(result);
    }
    this.running = undefined;
    // Resolve any sync that arrived after stop() began.
    if (this.pending) for (const w of this.pending.waiters) w({ opened: [], closed: [], failed: [], waiting: [] });
    this.pending = undefined;
  }

  private async apply(snapshot: ProxySnapshot): Promise<SyncResult> {
    this.last = snapshot;
    const plan = planServicePorts(snapshot);
    this.reportSkips(plan.skipped.map((s) => `${s.key}: ${s.reason}`));

    const desired = new Map<string, DesiredListener>();
    const clusterIPs = new Set<string>();
    const nodePortAddress = this.o.nodePortAddress ?? "0.0.0.0";
    for (const sp of plan.ports) {
      clusterIPs.add(sp.clusterIP);
      if (this.o.skip?.(sp)) continue;
      const common = { protocol: sp.protocol, servicePort: sp.key, affinity: sp.sessionAffinity };
      const add = (d: DesiredListener) => {
        const key = listenerKey(d.protocol, d.host, d.port);
        // Two service ports on one address and port: the first (by key) is served.
        if (!desired.has(key)) desired.set(key, d);
      };
      add({ ...common, kind: "ClusterIP", host: sp.clusterIP, port: sp.port, endpoints: sp.endpoints });
      if (sp.nodePort) add({ ...common, kind: "NodePort", host: nodePortAddress, port: sp.nodePort, endpoints: sp.nodePortEndpoints });
    }

    const result: SyncResult = { opened: [], closed: [], failed: [], waiting: [] };
    for (const [key, l] of this.listeners) {
      if (desired.has(key)) continue;
      // Open TCP connections finish on their own, as with upstream's conntrack entries.
      await l.proxy.close();
      this.listeners.delete(key);
      result.closed.push(key);
    }
    for (const key of this.failing.keys()) if (!desired.has(key)) this.failing.delete(key);
    this.forgetEndpointErrors(desired);

    const local = await this.o.addresses.sync(clusterIPs);
    for (const [key, d] of desired) {
      const open = this.listeners.get(key);
      if (open) {
        open.servicePort = d.servicePort;
        open.endpoints = d.endpoints.length;
        open.proxy.setEndpoints(d.endpoints, d.affinity);
        continue;
      }
      if (d.kind === "ClusterIP" && !local.has(d.host)) {
        result.waiting.push(key);
        continue;
      }
      const listener: OpenListener = { servicePort: d.servicePort, endpoints: d.endpoints.length, proxy: undefined as unknown as ProxyListener };
      const onEndpointError = (ep: ServiceEndpoint, err: NodeJS.ErrnoException) => this.reportEndpointError(listener.servicePort, ep, err);
      const options = { host: d.host, port: d.port, dialer: this.dialer, now: this.o.now, onEndpointError };
      listener.proxy = d.protocol === "TCP" ? new TcpProxy(options) : new UdpProxy({ ...options, idleTimeoutMs: this.o.udpIdleTimeoutMs });
      listener.proxy.setEndpoints(d.endpoints, d.affinity);
      try {
        await listener.proxy.listen();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        if (this.failing.get(key) !== code) {
          this.o.log.error(`✗ service proxy: cannot listen on ${d.host}:${d.port}/${d.protocol} for ${d.servicePort} (${code}): retrying`);
          this.failing.set(key, code);
        }
        result.failed.push(key);
        continue;
      }
      if (this.failing.delete(key)) this.o.log.info(`✓ service proxy: listening on ${d.host}:${d.port}/${d.protocol} for ${d.servicePort}`);
      this.listeners.set(key, listener);
      result.opened.push(key);
    }

    if (result.opened.length + result.closed.length > 0) {
      this.o.log.info(`✓ service proxy: ${this.listeners.size} listener${this.listeners.size === 1 ? "" : "s"} for ${plan.ports.length} service port${plan.ports.length === 1 ? "" : "s"} (+${result.opened.length} −${result.closed.length})`);
    }
    if (result.failed.length + result.waiting.length > 0) this.scheduleRetry();
    return result;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.last && !this.pending && !this.stopped) void this.sync(this.last);
    }, this.o.retryIntervalMs ?? 5000);
    this.retryTimer.unref();
  }

  private reportSkips(lines: string[]): void {
    for (const line of lines) if (!this.reportedSkips.has(line)) this.o.log.info(`… service proxy: ${line}`);
    this.reportedSkips = new Set(lines);
  }

  private reportEndpointError(servicePort: string, ep: ServiceEndpoint, err: NodeJS.ErrnoException): void {
    const code = err.code ?? err.message;
    const key = `${servicePort} ${ep.ip}:${ep.port} ${code}`;
    if (this.reportedEndpointErrors.has(key)) return;
    this.reportedEndpointErrors.add(key);
    const via = ep.local || !ep.nodeName ? "" : ` on node ${ep.nodeName}`;
    this.o.log.error(`✗ service proxy: ${servicePort}: endpoint ${ep.ip}:${ep.port}${via} does not answer (${code}); the next endpoint is tried`);
  }

  private forgetEndpointErrors(desired: Map<string, DesiredListener>): void {
    if (this.reportedEndpointErrors.size === 0) return;
    const present = new Set<string>();
    for (const d of desired.values()) for (const ep of d.endpoints) present.add(`${d.servicePort} ${ep.ip}:${ep.port}`);
    for (const key of this.reportedEndpointErrors) {
      if (!present.has(key.slice(0, key.lastIndexOf(" ")))) this.reportedEndpointErrors.delete(key);
    }
  }
}
