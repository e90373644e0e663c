// The cluster's DNS records, as the Kubernetes DNS-Based Service Discovery spec (schema 1.1.0)
// defines them and CoreDNS's kubernetes plugin serves them: Services and EndpointSlices are
// indexed once per update, and each question is then answered from maps, without I/O.
import { isIPv4, isIPv6 } from "node:net";
import type { Answer } from "dns-packet";
import type { Service } from "../../src/apis/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";

/** What the records are built from: the informers' current Services and EndpointSlices. */
export interface ClusterSnapshot {
  services: Service[];
  slices: EndpointSlice[];
}

export interface ClusterRecordsOptions {
  /** The kubelet's --cluster-domain. */
  clusterDomain?: string;
  /** Seconds; CoreDNS's kubernetes plugin answers with 5 (kube-dns used 30), and so do we. */
  ttl?: number;
  /** The SOA serial; CoreDNS uses the time of the last change, the server passes the same. */
  serial?: number;
}

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
export const DEFAULT_TTL = 5;
/** The schema version served at `dns-version.<zone>` TXT. */
export const DNS_SCHEMA_VERSION = "1.1.0";

export type Rcode = "NOERROR" | "NXDOMAIN";

/** The answer to one question about a name the cluster DNS is authoritative for. */
export interface DnsLookup {
  rcode: Rcode;
  answers: Answer[];
  /** The zone's SOA on negative answers (NXDOMAIN or no data), for negative caching. */
  authorities: Answer[];
  /** For SRV: the A/AAAA records of the targets. */
  additionals: Answer[];
  /** An ExternalName's CNAME pointing outside the cluster domain: the server resolves this upstream and appends it. */
  chase?: { name: string; type: string };
}

/** A name in the tree and what is there; `{}` is an empty non-terminal (exists, holds nothing). */
interface DnsNode {
  addresses?: string[];
  cname?: string;
  srv?: SrvTarget[];
  txt?: string;
  soa?: boolean;
  ns?: string;
  ptr?: string[];
}

interface SrvTarget {
  /** A fully qualified name inside the cluster domain, lowercase, without the trailing dot. */
  target: string;
  port: number;
}

interface ServiceEntry {
  externalName?: string;
  /** ClusterIPs, or the ready endpoints' addresses of a headless service. */
  addresses: string[];
  /** Headless only: endpoint hostname (or dashed IP) → its addresses. */
  endpoints: Map<string, string[]>;
  /** `_<port>._<proto>` → SRV targets. */
  srv: Map<string, SrvTarget[]>;
}

const MAX_CNAME_CHAIN = 8;
const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;

const trimDot = (name: string) => (name.endsWith(".") ? name.slice(0, -1) : name);
const isIP = (s: string) => isIPv4(s) || isIPv6(s);
/** The system-assigned hostname of an endpoint without one: its IP with dashes, as CoreDNS names it. */
export const dashedIP = (ip: string) => ip.replace(/[.:]/g, "-");

function pushUnique<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export class ClusterRecords {
  readonly clusterDomain: string;
  readonly ttl: number;
  private readonly serial: number;
  private readonly services = new Map<string, ServiceEntry>(); // "<svc>.<ns>"
  private readonly namespaces = new Set<string>();
  private readonly ptr = new Map<string, string[]>(); // IP → names

  constructor(snapshot: ClusterSnapshot = { services: [], slices: [] }, o: ClusterRecordsOptions = {}) {
    this.clusterDomain = trimDot((o.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).toLowerCase());
    this.ttl = o.ttl ?? DEFAULT_TTL;
    this.serial = o.serial ?? 1;
    this.index(snapshot);
  }

  /** Whether a name is inside the cluster domain (the names this server never forwards). */
  inClusterDomain(name: string): boolean {
    const n = trimDot(name).toLowerCase();
    return n === this.clusterDomain || n.endsWith(`.${this.clusterDomain}`);
  }

  /**
   * Answers a question, or returns undefined when the name is not the cluster's (outside the
   * cluster domain, or a reverse name of no Service or endpoint): the server forwards those.
   */
  lookup(question: { name: string; type: string }): DnsLookup | undefined {
    const owner = trimDot(question.name);
    const type = question.type.toUpperCase();
    const lower = owner.toLowerCase();
    if (!this.inClusterDomain(lower)) {
      // The reverse zones are not ours: only the PTR records of Services and endpoints are answered here.
      if (type !== "PTR" && type !== "ANY") return undefined;
      const ip = reverseNameToIP(lower);
      const names = ip === undefined ? undefined : this.ptr.get(ip);
      return names ? this.answer(owner, { ptr: names }, type, 0) : undefined;
    }
    return this.resolve(owner, type, 0);
  }

  private resolve(owner: string, type: string, depth: number): DnsLookup {
    const node = this.node(trimDot(owner).toLowerCase());
    if (!node) return { rcode: "NXDOMAIN", answers: [], authorities: [this.soa(this.clusterDomain)], additionals: [] };
    return this.answer(owner, node, type, depth);
  }

  private answer(owner: string, node: DnsNode, type: string, depth: number): DnsLookup {
    const rr = <T extends Answer["type"]>(t: T, data: unknown) => ({ name: owner, type: t, class: "IN", ttl: this.ttl, data }) as Answer;
    if (node.cname !== undefined) {
      const cname = rr("CNAME", node.cname);
      if (type === "CNAME" || type === "ANY") return { rcode: "NOERROR", answers: [cname], authorities: [], additionals: [] };
      if (!this.inClusterDomain(node.cname)) return { rcode: "NOERROR", answers: [cname], authorities: [], additionals: [], chase: { name: node.cname, type } };
      if (depth >= MAX_CNAME_CHAIN) return { rcode: "NOERROR", answers: [cname], authorities: [], additionals: [] };
      const rest = this.resolve(node.cname, type, depth + 1);
      return { ...rest, answers: [cname, ...rest.answers] };
    }
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const want = (t: string) => type === t || type === "ANY";
    for (const ip of node.addresses ?? []) {
      if (isIPv4(ip) && want("A")) answers.push(rr("A", ip));
      if (isIPv6(ip) && want("AAAA")) answers.push(rr("AAAA", ip));
    }
    if (node.srv && want("SRV")) {
      // RFC 2782 weights: equal shares of 100 at a single priority, as CoreDNS gives them.
      const weight = Math.max(1, Math.floor(100 / node.srv.length));
      for (const s of node.srv) answers.push(rr("SRV", { priority: 0, weight, port: s.port, target: s.target }));
      for (const target of new Set(node.srv.map((s) => s.target))) {
        for (const ip of this.node(target)?.addresses ?? []) {
          additionals.push({ name: target, type: isIPv4(ip) ? "A" : "AAAA", class: "IN", ttl: this.ttl, data: ip });
        }
      }
    }
    if (node.txt !== undefined && want("TXT")) answers.push(rr("TXT", [node.txt]));
    if (node.soa && want("SOA")) answers.push({ ...this.soa(this.clusterDomain), name: owner });
    if (node.ns !== undefined && want("NS")) answers.push(rr("NS", node.ns));
    if (node.ptr && want("PTR")) for (const name of node.ptr) answers.push(rr("PTR", name));
    // An existing name asked for a type it lacks (AAAA of an IPv4 service, say): no data, not NXDOMAIN,
    // or musl and busybox resolvers would give up on the A answer they got for the same name.
    return { rcode: "NOERROR", answers, authorities: answers.length ? [] : [this.soa(this.clusterDomain)], additionals };
  }

  /** The node at a lowercase name inside the cluster domain, or undefined when there is none (NXDOMAIN). */
  private node(name: string): DnsNode | undefined {
    if (name === this.clusterDomain) return { soa: true, ns: `ns.dns.${this.clusterDomain}` };
    if (!name.endsWith(`.${this.clusterDomain}`)) return undefined;
    const labels = name.slice(0, -this.clusterDomain.length - 1).split(".");
    const top = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (top === "svc") return this.serviceNode(rest);
    if (top === "pod") return podNode(rest);
    if (labels.length === 1 && top === "dns-version") return { txt: DNS_SCHEMA_VERSION };
    if (top === "dns") {
      if (rest.length === 0) return {};
      // The apex NS names ns.dns.<zone>; like CoreDNS it resolves to the cluster DNS Service.
      if (rest.length === 1 && rest[0] === "ns") return { addresses: this.services.get("kube-dns.kube-system")?.addresses ?? [] };
    }
    return undefined;
  }

  /** `[...]` is the labels before `svc.<zone>`. */
  private serviceNode(labels: string[]): DnsNode | undefined {
    const n = labels.length;
    if (n === 0) return {};
    const ns = labels[n - 1];
    if (n === 1) return this.namespaces.has(ns) ? {} : undefined;
    const svc = this.services.get(`${labels[n - 2]}.${ns}`);
    if (!svc) return undefined;
    if (n === 2) return svc.externalName !== undefined ? { cname: svc.externalName } : { addresses: svc.addresses };
    if (n === 3) {
      const label = labels[0];
      if (label.startsWith("_")) return [...svc.srv.keys()].some((k) => k.endsWith(`.${label}`)) ? {} : undefined;
      const addresses = svc.endpoints.get(label);
      return addresses ? { addresses } : undefined;
    }
    if (n === 4) {
      const srv = svc.srv.get(`${labels[0]}.${labels[1]}`);
      return srv ? { srv } : undefined;
    }
    return undefined;
  }

  private soa(zone: string): Answer {
    return {
      name: zone,
      type: "SOA",
      class: "IN",
      ttl: this.ttl,
      data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: this.serial, refresh: SOA_REFRESH, retry: SOA_RETRY, expire: SOA_EXPIRE, minimum: this.ttl },
    };
  }

  private index(snapshot: ClusterSnapshot): void {
    const slicesOf = new Map<string, EndpointSlice[]>();
    for (const slice of snapshot.slices) {
      const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      pushUnique(slicesOf, `${svc}.${slice.metadata.namespace ?? ""}`.toLowerCase(), slice);
    }
    for (const svc of snapshot.services) {
      const name = svc.metadata?.name?.toLowerCase();
      const ns = svc.metadata?.namespace?.toLowerCase();
      if (!name || !ns) continue;
      const fqdn = `${name}.${ns}.svc.${this.clusterDomain}`;
      const entry: ServiceEntry = { addresses: [], endpoints: new Map(), srv: new Map() };
      this.services.set(`${name}.${ns}`, entry);
      // Each SRV record once; a set rather than a scan, as a headless service may have thousands.
      const srvSeen = new Set<string>();
      const addSrv = (port: { name?: string; port?: number; protocol?: string }, target: string) => {
        if (!port.name || !port.port) return; // unnamed ports have no SRV record
        const key = srvKey(port.name, port.protocol);
        const id = `${key} ${target} ${port.port}`;
        if (srvSeen.has(id)) return;
        srvSeen.add(id);
        const list = entry.srv.get(key);
        if (list) list.push({ target, port: port.port });
        else entry.srv.set(key, [{ target, port: port.port }]);
      };
      this.namespaces.add(ns);
      const spec = svc.spec ?? {};
      if (spec.type === "ExternalName") {
        if (spec.externalName) entry.externalName = trimDot(spec.externalName.toLowerCase());
        continue;
      }
      if (spec.clusterIP !== "None") {
        const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
        entry.addresses = [...new Set(ips.filter(isIP))];
        for (const ip of entry.addresses) pushUnique(this.ptr, ptrKey(ip), fqdn);
        for (const p of spec.ports ?? []) addSrv(p, fqdn);
        continue;
      }
      // Headless: the endpoints themselves, ready ones only unless the service publishes not-ready addresses.
      const all = spec.publishNotReadyAddresses === true;
      const addresses = new Set<string>();
      for (const slice of slicesOf.get(`${name}.${ns}`) ?? []) {
        if (slice.addressType === "FQDN") continue;
        const targets = new Set<string>();
        for (const ep of slice.endpoints ?? []) {
          if (!all && ep.conditions?.ready === false) continue;
          for (const ip of (ep.addresses ?? []).filter(isIP)) {
            const host = (ep.hostname || dashedIP(ip)).toLowerCase();
            const target = `${host}.${fqdn}`;
            addresses.add(ip);
            pushUnique(entry.endpoints, host, ip);
            pushUnique(this.ptr, ptrKey(ip), target);
            targets.add(target);
          }
        }
        for (const p of slice.ports ?? []) for (const target of targets) addSrv(p, target);
      }
      entry.addresses = [...addresses];
    }
  }
}

const ptrKey = (ip: string) => (isIPv6(ip) ? (canonicalIPv6(ip) ?? ip) : ip);
const srvKey = (port: string, protocol: string | undefined) => `_${port}._${protocol ?? "TCP"}`.toLowerCase();

/** `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` (deprecated, kept by CoreDNS's `pods insecure`): the IP in the name, unverified. */
function podNode(labels: string[]): DnsNode | undefined {
  if (labels.length <= 1) return {}; // pod.<zone> and <ns>.pod.<zone> exist, empty
  if (labels.length !== 2) return undefined;
  const v4 = labels[0].replace(/-/g, ".");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4) && isIPv4(v4)) return { addresses: [v4] };
  const v6 = labels[0].replace(/-/g, ":");
  if (isIPv6(v6)) return { addresses: [v6] };
  return undefined;
}

/** `d.c.b.a.in-addr.arpa` → a.b.c.d; the 32 nibbles of an ip6.arpa name → the IPv6 address; else undefined. */
export function reverseNameToIP(name: string): string | undefined {
  const n = trimDot(name).toLowerCase();
  if (n.endsWith(".in-addr.arpa")) {
    const parts = n.slice(0, -".in-addr.arpa".length).split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && String(Number(p)) === p)) return undefined;
    const ip = parts.reverse().join(".");
    return isIPv4(ip) ? ip : undefined;
  }
  if (n.endsWith(".ip6.arpa")) {
    const nibbles = n.slice(0, -".ip6.arpa".length).split(".");
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join("");
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ""));
    return canonicalIPv6(groups.join(":"));
  }
  return undefined;
}

/** The compressed form (RFC 5952) of a full IPv6 address, so reverse names match the Services' own spelling. */
export function canonicalIPv6(ip: string): string | undefined {
  if (!isIPv6(ip)) return undefined;
  const u = new URL(`http://[${ip}]/`);
  return u.hostname.slice(1, -1);
}
