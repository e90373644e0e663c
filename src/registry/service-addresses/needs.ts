// What a Service asks of the allocator and what it holds, read from its spec (pure).
import { needsClusterIP, needsNodePort, type Service } from "../../apis/core/v1/service.js";
import type { AddressOwner, AddressRequest, AddressReservation, HeldAddresses } from "./allocator.js";

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

/** Writes the reserved values into the Service (clusterIP, clusterIPs, ipFamilies, nodePorts). */
export function applyReservation(svc: Service, r: AddressReservation): void {
  const s = svc.spec;
  if (r.clusterIP) {
    s.clusterIP = r.clusterIP;
    s.clusterIPs = [r.clusterIP];
    s.ipFamilies = ["IPv4"];
  } else if (s.clusterIP === "None") {
    s.clusterIPs = ["None"];
    s.ipFamilies ??= ["IPv4"];
  }
  for (const [i, np] of Object.entries(r.nodePorts)) {
    const p = s.ports?.[Number(i)];
    if (p) p.nodePort = np;
  }
}

/** Whether the reservation adds anything the Service does not already say. */
export function reservationChanges(svc: Service, r: AddressReservation): boolean {
  if (r.clusterIP && svc.spec.clusterIP !== r.clusterIP) return true;
  return Object.entries(r.nodePorts).some(([i, np]) => svc.spec.ports?.[Number(i)]?.nodePort !== np);
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
