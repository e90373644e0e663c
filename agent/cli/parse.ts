// Reading `edgeplane agent`'s flags into the agent's settings, with the checks upstream's
// kubelet and kubectl make (label and taint syntax, the kubernetes.io labels a node may set,
// resource quantities), each failing with a UsageError that says how to fix it.
import type { AgentOptions } from "../agent.js";
import { readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import { parseQuantity, QuantityError } from "../../src/admission/quantity.js";
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../../src/apis/validation.js";
import { parseBootstrapToken } from "../../src/auth/tokens/bootstrap.js";
import { UsageError, type Parsed } from "../../src/cli/args.js";
import { parseDuration } from "../../src/cli/token.js";
import type { Taint } from "../kubelet/node-status.js";
import { MAX_POD_CIDRS } from "../network/node-addresses.js";
import { runtimeNamed, runtimes } from "../runtimes/index.js";
import type { ProxyMode } from "../agent.js";
import { BOOTSTRAP_TOKEN_ENV, DEFAULT_CLUSTER_DOMAIN, DEFAULT_RELAY_PORT, DEFAULT_RUNTIME_ENDPOINT, DEFAULT_STATUS_FREQUENCY, DEFAULT_SYNC_FREQUENCY } from "./flags.js";

const HELP = "run 'edgeplane agent --help'";
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
/** Labels in kubernetes.io and k8s.io a kubelet may set on its own Node (upstream's kubeletapis). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
]);
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

/** The flags as the Agent takes them, plus --quiet. */
export interface AgentSettings extends Omit<AgentOptions, "log" | "machine" | "insecureSkipTLSVerify"> {
  insecureSkipTLSVerify: boolean;
  quiet: boolean;
}

/** Comma-separated items of a repeatable flag. */
function items(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

const inNamespace = (prefix: string, ns: string) => prefix === ns || prefix.endsWith(`.${ns}`);

export function parseLabels(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items(values)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--labels: '${item}' is not KEY=VALUE`, "e.g. --labels disk=ssd,zone=rack-4");
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new UsageError(`--labels: invalid key '${key}': ${keyErrs[0]}`, "e.g. --labels disk=ssd or example.com/tier=edge");
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length) throw new UsageError(`--labels: invalid value '${value}' of ${key}: ${valueErrs[0]}`, "e.g. --labels disk=ssd");
    const prefix = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
    if ((inNamespace(prefix, "kubernetes.io") || inNamespace(prefix, "k8s.io")) && !KUBELET_LABELS.has(key) && !KUBELET_LABEL_NAMESPACES.some((ns) => inNamespace(prefix, ns))) {
      throw new UsageError(
        `--labels: a node may not set ${key} on itself: labels in kubernetes.io and k8s.io must be one of ${[...KUBELET_LABELS].join(", ")} or under ${KUBELET_LABEL_NAMESPACES.join(" or ")}`,
        `set it afterwards with 'kubectl label node NAME ${key}=${value}'`,
      );
    }
    out[key] = value;
  }
  return out;
}

export function parseTaints(values: string[] | undefined): Taint[] {
  const out: Taint[] = [];
  for (const item of items(values)) {
    const colon = item.lastIndexOf(":");
    if (colon < 0) throw new UsageError(`--taints: '${item}' has no effect`, `write KEY[=VALUE]:EFFECT with EFFECT one of ${TAINT_EFFECTS.join(", ")}, e.g. gpu=true:NoSchedule`);
    const effect = item.slice(colon + 1);
    if (!TAINT_EFFECTS.includes(effect)) throw new UsageError(`--taints: unknown effect '${effect}' in '${item}'`, `the effects are ${TAINT_EFFECTS.join(", ")}`);
    const kv = item.slice(0, colon);
    const eq = kv.indexOf("=");
    const key = eq >= 0 ? kv.slice(0, eq) : kv;
    const value = eq >= 0 ? kv.slice(eq + 1) : undefined;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new UsageError(`--taints: invalid key '${key}': ${keyErrs[0]}`, "e.g. --taints dedicated=edge:NoSchedule");
    const valueErrs = value === undefined ? [] : isValidLabelValue(value);
    if (valueErrs.length) throw new UsageError(`--taints: invalid value '${value}' of ${key}: ${valueErrs[0]}`, "e.g. --taints dedicated=edge:NoSchedule");
    if (out.some((t) => t.key === key && t.effect === effect)) throw new UsageError(`--taints: ${key}:${effect} is given twice`, "a node has one taint per key and effect");
    out.push(value === undefined ? { key, effect } : { key, value, effect });
  }
  return out;
}

export function parseCapacity(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items(values)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--capacity: '${item}' is not RESOURCE=QUANTITY`, "e.g. --capacity cpu=4,memory=8Gi,pods=110");
    const name = item.slice(0, eq);
    const text = item.slice(eq + 1);
    const nameErrs = isQualifiedName(name);
    if (nameErrs.length) throw new UsageError(`--capacity: invalid resource name '${name}': ${nameErrs[0]}`, "e.g. cpu, memory, pods, ephemeral-storage, example.com/gpu");
    let nanos: bigint;
    try {
      nanos = parseQuantity(text).nanos;
    } catch (err) {
      if (!(err instanceof QuantityError)) throw err;
      throw new UsageError(`--capacity: '${text}' is not a quantity (${name})`, "quantities look like 4, 500m, 8Gi, 100G");
    }
    if (nanos < 0n) throw new UsageError(`--capacity: ${name} cannot be negative (${text})`);
    if (name === "pods" && (nanos % 1_000_000_000n !== 0n || nanos === 0n)) throw new UsageError(`--capacity: pods must be a whole number above 0 (got ${text})`, "e.g. pods=110");
    out[name] = text;
  }
  return out;
}

export function parseNodeCount(text: string | undefined): number {
  const n = text === undefined ? 1 : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_POD_CIDRS) throw new UsageError(`--nodes needs a whole number from 1 to ${MAX_POD_CIDRS} (got '${text}')`, "e.g. --nodes 100");
  return n;
}

/** The node name (or the prefix of the names), checked as the API will. */
export function parseNodeName(text: string | undefined, nodes: number, host = hostname()): string {
  const name = text ?? host.toLowerCase();
  const longest = nodes === 1 ? name : `${name}-${nodes - 1}`;
  const errs = isDNS1123Subdomain(longest);
  if (errs.length) {
    const how = text === undefined ? `the host name '${host}' is not a valid node name` : `'${longest}' is not a valid node name`;
    throw new UsageError(`${how}: ${errs[0]}`, "pass --name with lowercase letters, digits, '-' and '.', e.g. --name edge-1");
  }
  return name;
}

export function parseServer(text: string | undefined): string {
  if (!text) throw new UsageError("--server is required: the URL of the control plane", "e.g. edgeplane agent --server https://127.0.0.1:8787 --token abcdef.0123456789abcdef");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server: '${text}' is not a URL`, "e.g. --server https://127.0.0.1:8787");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`--server: '${text}' is not an http(s) URL`, "e.g. --server https://127.0.0.1:8787");
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export function parseFrequency(text: string | undefined): number {
  const value = text ?? DEFAULT_STATUS_FREQUENCY;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000) throw new UsageError(`--node-status-update-frequency needs a duration of at least 1s (got '${value}')`, "e.g. 10s or 1m");
  return ms;
}

export function parseSyncFrequency(text: string | undefined): number {
  const value = text ?? DEFAULT_SYNC_FREQUENCY;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000) throw new UsageError(`--sync-frequency needs a duration of at least 1s (got '${value}')`, "e.g. 1m or 10s");
  return ms;
}

/** `unix:///path` or a bare absolute path; other schemes are not served by the docker runtime. */
export function parseRuntimeEndpoint(text: string | undefined): string {
  const value = text ?? DEFAULT_RUNTIME_ENDPOINT;
  if (value.startsWith("/")) return `unix://${value}`;
  if (!/^unix:\/\/\/./.test(value)) throw new UsageError(`--runtime-endpoint: '${value}' is not a unix socket`, "e.g. --runtime-endpoint unix:///var/run/docker.sock");
  return value;
}

/** The agent's own directory: --root-dir, else /var/lib/edgeplane-agent as root, else ~/.edgeplane-agent. */
export function defaultRootDir(uid = process.getuid?.() ?? -1, home = homedir()): string {
  return uid === 0 ? "/var/lib/edgeplane-agent" : join(home, ".edgeplane-agent");
}

const PROXY_MODES = ["userspace", "iptables", "none"];

/** --proxy-mode: userspace for runtimes whose pods have addresses, none for simulated nodes. */
export function parseProxyMode(text: string | undefined, runtime: string): ProxyMode {
  if (text === undefined) return runtime === "simulated" ? "none" : "userspace";
  if (!PROXY_MODES.includes(text)) throw new UsageError(`unknown --proxy-mode '${text}'`, `the modes are: ${PROXY_MODES.join(", ")}`);
  if (text !== "none" && runtime === "simulated") throw new UsageError(`--proxy-mode ${text} needs pods that answer: simulated nodes have none`, "use --runtime docker or process, or leave --proxy-mode out");
  if (text === "iptables" && process.getuid?.() !== 0) throw new UsageError("--proxy-mode iptables writes NAT rules: run the agent as root", "or use --proxy-mode userspace (node ports work without root)");
  return text as ProxyMode;
}

export function parseClusterDNS(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isIPv4(text)) throw new UsageError(`--cluster-dns: '${text}' is not an IPv4 address`, "e.g. --cluster-dns 10.96.0.10 (the kube-dns Service's address)");
  return text;
}

export function parseClusterDomain(text: string | undefined): string {
  const value = (text ?? DEFAULT_CLUSTER_DOMAIN).replace(/\.$/, "");
  const errs = isDNS1123Subdomain(value);
  if (errs.length) throw new UsageError(`--cluster-domain: '${value}' is not a DNS domain: ${errs[0]}`, "e.g. --cluster-domain cluster.local");
  return value;
}

export function parseRelayPort(text: string | undefined): number {
  const value = text ?? String(DEFAULT_RELAY_PORT);
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`--proxy-relay-port needs a port from 0 to 65535 (got '${value}')`, `e.g. --proxy-relay-port ${DEFAULT_RELAY_PORT}, or 0 for no relay`);
  return n;
}

export function parseAgentFlags(parsed: Parsed, env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const f = parsed.flags;
  if (parsed.positionals.length) throw new UsageError(`'edgeplane agent' takes no arguments (got '${parsed.positionals[0]}')`, HELP);
  const server = parseServer(f.server as string | undefined);
  const tokenText = (f.token as string | undefined) ?? env[BOOTSTRAP_TOKEN_ENV];
  if (!tokenText) throw new UsageError("--token is required: a bootstrap token to join with", "create one with 'edgeplane token create'");
  if (!parseBootstrapToken(tokenText.trim())) {
    throw new UsageError("--token must be a bootstrap token such as abcdef.0123456789abcdef", "create one with 'edgeplane token create'");
  }
  const runtimeName = (f.runtime as string | undefined) ?? "simulated";
  const runtime = runtimeNamed(runtimeName);
  if (!runtime) throw new UsageError(`unknown runtime '${runtimeName}'`, `the runtimes are: ${Object.keys(runtimes).join(", ")}`);
  const nodes = parseNodeCount(f.nodes as string | undefined);
  if (nodes > 1 && !runtime.multiNode) throw new UsageError(`--nodes ${nodes} needs a runtime that simulates nodes; '${runtimeName}' runs one node per machine`, "use --runtime simulated, or one agent per machine");
  const caPath = f["certificate-authority"] as string | undefined;
  const insecure = f["insecure-skip-tls-verify"] === true;
  if (caPath && insecure) throw new UsageError("--certificate-authority and --insecure-skip-tls-verify exclude each other", "pass one of them");
  let ca: string | undefined;
  if (caPath) {
    try {
      ca = readFileSync(caPath, "utf8");
    } catch (err) {
      throw new UsageError(`cannot read --certificate-authority ${caPath}: ${(err as Error).message}`, "'edgeplane up' keeps its CA in <state>/tls/ca.crt");
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`--certificate-authority ${caPath} holds no PEM certificate`);
  }
  return {
    server,
    bootstrapToken: tokenText.trim(),
    name: parseNodeName(f.name as string | undefined, nodes),
    nodes,
    runtime,
    labels: parseLabels(f.labels as string[] | undefined),
    taints: parseTaints(f.taints as string[] | undefined),
    capacity: parseCapacity(f.capacity as string[] | undefined),
    ca,
    insecureSkipTLSVerify: insecure,
    statusFrequencyMs: parseFrequency(f["node-status-update-frequency"] as string | undefined),
    syncFrequencyMs: parseSyncFrequency(f["sync-frequency"] as string | undefined),
    runtimeEndpoint: parseRuntimeEndpoint(f["runtime-endpoint"] as string | undefined),
    rootDir: resolve((f["root-dir"] as string | undefined) ?? defaultRootDir()),
    ...(f.manifests !== undefined ? { manifestsDir: resolve(f.manifests as string) } : {}),
    proxyMode: parseProxyMode(f["proxy-mode"] as string | undefined, runtimeName),
    clusterDomain: parseClusterDomain(f["cluster-domain"] as string | undefined),
    ...(f["cluster-dns"] !== undefined ? { clusterDNS: parseClusterDNS(f["cluster-dns"] as string) } : {}),
    proxyRelayPort: parseRelayPort(f["proxy-relay-port"] as string | undefined),
    quiet: f.quiet === true,
  };
}
