// The Service address allocator (kube-apiserver's ClusterIP and NodePort allocators), run in the
// cluster store so that every namespace draws from one range. Each address or port in use is a
// record of its own, named by the value (as upstream's IPAddress objects), so a reservation is
// O(values asked for), two Services can never hold the same value, and a record says whose it
// is (the Service's uid) for release and repair. Records are internal: no API path serves them.
import type { KubeObject } from "../../apis/types.js";
import { invalid as invalidField, type FieldError } from "../../lib/field-errors.js";
import { ipToNumber, numberToIp } from "../../lib/ipv4.js";
import { internalError, invalid } from "../../lib/status.js";
import type { Storage } from "../../storage/interface.js";
import type { AllocatedAddresses } from "../requests.js";
import { type Band, clusterIPBand, describeIPRange, describePortRange, nodePortBand, type ServiceRanges } from "./ranges.js";

export const CLUSTER_IP_RECORDS = "serviceipallocations";
export const NODE_PORT_RECORDS = "servicenodeportallocations";

export interface AddressOwner {
  namespace: string;
  name: string;
  uid: string;
}

/** What a Service asks for. */
export interface AddressRequest {
  owner: AddressOwner;
  /** "" asks for any address, an address for that one; undefined for none (headless, ExternalName). */
  clusterIP?: string;
  /** The ports that need a node port, by index in spec.ports; nodePort 0 asks for any. */
  nodePorts: Array<{ index: number; port: number; protocol: string; nodePort: number }>;
  /** A dry run: the checks and the choice of values, with nothing written (upstream's dry-run allocator). */
  dryRun?: boolean;
}

/** What a reservation gives: the cluster IP and node ports by index in spec.ports. */
export type AddressReservation = AllocatedAddresses;

/** The values a Service holds now: what a release keeps. */
export interface HeldAddresses {
  clusterIPs: string[];
  nodePorts: number[];
}

interface AddressRecord extends KubeObject {
  owner: AddressOwner;
  allocatedAt: number;
}

export interface AllocatorDeps {
  ranges: ServiceRanges;
  now: () => number;
  random?: () => number;
}

/**
 * Reserves what the request asks for, all or nothing. Values the same Service (uid) already holds
 * are kept; a value another Service holds, or one out of range, is refused with upstream's
 * 422 field errors; an exhausted range is a 500, as upstream.
 */
export function reserve(storage: Storage, deps: AllocatorDeps, req: AddressRequest): AddressReservation {
  const { ranges } = deps;
  const errs: FieldError[] = [];
  const owned = (resource: string, name: string): boolean | undefined => {
    const rec = storage.get(resource, name) as AddressRecord | undefined;
    return rec === undefined ? undefined : rec.owner.uid === req.owner.uid;
  };
  // Check every value asked for by name first, so nothing is written when one is refused.
  if (req.clusterIP) {
    const n = ipToNumber(req.clusterIP);
    const band = clusterIPBand(ranges);
    const offset = n === undefined ? -1 : n - ranges.clusterIPs.base;
    let why: string | undefined;
    if (offset < band.first || offset > band.last) why = `the provided IP (${req.clusterIP}) is not in the valid range. The range of valid IPs is ${describeIPRange(ranges)}`;
    else if (owned(CLUSTER_IP_RECORDS, req.clusterIP) === false) why = "provided IP is already allocated";
    if (why) errs.push(invalidField("spec.clusterIPs", [req.clusterIP], `failed to allocate IP ${req.clusterIP}: ${why}`));
  }
  const asked = new Set<number>();
  for (const p of req.nodePorts) {
    if (!p.nodePort) continue;
    const path = `spec.ports[${p.index}].nodePort`;
    if (p.nodePort < ranges.nodePorts.min || p.nodePort > ranges.nodePorts.max) {
      errs.push(invalidField(path, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${describePortRange(ranges)}`));
    } else if (owned(NODE_PORT_RECORDS, String(p.nodePort)) === false) {
      errs.push(invalidField(path, p.nodePort, "provided port is already allocated"));
    }
    asked.add(p.nodePort);
  }
  if (errs.length) throw invalid("Service", "", req.owner.name, errs);

  const written: Array<[string, string]> = [];
  const record = (resource: string, name: string): void => {
    if (req.dryRun || owned(resource, name)) return;
    const rec: AddressRecord = { apiVersion: "internal.edgeplane.dev/v1", kind: "ServiceAddress", metadata: { name }, owner: req.owner, allocatedAt: deps.now() };
    storage.create(resource, name, rec);
    written.push([resource, name]);
  };
  try {
    const out: AddressReservation = { nodePorts: {} };
    if (req.clusterIP !== undefined) {
      let ip = req.clusterIP;
      if (!ip) {
        const offset = pick(clusterIPBand(ranges), deps, (o) => storage.get(CLUSTER_IP_RECORDS, numberToIp(ranges.clusterIPs.base + o)) === undefined);
        if (offset === undefined) throw internalError("failed to allocate a serviceIP: range is full");
        ip = numberToIp(ranges.clusterIPs.base + offset);
      }
      record(CLUSTER_IP_RECORDS, ip);
      out.clusterIP = ip;
    }
    // Ports with the same number (TCP and UDP of one service port) share one node port, as upstream.
    const byPort = new Map<number, number>();
    for (const p of req.nodePorts) if (p.nodePort) byPort.set(p.port, p.nodePort);
    for (const p of req.nodePorts) {
      let np = p.nodePort || byPort.get(p.port);
      if (!np) {
        const offset = pick(nodePortBand(ranges), deps, (o) => !asked.has(ranges.nodePorts.min + o) && storage.get(NODE_PORT_RECORDS, String(ranges.nodePorts.min + o)) === undefined);
        if (offset === undefined) throw internalError("failed to allocate a nodePort: range is full");
        np = ranges.nodePorts.min + offset;
        asked.add(np);
        byPort.set(p.port, np);
      }
      record(NODE_PORT_RECORDS, String(np));
      out.nodePorts[p.index] = np;
    }
    return out;
  } catch (e) {
    for (const [resource, name] of written) storage.delete(resource, name);
    throw e;
  }
}

/** A free offset: random in the high band then probing upwards, then the low band; undefined when full. */
function pick(band: Band, deps: AllocatorDeps, free: (offset: number) => boolean): number | undefined {
  const random = deps.random ?? Math.random;
  const scan = (from: number, to: number): number | undefined => {
    if (from > to) return undefined;
    const span = to - from + 1;
    const start = Math.floor(random() * span);
    for (let i = 0; i < span; i++) {
      const o = from + ((start + i) % span);
      if (free(o)) return o;
    }
    return undefined;
  };
  return scan(band.dynamicFrom, band.last) ?? scan(band.first, band.dynamicFrom - 1);
}

/** Frees those of `values` the Service `uid` holds and does not `keep`. Returns how many. */
export function release(storage: Storage, uid: string, keep: HeldAddresses, values: HeldAddresses): number {
  let freed = 0;
  const drop = (resource: string, name: string) => {
    const rec = storage.get(resource, name) as AddressRecord | undefined;
    if (rec?.owner.uid !== uid) return;
    storage.delete(resource, name);
    freed++;
  };
  const keepIPs = new Set(keep.clusterIPs);
  const keepPorts = new Set(keep.nodePorts);
  for (const ip of values.clusterIPs) if (!keepIPs.has(ip)) drop(CLUSTER_IP_RECORDS, ip);
  for (const p of values.nodePorts) if (!keepPorts.has(p)) drop(NODE_PORT_RECORDS, String(p));
  return freed;
}

export interface HeldRecord {
  resource: typeof CLUSTER_IP_RECORDS | typeof NODE_PORT_RECORDS;
  value: string;
  owner: AddressOwner;
  allocatedAt: number;
}

/** Every record (the repair's input). */
export function records(storage: Storage): HeldRecord[] {
  const out: HeldRecord[] = [];
  for (const resource of [CLUSTER_IP_RECORDS, NODE_PORT_RECORDS] as const) {
    for (const o of storage.list(resource).items as AddressRecord[]) out.push({ resource, value: o.metadata.name!, owner: o.owner, allocatedAt: o.allocatedAt });
  }
  return out;
}
