// Where a node's addresses come from: its pod CIDR (10.244.<i>.0/24 for the i-th node of an
// agent, as a cluster CIDR of 10.244.0.0/14 cut in /24s would give) and its InternalIP (the
// machine's own, or for simulated nodes a made-up one out of 10.200.0.0/16).
import { networkInterfaces } from "node:os";
import { numberToIp } from "./ipam.js";

const POD_CIDR_BASE = (10 << 24) + (244 << 16); // 10.244.0.0
/** /24s from 10.244.0.0 up to 10.255.255.0. */
export const MAX_POD_CIDRS = (256 - 244) * 256;
const SIMULATED_NODE_BASE = (10 << 24) + (200 << 16); // 10.200.0.0
/** Hosts of 10.200.0.0/16 (10.200.0.1 … 10.200.255.254). */
export const MAX_SIMULATED_NODE_IPS = 65534;

/** The pod CIDR of the node with this index. */
export function podCIDRFor(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_POD_CIDRS) throw new RangeError(`no pod CIDR for node index ${index} (at most ${MAX_POD_CIDRS} nodes)`);
  return `${numberToIp(POD_CIDR_BASE + index * 256)}/24`;
}

/** The made-up InternalIP of the simulated node with this index. */
export function simulatedNodeIP(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SIMULATED_NODE_IPS) throw new RangeError(`no simulated address for node index ${index}`);
  return numberToIp(SIMULATED_NODE_BASE + index + 1);
}

/** The machine's first non-internal IPv4 address (as the kubelet picks one), else 127.0.0.1. */
export function machineIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}
