// The allocator's repair (upstream's ipallocator and portallocator repair controllers): records
// whose Service is gone, or no longer holds the value, are freed. Services release their values
// themselves when deleted or changed (release.ts); this catches what a lost call left behind.
// Records younger than the grace period are skipped: their Service may still be being created.
import type { Storage } from "../../storage/interface.js";
import { CLUSTER_IP_RECORDS, type HeldAddresses, records } from "./allocator.js";

/** Records younger than this are never freed by the repair. */
export const REPAIR_GRACE_MS = 60_000;

/** What one namespace's Services hold, by uid (namespace stores answer it). */
export type HeldByUid = Record<string, HeldAddresses>;

export interface RepairReport {
  checked: number;
  freed: number;
}

export async function repairServiceAddresses(storage: Storage, heldIn: (namespace: string) => Promise<HeldByUid>, now: number): Promise<RepairReport> {
  const old = records(storage).filter((r) => now - r.allocatedAt >= REPAIR_GRACE_MS);
  const namespaces = [...new Set(old.map((r) => r.owner.namespace))];
  const held = new Map<string, HeldByUid>();
  await Promise.all(namespaces.map(async (ns) => held.set(ns, await heldIn(ns))));
  let freed = 0;
  for (const r of old) {
    const h = held.get(r.owner.namespace)?.[r.owner.uid];
    const inUse = r.resource === CLUSTER_IP_RECORDS ? h?.clusterIPs.includes(r.value) : h?.nodePorts.includes(Number(r.value));
    if (inUse) continue;
    // Read again: the record may have been released and taken by another Service meanwhile.
    const current = storage.get(r.resource, r.value) as { owner?: { uid?: string } } | undefined;
    if (current?.owner?.uid !== r.owner.uid) continue;
    storage.delete(r.resource, r.value);
    freed++;
  }
  return { checked: old.length, freed };
}
