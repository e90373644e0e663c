// A pod's /etc/resolv.conf, formed from its dnsPolicy and dnsConfig the way the kubelet's DNS
// configurer does (pkg/kubelet/network/dns), and written the way the CRI runtimes write it.
// Pure: the node's resolv.conf arrives as text or parsed, problems come back as warnings.

/** The three things a resolv.conf carries that the kubelet cares about. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** `name` or `name:value`, e.g. `ndots:5`. */
  options: string[];
}

/** A warning the kubelet would record as an Event (reason as upstream spells it). */
export interface DNSWarning {
  reason: "DNSConfigForming" | "MissingClusterDNS";
  message: string;
}

/** The pod fields the configurer reads; a full Pod fits. */
export interface PodDNSInput {
  metadata?: { namespace?: string };
  spec: { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: unknown };
}

export interface PodDNSOptions {
  /** The kubelet's --cluster-dns: the cluster DNS Service's IPs; empty when unknown. */
  clusterDNS: string[];
  /** The kubelet's --cluster-domain. */
  clusterDomain: string;
  /** The node's resolv.conf (the kubelet's --resolv-conf), as text or parsed. */
  hostResolvConf: string | ResolvConf;
}

/** upstream's validation limits, from what glibc's resolver handles. */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** A search domain longer than a DNS-1123 subdomain aborts glibc 2.28's resolver; the kubelet drops it. */
const MAX_SEARCH_DOMAIN_LENGTH = 253;
/** The kubelet reads at most this much of a resolv.conf. */
const MAX_RESOLV_CONF_LENGTH = 10 << 20;
const DEFAULT_CLUSTER_OPTIONS = ["ndots:5"];

/**
 * Parses resolv.conf text as the kubelet does: `nameserver` lines accumulate, the last `search`
 * line wins (trailing dots trimmed, "." dropped), `options` merge by name with later ones winning;
 * `domain` and other keywords are ignored, as upstream ignores them.
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.slice(0, MAX_RESOLV_CONF_LENGTH).split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === "nameserver" && fields.length >= 2) conf.nameservers.push(fields[1]);
    else if (fields[0] === "search") {
      conf.searches = fields.slice(1).filter((s) => s !== ".").map((s) => s.replace(/\.$/, ""));
    } else if (fields[0] === "options") conf.options = mergeOptions(conf.options, fields.slice(1));
  }
  return conf;
}

/** The text a runtime writes into the pod's /etc/resolv.conf (containerd's layout). */
export function formatResolvConf(conf: ResolvConf): string {
  let out = "";
  if (conf.searches.length) out += `search ${conf.searches.join(" ")}\n`;
  for (const ns of conf.nameservers) out += `nameserver ${ns}\n`;
  if (conf.options.length) out += `options ${conf.options.join(" ")}\n`;
  return out;
}

/** The kubelet's GetPodDNS: the pod's resolv.conf settings, within upstream's limits. */
export function podDNSConfig(pod: PodDNSInput, o: PodDNSOptions): { config: ResolvConf; warnings: DNSWarning[] } {
  const warnings: DNSWarning[] = [];
  const host = typeof o.hostResolvConf === "string" ? parseResolvConf(o.hostResolvConf) : o.hostResolvConf;
  let config: ResolvConf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  const policy = pod.spec.dnsPolicy || "ClusterFirst";
  let type = podDNSType(policy, pod.spec.hostNetwork === true);
  if (type === "cluster" && o.clusterDNS.length === 0) {
    warnings.push({
      reason: "MissingClusterDNS",
      message: `kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
    });
    type = "host";
  }
  if (type === "none") config = { nameservers: [], searches: [], options: [] };
  else if (type === "cluster") {
    // The cluster DNS server is the pod's only nameserver; it forwards what it cannot answer.
    config.nameservers = [...o.clusterDNS];
    config.searches = clusterFirstSearches(host.searches, pod.metadata?.namespace || "default", o.clusterDomain);
    config.options = [...DEFAULT_CLUSTER_OPTIONS];
  }
  const dnsConfig = readPodDNSConfig(pod.spec.dnsConfig);
  if (dnsConfig) {
    config.nameservers = unique([...config.nameservers, ...dnsConfig.nameservers]);
    config.searches = unique([...config.searches, ...dnsConfig.searches]);
    config.options = mergeOptions(
      config.options,
      dnsConfig.options.map((op) => (op.value ? `${op.name}:${op.value}` : op.name)),
    );
  }
  config.nameservers = nameserversWithinLimits(config.nameservers, warnings);
  config.searches = searchesWithinLimits(config.searches, warnings);
  return { config, warnings };
}

/** podDNSConfig, written out as resolv.conf text. */
export function podResolvConf(pod: PodDNSInput, o: PodDNSOptions): { text: string; warnings: DNSWarning[] } {
  const { config, warnings } = podDNSConfig(pod, o);
  return { text: formatResolvConf(config), warnings };
}

type PodDNSType = "cluster" | "host" | "none";

/** upstream's getPodDNSType: ClusterFirst on the host network acts as Default; unknown policies as ClusterFirst. */
function podDNSType(policy: string, hostNetwork: boolean): PodDNSType {
  switch (policy) {
    case "None":
      return "none";
    case "ClusterFirstWithHostNet":
      return "cluster";
    case "ClusterFirst":
      return hostNetwork ? "host" : "cluster";
    case "Default":
      return "host";
    default:
      return "cluster"; // the apiserver rejects other policies; the kubelet falls back to ClusterFirst
  }
}

function clusterFirstSearches(hostSearches: string[], namespace: string, clusterDomain: string): string[] {
  const domain = clusterDomain.replace(/\.$/, "");
  if (!domain) return hostSearches;
  return unique([`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearches]);
}

interface PodDNSConfigOption {
  name: string;
  value?: string;
}

/** spec.dnsConfig is schemaless here (PodDNSConfig); read it defensively. */
function readPodDNSConfig(raw: unknown): { nameservers: string[]; searches: string[]; options: PodDNSConfigOption[] } | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const c = raw as { nameservers?: unknown; searches?: unknown; options?: unknown };
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s !== "") : []);
  const options: PodDNSConfigOption[] = [];
  if (Array.isArray(c.options)) {
    for (const op of c.options as { name?: unknown; value?: unknown }[]) {
      if (!op || typeof op.name !== "string" || !op.name) continue;
      options.push(typeof op.value === "string" ? { name: op.name, value: op.value } : { name: op.name });
    }
  }
  return { nameservers: strings(c.nameservers), searches: strings(c.searches), options };
}

/**
 * Options by name, later wins (upstream's mergeDNSOptions and appendOptions). Upstream goes
 * through a Go map, so its order is random; here an option keeps its first position.
 */
function mergeOptions(existing: string[], added: string[]): string[] {
  const byName = new Map<string, string>();
  for (const op of [...existing, ...added]) {
    const colon = op.indexOf(":");
    const name = colon === -1 ? op : op.slice(0, colon);
    const value = colon === -1 ? "" : op.slice(colon + 1);
    byName.set(name, value);
  }
  return [...byName].map(([name, value]) => (value ? `${name}:${value}` : name));
}

function nameserversWithinLimits(nameservers: string[], warnings: DNSWarning[]): string[] {
  if (nameservers.length <= MAX_DNS_NAMESERVERS) return nameservers;
  const kept = nameservers.slice(0, MAX_DNS_NAMESERVERS);
  warnings.push({ reason: "DNSConfigForming", message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(" ")}` });
  return kept;
}

function searchesWithinLimits(searches: string[], warnings: DNSWarning[]): string[] {
  let exceeded = false;
  let kept = searches;
  if (kept.length > MAX_DNS_SEARCH_PATHS) {
    kept = kept.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = kept.filter((s) => s.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (short.length !== kept.length) exceeded = true;
  kept = short;
  // Drop domains from the end until the search line fits.
  while (kept.length > 0 && kept.join(" ").length > MAX_DNS_SEARCH_LIST_CHARS) {
    kept = kept.slice(0, -1);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({ reason: "DNSConfigForming", message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${kept.join(" ")}` });
  }
  return kept;
}

const unique = (list: string[]) => [...new Set(list)];
