// One node: its credentials, its Node and Lease, its status loop, the informer of the pods
// bound to it and what runs them (pod-machinery.ts). An agent runs one of these
// per node (many for simulated nodes), all sharing one Transport.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { ApiClient } from "../client/api-client.js";
import { Backoff, sleep } from "../client/backoff.js";
import { describe, isTransient } from "../client/errors.js";
import { Informer } from "../client/informer.js";
import type { Transport } from "../client/transport.js";
import { JoinError, NodeCredentials } from "../credentials/node-credentials.js";
import type { Logger } from "../log.js";
import type { RuntimeDescriptor } from "../runtimes/runtime.js";
import { NodeLease } from "./node-lease.js";
import { registerNode } from "./node-registration.js";
import type { NodeConfig } from "./node-status.js";
import { NodeStatusUpdater } from "./node-status-updater.js";
import { PodMachinery, savedPodCIDR, savePodCIDR, type PodNetwork } from "./pod-machinery.js";

export interface KubeletOptions {
  transport: Transport;
  bootstrapToken: string;
  config: NodeConfig;
  runtime: RuntimeDescriptor;
  statusFrequencyMs: number;
  /** Every pod is synced again this often (upstream's --sync-frequency). */
  syncFrequencyMs: number;
  runtimeEndpoint?: string;
  /** This node's own folder: pod volumes, runtime state. */
  rootDir: string;
  manifestsDir?: string;
  /** The CA the control plane's certificate is checked against (the tunnel dials it itself). */
  ca?: string;
  insecureSkipTLSVerify?: boolean;
  log: Logger;
  /** Spreads the node's timers: its first lease renewal and status check come this much later. */
  phaseMs?: number;
  /** Services and cluster DNS for pods (the agent's service proxy). */
  network?: PodNetwork;
  /** Called once the Node is registered, before its pods start (the service proxy starts here, with the node's credentials). */
  onRegistered?(client: ApiClient, podCIDR: string): Promise<void>;
}

export class Kubelet {
  private cfg: NodeConfig;
  private readonly credentials: NodeCredentials;
  private readonly client: ApiClient;
  private pods?: PodMachinery;
  private informer?: Informer<Pod>;
  private lease?: NodeLease;
  private status?: NodeStatusUpdater;
  private uid = "";
  private ticks = 0;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(private readonly o: KubeletOptions) {
    this.cfg = o.config;
    this.credentials = new NodeCredentials(o.transport, o.config.name, o.bootstrapToken, o.log);
    this.client = new ApiClient(o.transport, this.credentials);
  }

  get name(): string {
    return this.cfg.name;
  }

  get podCIDR(): string {
    return this.cfg.podCIDR;
  }

  /**
   * Trades the bootstrap token for this node's credentials; throws a JoinError a person can act on.
   * With static pods an unreachable control plane is waited for (the static pods run meanwhile).
   */
  async join(): Promise<void> {
    if (!this.o.manifestsDir) return this.credentials.join();
    await this.startStaticPods();
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
    for (let said = false; ; ) {
      try {
        return await this.credentials.join();
      } catch (err) {
        if (!(err instanceof JoinError && err.unreachable) || this.stopped) throw err;
        if (!said) this.o.log.error(`✗ node ${this.cfg.name}: ${err.message}; its static pods run meanwhile, joining again until the control plane answers`);
        said = true;
        await sleep(backoff.next());
      }
    }
  }

  /** Static pods start before anything needs the control plane (on the pod CIDR it gave last time). */
  private async startStaticPods(): Promise<void> {
    if (!this.pods) await this.startPods(savedPodCIDR(this.o.rootDir) ?? this.cfg.podCIDR);
  }

  /**
   * Registers the Node (retrying while the control plane is unreachable), then starts every loop.
   * With static pods the pods start first: they run whether or not the control plane answers.
   */
  async start(): Promise<void> {
    if (this.o.manifestsDir) await this.startStaticPods();
    const registered = await this.register();
    if (this.stopped) return;
    this.cfg = { ...this.cfg, podCIDR: registered.podCIDR };
    if (!this.o.runtime.simulatedAddresses) savePodCIDR(this.o.rootDir, registered.podCIDR);
    await this.o.onRegistered?.(this.client, registered.podCIDR);
    if (this.stopped) return;
    const pods = this.pods ?? (await this.startPods(registered.podCIDR));
    pods.startTunnel();
    let listed = false;
    this.informer = new Informer<Pod>({
      client: this.client,
      listPath: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${this.cfg.name}`)}`,
      onChange: (change) => {
        pods.apiPodChanged(change.object, change.type === "DELETED");
        pods.workers.update(keyOf(change.object));
      },
      // Pods the runtime holds but the API no longer has are torn down after each list.
      onList: () => {
        const cache = this.informer?.cache;
        for (const key of pods.syncer.keys()) if (!cache?.get(key)) pods.workers.update(key);
        if (listed) return;
        listed = true;
        pods.apiListed();
        const live = new Set([...(cache?.keys() ?? [])].map((k) => cache?.get(k)?.metadata.uid ?? "").concat(pods.staticUids()));
        void pods.removeOrphanedVolumes(live);
      },
      onError: (message) => this.o.log.error(`✗ node ${this.cfg.name}: ${message}`),
    });

    const phase = this.o.phaseMs ?? 0;
    this.lease = new NodeLease(this.client, this.cfg.name, () => this.uid, this.o.log);
    this.lease.start(phase % 10_000);
    const resyncEvery = Math.max(1, Math.round(this.o.syncFrequencyMs / this.o.statusFrequencyMs));
    this.status = new NodeStatusUpdater({
      client: this.client,
      config: () => this.cfg,
      frequencyMs: this.o.statusFrequencyMs,
      log: this.o.log,
      reregister: async () => {
        this.uid = (await registerNode(this.client, this.cfg)).uid;
      },
      onTick: () => {
        if (++this.ticks % resyncEvery === 0) pods.resync(this.informer?.cache.keys() ?? []);
      },
    });
    this.status.start(phase % this.o.statusFrequencyMs);
    this.informer.start();
    // Back from an outage: tell the control plane at once that this node is alive.
    this.unsubscribe = this.o.transport.connectivity.onRecovered(() => {
      const spread = Math.random() * 3000;
      setTimeout(() => {
        this.lease?.renewNow();
        this.status?.updateNow();
      }, spread).unref();
    });
  }

  private async startPods(podCIDR: string): Promise<PodMachinery> {
    const pods = new PodMachinery({
      config: { ...this.cfg, podCIDR },
      runtime: this.o.runtime,
      runtimeEndpoint: this.o.runtimeEndpoint,
      rootDir: this.o.rootDir,
      manifestsDir: this.o.manifestsDir,
      client: this.client,
      server: this.o.transport.server,
      tls: { ca: this.o.ca, insecureSkipTLSVerify: this.o.insecureSkipTLSVerify },
      token: () => this.credentials.token(),
      unauthorized: () => this.credentials.unauthorized(),
      nodeUid: () => this.uid,
      apiPod: (key) => this.informer?.cache.get(key),
      network: this.o.network,
      log: this.o.log,
    });
    this.pods = pods;
    await pods.start();
    return pods;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.lease?.stop();
    this.status?.stop();
    this.credentials.stop();
    await this.informer?.stop();
    await this.pods?.stop();
  }

  private async register(): Promise<{ podCIDR: string }> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    for (;;) {
      try {
        const r = await registerNode(this.client, this.cfg);
        this.uid = r.uid;
        return r;
      } catch (err) {
        if (!isTransient(err)) throw new Error(`cannot register node ${this.cfg.name}: ${describe(err)}`);
        if (this.stopped) throw new Error(`node ${this.cfg.name} stopped before it could register`);
        await sleep(backoff.next());
      }
    }
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata.namespace ?? ""}/${pod.metadata.name}`;
}
