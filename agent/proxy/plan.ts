// What the service proxy should serve, from Services and EndpointSlices alone: one entry per
// service port with its ClusterIP, NodePort and the endpoints each kind of traffic goes to.
// Pure, so that upstream kube-proxy's rules (endpointslicecache.go, topology.go) are tested as a table.
import type { Service } from "../../src/apis/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import { ipToNumber } from "../network/ipam.js";

export interface ProxySnapshot {
  services: Service[];
  slices: EndpointSlice[];
  /** This node: endpoints with this nodeName are local. */
  nodeName: string;
}

export interface ServiceEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  /** On this node (nodeName == the proxy's node). */
  local: boolean;
}

export type Protocol = "TCP" | "UDP";

/** sessionAffinity ClientIP: a client IP keeps its endpoint while it connects again within this time. */
export interface ClientIPAffinity {
  timeoutSeconds: number;
}

/** upstream's ServicePortName plus what its ServicePort and endpoints map hold for it. */
export interface ServicePortPlan {
  /** `namespace/name:portName/protocol`; portName is empty for an unnamed port. */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  clusterIP: string;
  port: number;
  protocol: Protocol;
  nodePort?: number;
  sessionAffinity: ClientIPAffinity | undefined;
  /** Where ClusterIP traffic goes (internalTrafficPolicy applied). */
  endpoints: ServiceEndpoint[];
  /** Where NodePort traffic goes (externalTrafficPolicy applied); empty without a nodePort. */
  nodePortEndpoints: ServiceEndpoint[];
  /** externalTrafficPolicy Local on a NodePort service: NodePort traffic keeps its client address. */
  externalPolicyLocal: boolean;
}

/** A service port the proxy does not serve, and why: said once in the log, not an error. */
export interface SkippedServicePort {
  key: string;
  reason: string;
}

export interface ProxyPlan {
  ports: ServicePortPlan[];
  skipped: SkippedServicePort[];
}

/** upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** An endpoint with the conditions upstream's categorization reads. */
interface CandidateEndpoint extends ServiceEndpoint {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export function servicePortKey(namespace: string, name: string, portName: string, protocol: string): string {
  return `${namespace}/${name}:${portName}/${protocol}`;
}

const isIPv4 = (ip: string | undefined): ip is string => ip !== undefined && ipToNumber(ip) !== undefined;

export function planServicePorts(snapshot: ProxySnapshot): ProxyPlan {
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of snapshot.slices) {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = `${slice.metadata.namespace ?? "default"}/${svc}`;
    const list = slicesByService.get(k);
    if (list) list.push(slice);
    else slicesByService.set(k, [slice]);
  }

  const ports: ServicePortPlan[] = [];
  const skipped: SkippedServicePort[] = [];
  for (const svc of snapshot.services) {
    const namespace = svc.metadata.namespace ?? "default";
    const name = svc.metadata.name ?? "";
    const spec = svc.spec;
    const clusterIP = spec.clusterIP;
    // upstream's ShouldSkipService: no ClusterIP, headless, ExternalName.
    if (spec.type === "ExternalName" || !clusterIP || clusterIP === "None") continue;
    const slices = (slicesByService.get(`${namespace}/${name}`) ?? []).slice().sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
    const externallyAccessible = spec.type === "NodePort" || spec.type === "LoadBalancer";
    for (const sp of spec.ports ?? []) {
      const portName = sp.name ?? "";
      const protocol = sp.protocol || "TCP";
      const key = servicePortKey(namespace, name, portName, protocol);
      if (protocol !== "TCP" && protocol !== "UDP") {
        skipped.push({ key, reason: `protocol ${protocol} is not proxied (TCP and UDP only)` });
        continue;
      }
      if (!isIPv4(clusterIP)) {
        skipped.push({ key, reason: `clusterIP ${clusterIP} is not IPv4 (IPv4 only)` });
        continue;
      }
      const all = endpointsFor(slices, portName, protocol, snapshot.nodeName);
      const { cluster, local } = categorize(all);
      const nodePort = externallyAccessible && sp.nodePort ? sp.nodePort : undefined;
      const externalPolicyLocal = externallyAccessible && spec.externalTrafficPolicy === "Local";
      const timeoutSeconds = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds || DEFAULT_AFFINITY_TIMEOUT_SECONDS;
      ports.push({
        key,
        namespace,
        name,
        portName,
        clusterIP,
        port: sp.port,
        protocol,
        nodePort,
        sessionAffinity: spec.sessionAffinity === "ClientIP" ? { timeoutSeconds } : undefined,
        endpoints: spec.internalTrafficPolicy === "Local" ? local : cluster,
        nodePortEndpoints: nodePort === undefined ? [] : externalPolicyLocal ? local : cluster,
        externalPolicyLocal,
      });
    }
  }
  ports.sort((a, b) => a.key.localeCompare(b.key));
  return { ports, skipped };
}

/**
 * The endpoints of one service port out of all the service's slices (upstream's EndpointSliceCache):
 * IPv4 slices only, the slice port whose name and protocol are the service port's, an endpoint's first
 * address. An endpoint in several slices counts once; a ready copy wins over one that is not.
 */
function endpointsFor(slices: EndpointSlice[], portName: string, protocol: string, nodeName: string): CandidateEndpoint[] {
  const byAddress = new Map<string, CandidateEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    for (const p of slice.ports ?? []) {
      if ((p.name ?? "") !== portName || (p.protocol || "TCP") !== protocol) continue;
      if (!p.port) continue;
      for (const ep of slice.endpoints) {
        const ip = ep.addresses[0];
        if (!isIPv4(ip)) continue;
        const c = ep.conditions ?? {};
        const candidate: CandidateEndpoint = {
          ip,
          port: p.port,
          ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
          local: ep.nodeName === nodeName,
          // upstream: nil ready and nil serving mean true, nil terminating means false.
          ready: c.ready !== false,
          serving: c.serving !== false,
          terminating: c.terminating === true,
        };
        const k = `${ip}:${p.port}`;
        const seen = byAddress.get(k);
        if (!seen || (!seen.ready && candidate.ready)) byAddress.set(k, candidate);
      }
    }
  }
  return [...byAddress.values()].sort((a, b) => ipToNumber(a.ip)! - ipToNumber(b.ip)! || a.port - b.port);
}

/**
 * upstream's CategorizeEndpoints without topology hints: the ready endpoints, or when none is ready
 * anywhere the serving and terminating ones (ProxyTerminatingEndpoints); the same for this node's.
 */
function categorize(all: CandidateEndpoint[]): { cluster: ServiceEndpoint[]; local: ServiceEndpoint[] } {
  const usable = (list: CandidateEndpoint[]) => {
    const ready = list.filter((e) => e.ready);
    return ready.length > 0 ? ready : list.filter((e) => e.serving && e.terminating);
  };
  const strip = (list: CandidateEndpoint[]): ServiceEndpoint[] => list.map(({ ready: _r, serving: _s, terminating: _t, ...ep }) => ep);
  return { cluster: strip(usable(all)), local: strip(usable(all.filter((e) => e.local))) };
}
