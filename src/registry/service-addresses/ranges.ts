// The ranges Services take their addresses from, as kube-apiserver's --service-cluster-ip-range
// and --service-node-port-range: SERVICE_CLUSTER_IP_RANGE (default 10.96.0.0/12) and
// SERVICE_NODE_PORT_RANGE (default 30000-32767). The range's first address is the `kubernetes`
// Service's and its tenth the cluster DNS's (kube-dns), as kubeadm sets them up.
import { type Cidr, cidrSize, formatCidr, numberToIp, parseCidr } from "../../lib/ipv4.js";

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/12";
export const DEFAULT_SERVICE_NODE_PORT_RANGE = "30000-32767";

export interface PortRange {
  min: number;
  max: number;
}

export interface ServiceRanges {
  clusterIPs: Cidr;
  nodePorts: PortRange;
}

export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max > 65535 || min > max) return undefined;
  return { min, max };
}

/** The ranges from the Worker's variables; an unreadable value falls back to the default, with a warning. */
export function serviceRanges(vars: { SERVICE_CLUSTER_IP_RANGE?: string; SERVICE_NODE_PORT_RANGE?: string }): ServiceRanges {
  let clusterIPs = parseCidr(vars.SERVICE_CLUSTER_IP_RANGE || DEFAULT_SERVICE_CLUSTER_IP_RANGE);
  if (!clusterIPs || clusterIPs.prefix > 28) {
    console.warn(`SERVICE_CLUSTER_IP_RANGE ${JSON.stringify(vars.SERVICE_CLUSTER_IP_RANGE)} is not an IPv4 CIDR of /28 or larger; using ${DEFAULT_SERVICE_CLUSTER_IP_RANGE}`);
    clusterIPs = parseCidr(DEFAULT_SERVICE_CLUSTER_IP_RANGE)!;
  }
  let nodePorts = parsePortRange(vars.SERVICE_NODE_PORT_RANGE || DEFAULT_SERVICE_NODE_PORT_RANGE);
  if (!nodePorts) {
    console.warn(`SERVICE_NODE_PORT_RANGE ${JSON.stringify(vars.SERVICE_NODE_PORT_RANGE)} is not MIN-MAX; using ${DEFAULT_SERVICE_NODE_PORT_RANGE}`);
    nodePorts = parsePortRange(DEFAULT_SERVICE_NODE_PORT_RANGE)!;
  }
  return { clusterIPs, nodePorts };
}

/** The n-th address of the range (1: the `kubernetes` Service, 10: the cluster DNS). */
export const nthClusterIP = (ranges: ServiceRanges, n: number): string => numberToIp(ranges.clusterIPs.base + n);

export const describeIPRange = (ranges: ServiceRanges): string => formatCidr(ranges.clusterIPs);
export const describePortRange = (ranges: ServiceRanges): string => `${ranges.nodePorts.min}-${ranges.nodePorts.max}`;

/**
 * Offsets an allocator may hand out, split as upstream (KEP-3070, KEP-3668): the low band is
 * kept for addresses users ask for by value; random allocation takes the high band first.
 */
export interface Band {
  /** First and last usable offset. */
  first: number;
  last: number;
  /** First offset of the high (dynamic) band. */
  dynamicFrom: number;
}

export function clusterIPBand(ranges: ServiceRanges): Band {
  const size = cidrSize(ranges.clusterIPs);
  // The network and broadcast addresses are never handed out.
  const first = 1;
  const last = size - 2;
  const low = Math.min(Math.max(16, Math.floor(size / 16)), 256);
  return { first, last, dynamicFrom: Math.min(first + low, last) };
}

export function nodePortBand(ranges: ServiceRanges): Band {
  const size = ranges.nodePorts.max - ranges.nodePorts.min + 1;
  const low = Math.min(Math.max(16, Math.floor(size / 32)), 128);
  return { first: 0, last: size - 1, dynamicFrom: Math.min(low, size - 1) };
}
