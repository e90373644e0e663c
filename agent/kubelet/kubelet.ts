// One node: its credentials, its Node and Lease, its status loop, the informer of the pods
// bound to it and the workers that run them through its runtime. An agent runs one of these
// per node (many for simulated nodes), all sharing one Transport.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { ApiClient } from "../client/api-client.js";
import { Backoff, sleep } from "../client/backoff.js";
import { describe, isTransient } from "../client/errors.js";
import { Informer } from "../client/informer.js";
import type { Transport } from "../client/transport.js";
import { NodeCredentials } from "../credentials/node-credentials.js";
import type { Logger } from "../log.js";
import type { ContainerRuntime, RuntimeDescriptor } from "../runtimes/runtime.js";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import { EventRecorder } from "./events.js";
import { logProvider } from "./log-provider.js";
import { NodeLease } from "./node-lease.js";
import { registerNode } from "./node-registration.js";
import type { NodeConfig } from "./node-status.js";
import { NodeStatusUpdater } from "./node-status-updater.js";
import { PodSyncer } from "./pod-sync.js";
import { PodWorkers } from "./pod-workers.js";

/** Every pod is looked at again about this often, even without a change (upstream's resync). */
const POD_RESYNC_MS = 60_000;

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
}

export class Kubelet {
  private cfg: NodeConfig;
  private readonly credentials: NodeCredentials;
  private readonly client: ApiClient;
  private runtime?: ContainerRuntime;
  private informer?: Informer<Pod>;
  private workers?: PodWorkers;
  private lease?: NodeLease;
  private status?: NodeStatusUpdater;
  private uid = "";
  private ticks = 0;
  private stopped = false;
  private unsubscribe?: () => void;
  private tunnel?: TunnelClient;

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

  /** Trades the bootstrap token for this node's credentials; throws a JoinError a person can act on. */
  join(): Promise<void> {
    return this.credentials.join();
  }

  /** Registers the Node (retrying while the control plane is unreachable), then starts every loop. */
  async start(): Promise<void> {
    const registered = await this.register();
    if (this.stopped) return;
    this.cfg = { ...this.cfg, podCIDR: registered.podCIDR };
    const runtime = this.o.runtime.create({ nodeName: this.cfg.name, podCIDR: this.cfg.podCIDR });
    this.runtime = runtime;
    // The outbound tunnel that `kubectl logs` reaches this node through; simulated pods have no output.
    if (this.o.runtime.name !== "simulated") {
      this.tunnel = new TunnelClient({
        server: this.o.transport.server,
        nodeName: this.cfg.name,
        token: () => this.credentials.token(),
        tls: { ca: this.o.ca, insecureSkipTLSVerify: this.o.insecureSkipTLSVerify },
        log: this.o.log,
        handlers: { logs: logProvider(runtime, this.cfg.name) },
        unauthorized: () => this.credentials.unauthorized(),
      });
      this.tunnel.start();
    }
    const events = new EventRecorder(this.client, this.cfg.name);
    const syncer = new PodSyncer({
      nodeName: this.cfg.name,
      hostIP: this.cfg.internalIP,
      runtimeName: this.o.runtime.name,
      runtime,
      client: this.client,
      events,
      log: this.o.log,
      podFor: (key) => this.informer?.cache.get(key),
    });
    await syncer.adopt();
    const workers = new PodWorkers({
      sync: (key) => syncer.sync(key),
      busyUpdate: (key) => syncer.shortenGrace(key),
      onError: (key, err) => {
        if (!isTransient(err)) this.o.log.error(`✗ node ${this.cfg.name}: pod ${key}: ${describe(err)}`);
      },
    });
    this.workers = workers;
    this.informer = new Informer<Pod>({
      client: this.client,
      listPath: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${this.cfg.name}`)}`,
      onChange: (change) => workers.update(keyOf(change.object)),
      // Pods the runtime holds but the API no longer has are torn down after each list.
      onList: () => {
        for (const key of syncer.keys()) if (!this.informer?.cache.get(key)) workers.update(key);
      },
      onError: (message) => this.o.log.error(`✗ node ${this.cfg.name}: ${message}`),
    });

    const phase = this.o.phaseMs ?? 0;
    this.lease = new NodeLease(this.client, this.cfg.name, () => this.uid, this.o.log);
    this.lease.start(phase % 10_000);
    const resyncEvery = Math.max(1, Math.round(POD_RESYNC_MS / this.o.statusFrequencyMs));
    this.status = new NodeStatusUpdater({
      client: this.client,
      config: () => this.cfg,
      frequencyMs: this.o.statusFrequencyMs,
      log: this.o.log,
      reregister: async () => {
        this.uid = (await registerNode(this.client, this.cfg)).uid;
      },
      onTick: () => {
        if (++this.ticks % resyncEvery === 0) for (const key of this.informer?.cache.keys() ?? []) workers.update(key);
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

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.lease?.stop();
    this.status?.stop();
    this.workers?.stop();
    this.credentials.stop();
    await this.informer?.stop();
    await this.tunnel?.stop();
    await this.runtime?.close();
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
