// The node's part of Service networking (kube-proxy and the cluster DNS, run by the agent): it
// watches Services, EndpointSlices and Nodes, keeps the service proxy's listeners current, answers
// DNS on the cluster DNS address, and tells the kubelet what pods need (Service env vars, the
// cluster DNS for resolv.conf). docs/architecture.md, "Services", describes the model.
//
// Two Services are served by the agent itself: `kubernetes` (default) is forwarded to the control
// plane this agent uses, and the cluster DNS address (kube-system/kube-dns, or --cluster-dns) is
// answered by the DNS server here rather than proxied.
import { lookup } from "node:dns/promises";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import type { Service } from "../../src/apis/core/v1/service.js";
import type { EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import { SERVICE_NAME_LABEL } from "../../src/apis/discovery/v1/endpointslice.js";
import type { ApiClient } from "../client/api-client.js";
import { ClusterDNSServer } from "../dns/server.js";
import { apiServerAddress, type PodNetwork } from "../kubelet/pod-machinery.js";
import { CLUSTER_DNS_SERVICE } from "../../src/api/default-services.js";
import type { Logger } from "../log.js";
import { HostAddresses, hostIPv4Addresses } from "../proxy/addresses.js";
import { cleanupIptablesRules } from "../proxy/iptables.js";
import { IptablesProxy } from "../proxy/iptables-proxier.js";
import type { ServicePortPlan } from "../proxy/plan.js";
import { ServiceProxy } from "../proxy/proxier.js";
import { RelayServer } from "../proxy/relay.js";
import { ServiceWatch, type ServiceSnapshot } from "./service-watch.js";

/** The Node annotation naming the port of a node's relay (endpoints on other machines are reached through it). */
export const RELAY_PORT_ANNOTATION = "proxy.edgeplane.dev/relay-port";
/** How long the agent waits for the first list of Services before starting pods without them. */
const FIRST_SYNC_TIMEOUT_MS = 5000;
const HOST_RESOLV_CONF = "/etc/resolv.conf";

export interface NodeNetworkOptions {
  nodeName: string;
  /** The node's address: NodePorts and the relay listen on it (NodePorts on every address). */
  nodeIP: string;
  /** The control plane's URL: the `kubernetes` Service's endpoint. */
  server: string;
  clusterDomain: string;
  /** The kubelet's --cluster-dns; default: kube-system/kube-dns's cluster IP. */
  clusterDNS?: string;
  /** The relay's port (0: no relay). */
  relayPort: number;
  /** userspace: the agent forwards; iptables: NAT rules, the kernel forwards. */
  mode: "userspace" | "iptables";
  /** The proxy's state (what it put on lo, whether it wrote NAT rules), for the next start after a crash. */
  stateDir: string;
  log: Logger;
}

export class NodeNetwork implements PodNetwork {
  private watch?: ServiceWatch;
  private readonly proxy: ServiceProxy | IptablesProxy;
  private readonly dnsServer: ClusterDNSServer;
  private relay?: RelayServer;
  private dnsAddress?: string;
  private dnsStarting?: Promise<void>;
  private apiEndpoint?: { ip: string; port: number };
  private relayPorts = new Map<string, { host: string; port: number }>();
  readonly dns: PodNetwork["dns"];
  private readonly hostResolvConf: string;

  constructor(private readonly o: NodeNetworkOptions) {
    this.hostResolvConf = readHostResolvConf();
    // The cluster DNS address is answered here, not forwarded.
    const skip = (port: ServicePortPlan) => port.clusterIP === this.clusterDNSAddress();
    const addresses = new HostAddresses({ log: o.log, stateFile: join(o.stateDir, "addresses.json") });
    this.proxy =
      o.mode === "iptables"
        ? new IptablesProxy({ nodeName: o.nodeName, addresses, log: o.log, skip })
        : new ServiceProxy({ nodeName: o.nodeName, addresses, log: o.log, skip, relayFor: (node) => (node === o.nodeName ? undefined : this.relayPorts.get(node)) });
    this.dnsServer = new ClusterDNSServer({ clusterDomain: o.clusterDomain, logger: o.log });
    this.dns = {
      clusterDNS: () => (this.dnsAddress ? [this.dnsAddress] : []),
      clusterDomain: o.clusterDomain,
      hostResolvConf: this.hostResolvConf,
    };
  }

  /** A namespace's Services as last seen (an arrow: the kubelet calls it unbound). */
  readonly services = (namespace: string): Service[] => this.watch?.inNamespace(namespace) ?? [];

  /** Starts watching with this node's client; resolves after the first lists (or 5 s). */
  async start(client: ApiClient, podCIDR: string): Promise<void> {
    await this.forgetIptablesRules();
    this.apiEndpoint = await apiEndpoint(this.o.server).catch((err: Error) => {
      this.o.log.error(`✗ service proxy: cannot resolve ${this.o.server} for the kubernetes Service: ${err.message}`);
      return undefined;
    });
    if (this.o.relayPort && this.o.mode === "userspace") {
      this.relay = new RelayServer({ host: this.o.nodeIP, port: this.o.relayPort, podCIDRs: [podCIDR], log: this.o.log });
      await this.relay.listen().catch((err: Error) => {
        this.o.log.error(`✗ service proxy: the relay cannot listen on ${this.o.nodeIP}:${this.o.relayPort} (${err.message}); pods on other machines cannot reach this node's pods through Services`);
        this.relay = undefined;
      });
    }
    this.watch = new ServiceWatch({ client, log: this.o.log, onChange: (snap) => void this.synced(snap) });
    this.watch.start();
    if (!(await this.watch.waitForSync(FIRST_SYNC_TIMEOUT_MS))) this.o.log.error("✗ service proxy: Services not listed yet; pods start without their env vars meanwhile");
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
    await this.dnsStarting;
    await this.dnsServer.stop().catch(() => undefined);
    await this.proxy.stop();
    await this.relay?.close();
    if (this.o.mode === "iptables") rmSync(this.iptablesMarker, { force: true });
  }

  private get iptablesMarker(): string {
    return join(this.o.stateDir, "iptables");
  }

  /**
   * NAT rules left by an iptables-mode agent that did not stop cleanly would keep catching the
   * cluster IPs: a userspace start removes them. (An iptables-mode start rewrites them anyway.)
   */
  private async forgetIptablesRules(): Promise<void> {
    if (this.o.mode === "iptables") {
      mkdirSync(this.o.stateDir, { recursive: true });
      writeFileSync(this.iptablesMarker, "");
      return;
    }
    if (!existsSync(this.iptablesMarker)) return;
    await cleanupIptablesRules().catch((err: Error) => this.o.log.error(`✗ service proxy: cannot remove the NAT rules of an earlier --proxy-mode iptables run: ${err.message}`));
    rmSync(this.iptablesMarker, { force: true });
  }

  /** The cluster DNS address: --cluster-dns, else kube-dns's cluster IP. */
  private clusterDNSAddress(): string | undefined {
    return this.o.clusterDNS ?? this.dnsServiceIP;
  }

  private dnsServiceIP?: string;

  private async synced(snap: ServiceSnapshot): Promise<void> {
    const dnsSvc = snap.services.find((s) => s.metadata.namespace === CLUSTER_DNS_SERVICE.namespace && s.metadata.name === CLUSTER_DNS_SERVICE.name);
    this.dnsServiceIP = dnsSvc?.spec.clusterIP && dnsSvc.spec.clusterIP !== "None" ? dnsSvc.spec.clusterIP : undefined;
    this.relayPorts = relayAddresses(snap);
    const slices = [...snap.slices, ...this.kubernetesEndpoints(snap.services)];
    this.dnsServer.update({ services: snap.services, slices: snap.slices });
    await this.proxy.sync({ services: snap.services, slices });
    await this.serveDNS();
  }

  /** Starts the DNS server on the cluster DNS address once it is local (the proxy makes ClusterIPs local). */
  private async serveDNS(): Promise<void> {
    const ip = this.clusterDNSAddress();
    if (!ip || this.dnsAddress === ip || this.dnsStarting) return;
    if (!hostIPv4Addresses().has(ip) && !ip.startsWith("127.")) return;
    this.dnsStarting = (async () => {
      try {
        if (this.dnsAddress) await this.dnsServer.stop();
        await this.dnsServer.start({ address: ip, port: 53 });
        this.dnsAddress = ip;
      } catch (err) {
        this.o.log.error(`✗ cluster DNS: cannot listen on ${ip}:53 (${(err as Error).message}); pods fall back to the node's resolv.conf`);
      } finally {
        this.dnsStarting = undefined;
      }
    })();
    await this.dnsStarting;
  }

  /** The `kubernetes` Service's endpoint: the control plane this agent uses. */
  private kubernetesEndpoints(services: Service[]): EndpointSlice[] {
    const api = this.apiEndpoint;
    const svc = services.find((s) => s.metadata.namespace === "default" && s.metadata.name === "kubernetes");
    const port = svc?.spec.ports?.[0];
    if (!api || !svc || !port) return [];
    return [
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { namespace: "default", name: "kubernetes", labels: { [SERVICE_NAME_LABEL]: "kubernetes" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [api.ip], conditions: { ready: true } }],
        ports: [{ name: port.name, protocol: "TCP", port: api.port }],
      },
    ];
  }
}

function readHostResolvConf(): string {
  try {
    return readFileSync(HOST_RESOLV_CONF, "utf8");
  } catch {
    return "";
  }
}

/** The control plane's address and port, its host name resolved. */
async function apiEndpoint(server: string): Promise<{ ip: string; port: number }> {
  const { host, port } = apiServerAddress(server);
  const ip = isIP(host) === 4 ? host : (await lookup(host, { family: 4 })).address;
  return { ip, port };
}

/** Where each node's relay listens: its InternalIP and the port its Node's annotation names. */
function relayAddresses(snap: ServiceSnapshot): Map<string, { host: string; port: number }> {
  const out = new Map<string, { host: string; port: number }>();
  for (const n of snap.nodes) {
    const port = Number(n.metadata.annotations?.[RELAY_PORT_ANNOTATION]);
    const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (port > 0 && ip && n.metadata.name) out.set(n.metadata.name, { host: ip, port });
  }
  return out;
}
