// What a Service asks of the allocator and what it holds, read from its spec (pure).
import { needsClusterIP, needsNodePort, type Service } from "../../apis/core/v1/service.js";
import type { AddressOwner, AddressRequest, HeldAddresses } from "./allocator.js";

/** An address to allocate: types with a cluster IP, unless headless. */
const wantsClusterIP = (svc: Service): boolean => needsClusterIP(svc) && svc.spec.clusterIP !== "None";

export function addressRequest(svc: Service, owner: AddressOwner): AddressRequest {
  const s = svc.spec;
  return {
    owner,
    clusterIP: wantsClusterIP(svc) ? (s.clusterIP || s.clusterIPs?.[0] || "") : undefined,
    nodePorts: needsNodePort(svc) ? (s.ports ?? []).map((p, index) => ({ index, port: p.port, protocol: p.protocol, nodePort: p.nodePort ?? 0 })) : [],
  };
}

/** The cluster IPs and node ports a stored Service holds. */
export function heldAddresses(svc: Pick<Service, "spec"> | undefined): HeldAddresses {
  const s = svc?.spec;
  if (!s) return { clusterIPs: [], nodePorts: [] };
  const ips = new Set<string>([...(s.clusterIPs ?? []), ...(s.clusterIP ? [s.clusterIP] : [])]);
  ips.delete("None");
  ips.delete("");
  const ports = new Set<number>();
  for (const p of s.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  if (s.healthCheckNodePort) ports.add(s.healthCheckNodePort);
  return { clusterIPs: [...ips], nodePorts: [...ports] };
}
