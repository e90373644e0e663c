// The flags of `edgeplane agent`, apart from the command so that the CLI's help can list them
// without loading the agent.
import type { FlagSpec } from "../../src/cli/args.js";

export const DEFAULT_STATUS_FREQUENCY = "10s";
export const BOOTSTRAP_TOKEN_ENV = "EDGEPLANE_BOOTSTRAP_TOKEN";
export const DEFAULT_SYNC_FREQUENCY = "1m";
export const DEFAULT_RUNTIME_ENDPOINT = "unix:///var/run/docker.sock";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
/** The service proxy's relay port (agent/proxy/relay.ts). */
export const DEFAULT_RELAY_PORT = 10262;

export const agentFlags: FlagSpec[] = [
  { name: "server", type: "string", valueName: "URL", description: "The control plane, e.g. https://127.0.0.1:8787 or https://edgeplane.example.workers.dev" },
  { name: "token", type: "string", valueName: "TOKEN", description: `Bootstrap token from 'edgeplane token create' (or set ${BOOTSTRAP_TOKEN_ENV})` },
  { name: "name", type: "string", valueName: "NAME", description: "Node name; with --nodes N > 1 the nodes are NAME-0 … NAME-(N-1) (default: the host name, lowercased)" },
  {
    name: "runtime",
    type: "string",
    valueName: "NAME",
    description: "Container runtime: docker (the Docker Engine API: Docker or Podman), process (host processes, no images) or simulated (no containers; many nodes per process)",
    default: "simulated",
  },
  { name: "runtime-endpoint", type: "string", valueName: "URL", description: "The docker runtime's socket, e.g. unix:///run/podman/podman.sock", default: DEFAULT_RUNTIME_ENDPOINT },
  { name: "root-dir", type: "string", valueName: "DIR", description: "Where pod volumes and runtime state are kept (default: /var/lib/edgeplane-agent as root, else ~/.edgeplane-agent)" },
  { name: "manifests", type: "string", valueName: "DIR", description: "Run the pod manifests (.yaml, .yml, .json) in DIR as static pods, shown in the API as mirror pods" },
  {
    name: "proxy-mode",
    type: "string",
    valueName: "MODE",
    description: "The service proxy (kube-proxy): userspace (ClusterIPs and NodePorts forwarded by the agent; ClusterIPs need root), iptables (NAT rules, root; endpoints on other machines need a pod network) or none (default: userspace for the docker and process runtimes, none for simulated)",
  },
  { name: "cluster-dns", type: "string", valueName: "IP", description: "Address of the cluster DNS the agent serves and pods use (default: the kube-dns Service's cluster IP)" },
  { name: "cluster-domain", type: "string", valueName: "DOMAIN", description: "The cluster's DNS domain", default: DEFAULT_CLUSTER_DOMAIN },
  { name: "proxy-relay-port", type: "string", valueName: "PORT", description: "Port on the node's address through which other machines' service proxies reach this node's pods (0: none)", default: String(DEFAULT_RELAY_PORT) },
  { name: "sync-frequency", type: "string", valueName: "DURATION", description: "How often every pod is synced again (configMap and secret volumes refresh this often)", default: DEFAULT_SYNC_FREQUENCY },
  { name: "nodes", type: "string", valueName: "N", description: "Number of nodes this process runs (simulated runtime only)", default: "1" },
  { name: "labels", type: "list", valueName: "K=V,…", description: "Labels to add to the Node (repeatable)" },
  { name: "taints", type: "list", valueName: "K=V:EFFECT,…", description: "Taints to register the Node with, e.g. gpu=true:NoSchedule (repeatable)" },
  { name: "capacity", type: "list", valueName: "R=Q,…", description: "Resources to report instead of the machine's, e.g. cpu=4,memory=8Gi,pods=110 (repeatable)" },
  { name: "certificate-authority", type: "string", valueName: "FILE", description: "PEM file of the CA that signed the server's certificate ('edgeplane up': <state>/tls/ca.crt)" },
  { name: "insecure-skip-tls-verify", type: "boolean", description: "Do not verify the server's certificate (insecure)" },
  { name: "node-status-update-frequency", type: "string", valueName: "DURATION", description: "How often the node checks its status on the server", default: DEFAULT_STATUS_FREQUENCY },
  { name: "quiet", short: "q", type: "boolean", description: "Print only errors" },
  { name: "help", short: "h", type: "boolean", description: "Show this help" },
];
