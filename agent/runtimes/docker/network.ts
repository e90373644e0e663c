// The node's pod network on the engine: one bridge network whose subnet is the node's pod CIDR, so
// pod IPs come from the range the control plane gave the node. When it cannot be made (the range
// overlaps another network, the engine refuses), pods go on the engine's default network instead.
import { EngineClient, isNotFound } from "./engine-client.js";
import { NODE_LABEL } from "./labels.js";

/** The engine's default network (`docker0` on Docker, `podman` on Podman's compat API). */
export const DEFAULT_NETWORK = "bridge";

export function podNetworkName(nodeName: string): string {
  return `edgeplane-${nodeName.replace(/[^a-zA-Z0-9_.-]/g, "-")}`;
}

/** The gateway of a pod CIDR: its first address (`10.244.3.0/24` → `10.244.3.1`). */
export function gatewayOf(podCIDR: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(podCIDR);
  if (!m) throw new Error(`pod CIDR ${podCIDR} is not an IPv4 CIDR`);
  const n = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const g = n + 1;
  return [g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255].join(".");
}

interface NetworkInspect {
  Name: string;
  IPAM?: { Config?: Array<{ Subnet?: string }> };
}

/**
 * The network pods of this node join: `edgeplane-<node>` (made when missing), or the default one
 * when that fails, with `warn` told why once.
 */
export async function ensurePodNetwork(engine: EngineClient, nodeName: string, podCIDR: string, warn: (msg: string) => void): Promise<string> {
  const name = podNetworkName(nodeName);
  try {
    const existing = await engine.json<NetworkInspect>("GET", `/networks/${encodeURIComponent(name)}`);
    const subnets = (existing.IPAM?.Config ?? []).map((c) => c.Subnet);
    if (!subnets.includes(podCIDR)) warn(`network ${name} has subnet ${subnets.join(", ") || "none"}, not the node's pod CIDR ${podCIDR}: pods get addresses from it anyway`);
    return name;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await engine.json("POST", "/networks/create", {
      body: {
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        IPAM: { Driver: "default", Config: [{ Subnet: podCIDR, Gateway: gatewayOf(podCIDR) }] },
        Labels: { [NODE_LABEL]: nodeName },
      },
    });
    return name;
  } catch (err) {
    // Another agent of the same node made it meanwhile.
    const made = await engine.json("GET", `/networks/${encodeURIComponent(name)}`).then(
      () => true,
      () => false,
    );
    if (made) return name;
    warn(`cannot create network ${name} with subnet ${podCIDR} (${(err as Error).message}): pods use the engine's default network, so their IPs are outside the node's pod CIDR`);
    return DEFAULT_NETWORK;
  }
}
