// Pod CIDRs for Nodes (upstream's node IPAM controller, range allocator): a Node created without
// spec.podCIDR gets the lowest free block of the cluster CIDR (CLUSTER_CIDR, default
// 10.244.0.0/14 in /24 blocks: 1,024 nodes of 254 pods). Done when the Node is created, inside
// the cluster store's transaction, so two nodes joining at once never get the same block and the
// agent learns its block from the answer. When the range is full the Node is created without one.
import type { KubeObject } from "../apis/types.js";
import { type Cidr, formatCidr, ipToNumber, parseCidr } from "../lib/ipv4.js";

export { parseCidr };

export const DEFAULT_CLUSTER_CIDR = "10.244.0.0/14";
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

function networkOf(text: string): Cidr | undefined {
  const [ip, bits] = text.trim().split("/");
  const n = ipToNumber(ip ?? "");
  const prefix = Number(bits);
  if (n === undefined || !/^\d{1,2}$/.test(bits ?? "") || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (n & mask) >>> 0, prefix };
}

/** The lowest block of `maskSize` in `clusterCidr` that no CIDR in `used` is; undefined when full. */
export function nextPodCIDR(clusterCidr: string, maskSize: number, used: Iterable<string>): string | undefined {
  // Host bits in CLUSTER_CIDR are cleared, as before (10.244.1.0/14 is 10.244.0.0/14).
  const cluster = parseCidr(clusterCidr) ?? networkOf(clusterCidr);
  if (!cluster || maskSize < cluster.prefix || maskSize > 30) return undefined;
  const taken = new Set<number>();
  for (const u of used) {
    const c = parseCidr(u);
    if (c && c.prefix === maskSize) taken.add(c.base);
  }
  const size = 2 ** (32 - maskSize);
  const blocks = 2 ** (maskSize - cluster.prefix);
  for (let i = 0; i < blocks; i++) {
    const base = (cluster.base + i * size) >>> 0;
    if (!taken.has(base)) return formatCidr({ base, prefix: maskSize });
  }
  return undefined;
}

/** Sets spec.podCIDR and spec.podCIDRs on a Node being created without one. */
export function allocatePodCIDR(node: KubeObject, existing: () => KubeObject[], clusterCidr = DEFAULT_CLUSTER_CIDR, maskSize = DEFAULT_NODE_CIDR_MASK_SIZE): void {
  const spec = (node.spec ??= {}) as { podCIDR?: string; podCIDRs?: string[] };
  if (spec.podCIDR) return;
  const used = existing().flatMap((n) => {
    const s = n.spec as { podCIDR?: string; podCIDRs?: string[] } | undefined;
    return [...(s?.podCIDRs ?? []), ...(s?.podCIDR ? [s.podCIDR] : [])];
  });
  const cidr = nextPodCIDR(clusterCidr, maskSize, used);
  if (!cidr) return;
  spec.podCIDR = cidr;
  spec.podCIDRs = [cidr];
}
