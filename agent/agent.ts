// The agent process: one Kubelet per node (NAME, or NAME-0 … NAME-(N-1) with --nodes N, as
// kwok simulates many nodes in one process), all over one Transport. The first node joins
// alone so that a wrong token or server fails fast; the others follow a few at a time.
import { hostname } from "node:os";
import { join } from "node:path";
import { Transport } from "./client/transport.js";
import { Kubelet } from "./kubelet/kubelet.js";
import { readMachine, simulatedMachine, type Machine } from "./kubelet/machine.js";
import { machineCapacity, type NodeConfig, type Taint } from "./kubelet/node-status.js";
import type { Logger } from "./log.js";
import { machineIP, podCIDRFor, simulatedNodeIP } from "./network/node-addresses.js";
import type { RuntimeDescriptor } from "./runtimes/runtime.js";
import { NodeNetwork, RELAY_PORT_ANNOTATION } from "./network/node-network.js";

export type ProxyMode = "userspace" | "iptables" | "none";

/** Nodes joining and registering at the same time. */
const START_CONCURRENCY = 16;
/** Per-node lines are printed up to this many nodes; beyond, only the summary. */
const VERBOSE_NODES = 10;

export interface AgentOptions {
  server: string;
  ca?: string;
  insecureSkipTLSVerify?: boolean;
  bootstrapToken: string;
  name: string;
  nodes: number;
  runtime: RuntimeDescriptor;
  labels: Record<string, string>;
  taints: Taint[];
  /** From --capacity; the machine's values fill in the rest. */
  capacity: Record<string, string>;
  statusFrequencyMs: number;
  /** How often every pod is synced again (upstream's --sync-frequency). */
  syncFrequencyMs: number;
  /** The docker runtime's socket. */
  runtimeEndpoint: string;
  /** Pod volumes and runtime state live here (one folder per node). */
  rootDir: string;
  /** Static pod manifests. */
  manifestsDir?: string;
  /** The service proxy and cluster DNS (kube-proxy): userspace, iptables, or none. */
  proxyMode: ProxyMode;
  /** The kubelet's --cluster-domain. */
  clusterDomain: string;
  /** The kubelet's --cluster-dns (default: the kube-dns Service's address). */
  clusterDNS?: string;
  /** The relay for endpoints on other machines (0: none). */
  proxyRelayPort: number;
  log: Logger;
  /** For tests: the machine (default: read from this one). */
  machine?: Machine;
}

/** The line that says every node runs (`edgeplane up` waits for it): count, runtime, names, seconds. */
export const READY_LINE = /^✓ (\d+) (\S+) nodes? running: (.*) \(([\d.]+)s\)$/;

export function nodeNames(name: string, nodes: number): string[] {
  return nodes === 1 ? [name] : Array.from({ length: nodes }, (_, i) => `${name}-${i}`);
}

/** "a", "a and b", "a … z": the names of the nodes, short. */
export function nameRange(names: string[]): string {
  if (names.length <= 2) return names.join(" and ");
  return `${names[0]} … ${names[names.length - 1]}`;
}

export class Agent {
  readonly transport: Transport;
  readonly names: string[];
  private readonly kubelets: Kubelet[] = [];
  private network?: NodeNetwork;
  private stopped = false;

  constructor(private readonly o: AgentOptions) {
    this.transport = new Transport({ server: o.server, ca: o.ca, insecureSkipTLSVerify: o.insecureSkipTLSVerify, log: o.log });
    this.names = nodeNames(o.name, o.nodes);
  }

  /** The configuration of every node: the machine, made distinct per node when simulated. */
  private configs(containerRuntimeVersion: string): NodeConfig[] {
    const o = this.o;
    const machine = o.machine ?? readMachine();
    const capacity = { ...machineCapacity(machine), ...o.capacity };
    const simulated = o.runtime.simulatedAddresses;
    const host = hostname().toLowerCase();
    // A node with a service proxy says where its relay is, or takes back what an earlier run said.
    const relayPort = o.proxyRelayPort && o.proxyMode === "userspace" ? String(o.proxyRelayPort) : null;
    const relay = this.network ? { [RELAY_PORT_ANNOTATION]: relayPort } : undefined;
    return this.names.map((name, i) => ({
      name,
      ...(relay ? { annotations: relay } : {}),
      labels: o.labels,
      taints: o.taints,
      capacity,
      internalIP: simulated ? simulatedNodeIP(i) : machineIP(),
      hostname: simulated ? name : host,
      podCIDR: podCIDRFor(i),
      machine: simulated ? simulatedMachine(machine, name) : machine,
      containerRuntimeVersion,
    }));
  }

  /** Joins and starts every node; throws (JoinError or Error) when the first one cannot. */
  async start(): Promise<void> {
    const started = Date.now();
    const probe = this.o.runtime.create({ nodeName: this.names[0], podCIDR: podCIDRFor(0), endpoint: this.o.runtimeEndpoint, stateDir: join(this.o.rootDir, this.names[0], "runtime") });
    const version = await probe.version();
    await probe.close();
    // One service proxy per machine: it serves the one node this agent runs (simulated nodes have none).
    const mode = this.o.proxyMode;
    if (mode !== "none" && this.names.length === 1) {
      this.network = new NodeNetwork({
        mode,
        stateDir: join(this.o.rootDir, this.names[0], "proxy"),
        nodeName: this.names[0],
        nodeIP: machineIP(),
        server: this.o.server,
        clusterDomain: this.o.clusterDomain,
        clusterDNS: this.o.clusterDNS,
        relayPort: this.o.proxyRelayPort,
        log: this.o.log,
      });
    }
    const network = this.network;
    for (const config of this.configs(`${version.runtimeName}://${version.runtimeVersion}`)) {
      this.kubelets.push(
        new Kubelet({
          transport: this.transport,
          bootstrapToken: this.o.bootstrapToken,
          config,
          runtime: this.o.runtime,
          statusFrequencyMs: this.o.statusFrequencyMs,
          syncFrequencyMs: this.o.syncFrequencyMs,
          runtimeEndpoint: this.o.runtimeEndpoint,
          rootDir: join(this.o.rootDir, config.name),
          manifestsDir: this.o.manifestsDir,
          ca: this.o.ca,
          insecureSkipTLSVerify: this.o.insecureSkipTLSVerify,
          log: this.o.log,
          phaseMs: this.o.nodes > 1 ? Math.random() * 2000 : 0,
          network,
          onRegistered: network ? (client, podCIDR) => network.start(client, podCIDR) : undefined,
        }),
      );
    }
    const verbose = this.kubelets.length <= VERBOSE_NODES;
    const startOne = async (k: Kubelet) => {
      if (this.stopped) return;
      await k.join();
      await k.start();
      if (verbose) this.o.log.info(`✓ node ${k.name} registered (pod CIDR ${k.podCIDR})`);
    };
    const [first, ...rest] = this.kubelets;
    await startOne(first);
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < rest.length) {
        const k = rest[next++];
        try {
          await startOne(k);
        } catch (err) {
          failures.push(`${k.name}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, rest.length) }, worker));
    if (failures.length) throw new Error(`${failures.length} of ${this.kubelets.length} nodes could not start; the first: ${failures[0]}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const n = this.kubelets.length;
    this.o.log.info(`✓ ${n} ${this.o.runtime.name} node${n === 1 ? "" : "s"} running: ${nameRange(this.names)} (${seconds}s)`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.kubelets.map((k) => k.stop()));
    await this.network?.stop();
    this.transport.close();
  }
}
