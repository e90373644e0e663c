// Which values a Service write gives back (pure): a deleted Service all it held, a changed one
// what it no longer holds (a type change to ClusterIP, a port removed). Namespace stores send
// these to the cluster store's allocator after the write commits.
import type { Service } from "../../apis/core/v1/service.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { HeldAddresses } from "./allocator.js";
import { heldAddresses } from "./needs.js";

export interface Release {
  uid: string;
  keep: HeldAddresses;
  values: HeldAddresses;
}

export function releaseFor(e: StoredEvent): Release | undefined {
  if (e.resource !== "services") return undefined;
  const uid = e.object.metadata.uid;
  if (!uid) return undefined;
  if (e.type === "DELETED") {
    const values = heldAddresses(e.object as unknown as Service);
    if (!values.clusterIPs.length && !values.nodePorts.length) return undefined;
    return { uid, keep: { clusterIPs: [], nodePorts: [] }, values };
  }
  if (e.type !== "MODIFIED" || !e.prev) return undefined;
  const before = heldAddresses(e.prev as unknown as Service);
  const after = heldAddresses(e.object as unknown as Service);
  const gone = before.clusterIPs.some((ip) => !after.clusterIPs.includes(ip)) || before.nodePorts.some((p) => !after.nodePorts.includes(p));
  return gone ? { uid, keep: after, values: before } : undefined;
}
