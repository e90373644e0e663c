// Everything that runs a node's pods, built in one place: the runtime, the pod syncer with
// its preparer (volumes, env) and prober, the per-pod workers, the PLEG that notices exited
// containers, static pods, and the outbound tunnel for `kubectl logs`. Real runtimes get all of
// it; the simulated runtime only the syncer and workers (its containers never change by
// themselves, have no files, no probes and no output).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Service } from "../../src/apis/core/v1/service.js";
import type { ApiClient } from "../client/api-client.js";
import { describe, isTransient } from "../client/errors.js";
import type { Logger } from "../log.js";
import type { ContainerRuntime, RuntimeDescriptor } from "../runtimes/runtime.js";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import { EventRecorder } from "./events.js";
import { logProvider } from "./log-provider.js";
import type { NodeConfig } from "./node-status.js";
import { PodLifecycleEventGenerator } from "./pleg.js";
import { literalPreparer, VolumePreparer, type PodPreparer } from "./pod-preparer.js";
import { PodSyncer } from "./pod-sync.js";
import { PodWorkers } from "./pod-workers.js";
import { ProbeManager } from "./prober/manager.js";
import { isMirrorPod } from "./static-pods/mirror-client.js";
import { StaticPods } from "./static-pods/static-pods.js";

export interface PodMachineryOptions {
  config: NodeConfig;
  runtime: RuntimeDescriptor;
  runtimeEndpoint?: string;
  rootDir: string;
  manifestsDir?: string;
  client: ApiClient;
  /** The control plane's URL (KUBERNETES_SERVICE_HOST/PORT for in-cluster clients, the tunnel). */
  server: string;
  tls: { ca?: string; insecureSkipTLSVerify?: boolean };
  token(): Promise<string> | string;
  unauthorized(): void;
  nodeUid(): string;
  /** The informer's copy of a pod (namespace/name), once there is an informer. */
  apiPod(key: string): Pod | undefined;
  /** Services and cluster DNS for pods, when the agent runs its service proxy. */
  network?: PodNetwork;
  log: Logger;
}

/** What pods learn of Services: their env vars and the cluster DNS in /etc/resolv.conf. */
export interface PodNetwork {
  services(namespace: string): Service[];
  dns: { clusterDNS(): string[]; clusterDomain: string; hostResolvConf: string };
}

/** The control plane's host and port as a pod sees them without a service proxy (with one, the `kubernetes` Service's). */
export function apiServerAddress(server: string): { host: string; port: number } {
  const url = new URL(server);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) || (url.protocol === "https:" ? 443 : 80) };
}

const POD_CIDR_FILE = "pod-cidr";
/** What a simulated node records: its images are never pulled and nothing fails, and at scale each event is a write. */
const SIMULATED_EVENTS = new Set(["Started"]);

/** The pod CIDR the control plane gave this node last time (so static pods can start before it answers). */
export function savedPodCIDR(rootDir: string): string | undefined {
  try {
    return readFileSync(join(rootDir, POD_CIDR_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export function savePodCIDR(rootDir: string, cidr: string): void {
  mkdirSync(rootDir, { recursive: true });
  writeFileSync(join(rootDir, POD_CIDR_FILE), `${cidr}\n`);
}

export class PodMachinery {
  readonly runtime: ContainerRuntime;
  readonly syncer: PodSyncer;
  readonly workers: PodWorkers;
  readonly staticPods?: StaticPods;
  private readonly preparer: PodPreparer;
  private readonly prober?: ProbeManager;
  private readonly pleg?: PodLifecycleEventGenerator;
  private tunnel?: TunnelClient;
  /** Until the API's pods are listed, a pod missing from the informer is not known to be gone: its syncs wait. */
  private listed = false;
  private readonly deferred = new Set<string>();

  constructor(private readonly o: PodMachineryOptions) {
    const cfg = o.config;
    const real = !o.runtime.simulatedAddresses;
    this.runtime = o.runtime.create({ nodeName: cfg.name, podCIDR: cfg.podCIDR, hostIP: cfg.internalIP, endpoint: o.runtimeEndpoint, stateDir: join(o.rootDir, "runtime") });
    const events = new EventRecorder(o.client, cfg.name, Date.now, real ? undefined : SIMULATED_EVENTS);
    const update = (key: string) => this.update(key);
    this.preparer = real
      ? new VolumePreparer({ rootDir: o.rootDir, client: o.client, nodeName: cfg.name, hostIP: () => cfg.internalIP, apiServer: apiServerAddress(o.server), services: o.network?.services, dns: o.network?.dns, nodeAllocatable: () => cfg.capacity, events, log: o.log, terminationLogs: o.runtime.name === "docker" })
      : literalPreparer;
    if (real) this.prober = new ProbeManager({ runtime: this.runtime, events, onResult: update });
    if (o.manifestsDir) this.staticPods = new StaticPods({ dir: o.manifestsDir, nodeName: cfg.name, client: o.client, log: o.log, nodeUid: o.nodeUid, onChange: update });
    const sp = this.staticPods;
    this.syncer = new PodSyncer({
      nodeName: cfg.name,
      hostIP: cfg.internalIP,
      runtimeName: o.runtime.name,
      runtime: this.runtime,
      client: o.client,
      events,
      log: o.log,
      // A static pod is run as itself; its mirror pod in the API is only its reflection.
      podFor: (key) => sp?.get(key) ?? notMirror(o.apiPod(key)),
      preparer: this.preparer,
      prober: this.prober,
      staticPods: sp,
    });
    this.workers = new PodWorkers({
      sync: (key) => this.syncer.sync(key),
      busyUpdate: (key) => this.syncer.shortenGrace(key),
      onError: (key, err) => {
        if (!isTransient(err)) o.log.error(`✗ node ${cfg.name}: pod ${key}: ${describe(err)}`);
      },
    });
    if (real) this.pleg = new PodLifecycleEventGenerator({ runtime: this.runtime, onPodChanged: update, onError: (err) => o.log.error(`✗ node ${cfg.name}: runtime: ${describe(err)}`) });
  }

  /**
   * Adopts what the runtime still runs (looked at once the informer has listed: until then an
   * adopted pod would look deleted), then starts static pods and the PLEG.
   */
  async start(): Promise<void> {
    await this.syncer.adopt();
    await this.staticPods?.start();
    this.pleg?.start();
  }

  /** Sync a pod (now, or once the API's pods are known when it is not a static pod). */
  update(key: string): void {
    if (!this.listed && !this.staticPods?.get(key)) this.deferred.add(key);
    else this.workers.update(key);
  }

  /** The informer has listed the API's pods: syncs that waited for it run. */
  apiListed(): void {
    if (this.listed) return;
    this.listed = true;
    for (const key of this.deferred) this.workers.update(key);
    this.deferred.clear();
  }

  /** The outbound tunnel (once the node has credentials); simulated pods have no output to serve. */
  startTunnel(): void {
    if (this.o.runtime.simulatedAddresses || this.tunnel) return;
    const o = this.o;
    this.tunnel = new TunnelClient({ server: o.server, nodeName: o.config.name, token: o.token, tls: o.tls, log: o.log, handlers: { logs: logProvider(this.runtime, o.config.name) }, unauthorized: o.unauthorized });
    this.tunnel.start();
  }

  /** The informer's pods and the kubelet's own, relevant to a mirror-pod change. */
  apiPodChanged(pod: Pod, deleted: boolean): void {
    if (this.staticPods?.isMirror(pod)) this.staticPods.mirrorChanged(pod, deleted);
  }

  /** Every key worth a periodic look: the API's pods, the static pods, and what the syncer still holds. */
  resync(apiKeys: Iterable<string>): void {
    const keys = new Set([...apiKeys, ...(this.staticPods?.keys() ?? []), ...this.syncer.keys()]);
    for (const key of keys) this.update(key);
  }

  /** After the first list: volumes of pods that no longer exist anywhere (deleted while the agent was down) go. */
  async removeOrphanedVolumes(liveUids: Set<string>): Promise<void> {
    for (const uid of await this.preparer.podUids().catch(() => [])) {
      if (liveUids.has(uid)) continue;
      await this.preparer.tearDownPod(uid).catch((err) => this.o.log.error(`✗ node ${this.o.config.name}: cannot remove the volumes of pod ${uid}: ${describe(err)}`));
    }
  }

  /** Uids of the static pods (they have volumes too). */
  staticUids(): string[] {
    return (this.staticPods?.keys() ?? []).map((k) => this.staticPods?.get(k)?.metadata.uid ?? "").filter(Boolean);
  }

  async stop(): Promise<void> {
    this.pleg?.stop();
    this.prober?.stop();
    this.workers.stop();
    await this.staticPods?.stop();
    await this.tunnel?.stop();
    await this.runtime.close();
  }
}

/** A mirror pod is never run as a pod of its own (with or without --manifests). */
function notMirror(pod: Pod | undefined): Pod | undefined {
  return pod && isMirrorPod(pod) ? undefined : pod;
}
