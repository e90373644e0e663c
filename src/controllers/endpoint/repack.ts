// Upstream's endpoints.RepackSubsets: expand subsets to (address, port, ready) triples and pack
// them back in the canonical layout, so that addresses offering the same ports share a subset and
// two equal sets of endpoints always compare equal. An address not ready on a port wins over a
// ready copy of it. Upstream orders ports and subsets by an md5 of their Go dump; here they are
// ordered by their canonical JSON, which is as stable and needs no hashing.
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import { canonicalJson } from "../../lib/canonical-json.js";

export type EndpointSubset = NonNullable<Endpoints["subsets"]>[number];
export type EndpointAddress = NonNullable<EndpointSubset["addresses"]>[number];
export type EndpointPort = NonNullable<EndpointSubset["ports"]>[number];

/** Addresses are one address by IP and target uid (two pods may have had the same IP). */
const addressKey = (a: EndpointAddress) => JSON.stringify([a.ip, a.targetRef?.uid ?? ""]);
const portKey = (p: EndpointPort) => canonicalJson(p);
/** Subsets without ports keep their addresses under this stand-in port. */
const NO_PORT = "<none>";

interface PortEntry {
  port: EndpointPort | undefined;
  /** address key → ready */
  ready: Map<string, boolean>;
}

/** LessEndpointAddress: by IP (bytes), then by target uid, one without a target first. */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  if (!b.targetRef) return a.targetRef ? 1 : 0;
  if (!a.targetRef) return -1;
  const ua = a.targetRef.uid ?? "";
  const ub = b.targetRef.uid ?? "";
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Orders values by their canonical JSON (upstream: by a hash of their dump). */
export const byCanonicalJson = <T>(a: T, b: T) => {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, PortEntry>();
  const map = (addr: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const ak = addressKey(addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, structuredClone(addr));
    const pk = port ? portKey(port) : NO_PORT;
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }));
    const was = entry.ready.get(ak);
    if (was === undefined || was) entry.ready.set(ak, ready);
  };
  for (const ss of subsets) {
    const ports: Array<EndpointPort | undefined> = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) map(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) map(a, port, false);
    }
  }

  // Group ports by the exact set of (address, ready) they are offered on.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const entry of byPort.values()) {
    const key = JSON.stringify([...entry.ready].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ready: entry.ready, ports: [] }));
    if (entry.port) g.ports.push(entry.port);
  }

  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, isReady] of g.ready) (isReady ? ready : notReady).push(allAddrs.get(ak)!);
    const ss: EndpointSubset = {};
    if (ready.length) ss.addresses = ready.sort(compareAddresses);
    if (notReady.length) ss.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length) ss.ports = g.ports.sort(byCanonicalJson);
    out.push(ss);
  }
  return out.sort(byCanonicalJson);
}
