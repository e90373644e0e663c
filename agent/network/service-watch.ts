// What the service proxy and the cluster DNS work from: every Service, EndpointSlice and Node of
// the cluster, listed and watched with the node's credentials (RBAC's system:node-proxier role is
// bound to the nodes). Changes are batched: one snapshot per burst of events, a few milliseconds
// after the last, so that a rollout touching many slices costs one proxy sync.
import type { Node } from "../../src/apis/core/v1/node.js";
import type { Service } from "../../src/apis/core/v1/service.js";
import type { EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import type { KubeObject } from "../../src/apis/types.js";
import type { ApiClient } from "../client/api-client.js";
import { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";

export interface ServiceSnapshot {
  services: Service[];
  slices: EndpointSlice[];
  nodes: Node[];
}

export interface ServiceWatchOptions {
  client: ApiClient;
  log: Logger;
  onChange(snapshot: ServiceSnapshot): void;
  /** Quiet time after an event before the snapshot is taken (default 10 ms). */
  debounceMs?: number;
}

export class ServiceWatch {
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly nodes: Informer<Node>;
  private timer?: NodeJS.Timeout;
  private byNamespace = new Map<string, Service[]>();
  private readonly listed = new Set<string>();
  private synced?: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.synced = resolve));

  constructor(private readonly o: ServiceWatchOptions) {
    const informer = <T extends KubeObject>(name: string, listPath: string) =>
      new Informer<T>({
        client: o.client,
        listPath,
        onChange: () => this.changed(),
        onList: () => {
          this.listed.add(name);
          if (this.listed.size === 3) this.synced?.();
          this.changed();
        },
        onError: (message) => o.log.error(`✗ service proxy: ${message}`),
      });
    this.services = informer<Service>("services", "/api/v1/services");
    this.slices = informer<EndpointSlice>("endpointslices", "/apis/discovery.k8s.io/v1/endpointslices");
    this.nodes = informer<Node>("nodes", "/api/v1/nodes");
  }

  start(): void {
    this.services.start();
    this.slices.start();
    this.nodes.start();
  }

  /** Resolves once all three have listed, or after `timeoutMs` (false then). */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.syncedPromise.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** The Services of one namespace as last seen (the kubelet's service env vars). */
  inNamespace(namespace: string): Service[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  snapshot(): ServiceSnapshot {
    return { services: this.services.cache.list(), slices: this.slices.cache.list(), nodes: this.nodes.cache.list() };
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all([this.services.stop(), this.slices.stop(), this.nodes.stop()]);
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.publish(), this.o.debounceMs ?? 10);
    this.timer.unref();
  }

  private publish(): void {
    const snap = this.snapshot();
    const byNs = new Map<string, Service[]>();
    for (const svc of snap.services) {
      const ns = svc.metadata.namespace ?? "";
      const list = byNs.get(ns) ?? [];
      list.push(svc);
      byNs.set(ns, list);
    }
    this.byNamespace = byNs;
    try {
      this.o.onChange(snap);
    } catch (err) {
      this.o.log.error(`✗ service proxy: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
