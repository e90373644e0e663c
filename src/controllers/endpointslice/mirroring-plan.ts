// The EndpointSlice mirroring controller's decision for one selectorless Service (upstream's
// endpointslicemirroring reconciler): the user's Endpoints object, repacked, becomes one slice
// per subset and address family, ready addresses ready=true and not-ready ones ready=false, with
// the Endpoints' labels and annotations. At most 1000 addresses of a subset are mirrored; invalid
// IPs are skipped. Pure: the reconciler lists, writes and reports the skipped addresses.
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import { isIPv6String, parseIP } from "../../apis/discovery/v1/addresses.js";
import { type Endpoint, type EndpointSlice, type EndpointSlicePort, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from "../../apis/discovery/v1/endpointslice.js";
import { type EndpointAddress, type EndpointPort, repackSubsets } from "../endpoint/repack.js";
import { type AddressType, MIRRORING_CONTROLLER_NAME, controllerRef, endpointKey, endpointSlicePrefix, endpointsEqualBeyondKey, portMapKey } from "./desired.js";
import { TRIGGER_TIME_ANNOTATION, mapsEqual } from "./pod-endpoints.js";
import type { SlicePlan } from "./plan.js";

/** Upstream's --mirroring-max-endpoints-per-subset default. */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;
/** Endpoints with this label set to "true" are not mirrored. */
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
/** Endpoints used as a leader-election lock carry this annotation; they are not mirrored. */
export const LEADER_ELECTION_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

export interface MirroringPlan extends SlicePlan {
  /** Addresses that are not IPs, left out. */
  invalidAddresses: number;
  /** Addresses left out, invalid ones and those beyond the per-subset maximum. */
  skippedAddresses: number;
}

/** shouldMirror: not labelled skip-mirror, not a leader-election lock. */
export function shouldMirror(endpoints: Endpoints): boolean {
  return endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] !== "true" && endpoints.metadata.annotations?.[LEADER_ELECTION_ANNOTATION] === undefined;
}

const sliceKey = (addressType: string, ports: readonly EndpointSlicePort[] | undefined) => `${addressType}-${portMapKey(ports)}`;

/** epPortsToEpsPorts. */
function slicePorts(ports: readonly EndpointPort[] | undefined): EndpointSlicePort[] {
  return (ports ?? []).map((p) => {
    const out: EndpointSlicePort = { name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" };
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
}

/** addressToEndpoint. */
function addressToEndpoint(address: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.targetRef) ep.targetRef = structuredClone(address.targetRef);
  if (address.nodeName !== undefined) ep.nodeName = address.nodeName;
  if (address.hostname) ep.hostname = address.hostname;
  return ep;
}

/** The Endpoints' annotations a slice carries: all but the trigger time and kubectl's last-applied. */
function mirroredAnnotations(endpoints: Endpoints): Record<string, string> {
  const { [TRIGGER_TIME_ANNOTATION]: _t, [LAST_APPLIED_ANNOTATION]: _l, ...rest } = endpoints.metadata.annotations ?? {};
  return rest;
}

/** newEndpointSlice of the mirroring controller: owned by the Endpoints, its labels and annotations. */
function newMirroredSlice(endpoints: Endpoints, ports: EndpointSlicePort[], addressType: AddressType, name: string | undefined): EndpointSlice {
  const metadata: EndpointSlice["metadata"] = {
    namespace: endpoints.metadata.namespace,
    labels: { ...endpoints.metadata.labels, [SERVICE_NAME_LABEL]: endpoints.metadata.name ?? "", [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME },
    ownerReferences: [controllerRef(endpoints, "Endpoints")],
  };
  const annotations = mirroredAnnotations(endpoints);
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  if (name) metadata.name = name;
  else metadata.generateName = endpointSlicePrefix(endpoints.metadata.name ?? "");
  return { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata, addressType, endpoints: [], ports: structuredClone(ports) };
}

interface Desired {
  addressType: AddressType;
  ports: EndpointSlicePort[];
  endpoints: Map<string, Endpoint>;
}

export function planMirroring(endpoints: Endpoints, existing: readonly EndpointSlice[], maxPerSubset = MAX_ENDPOINTS_PER_SUBSET): MirroringPlan {
  const desired = new Map<string, Desired>();
  let invalidAddresses = 0;
  let skippedAddresses = 0;
  for (const subset of repackSubsets(endpoints.subsets ?? [])) {
    const ports = slicePorts(subset.ports);
    for (const addressType of ["IPv4", "IPv6"] as const) {
      const key = sliceKey(addressType, ports);
      if (!desired.has(key)) desired.set(key, { addressType, ports, endpoints: new Map() });
    }
    const all = [...(subset.addresses ?? []).map((a) => [a, true] as const), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as const)];
    let added = 0;
    for (const [address, ready] of all) {
      if (added >= maxPerSubset) break;
      if (!parseIP(address.ip)) {
        invalidAddresses++;
        continue;
      }
      const ep = addressToEndpoint(address, ready);
      desired.get(sliceKey(isIPv6String(address.ip) ? "IPv6" : "IPv4", ports))!.endpoints.set(endpointKey(ep), ep);
      added++;
    }
    skippedAddresses += all.length - added;
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = sliceKey(slice.addressType, slice.ports);
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), slice]);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  for (const [key, want] of desired) {
    const slices = existingByKey.get(key) ?? [];
    if (want.endpoints.size === 0) {
      plan.delete.push(...slices);
      continue;
    }
    const [first, ...rest] = slices;
    plan.delete.push(...rest);
    if (first && upToDate(first, want.endpoints, endpoints)) continue;
    const slice = newMirroredSlice(endpoints, want.ports, want.addressType, first?.metadata.name);
    if (first) slice.metadata.resourceVersion = first.metadata.resourceVersion;
    for (const ep of want.endpoints.values()) {
      if (slice.endpoints.length >= maxPerSubset) break;
      slice.endpoints.push(ep);
    }
    (first ? plan.update : plan.create).push(slice);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) plan.delete.push(...slices);
  recycle(plan);
  // Don't create slices for an Endpoints object being deleted.
  if (endpoints.metadata.deletionTimestamp) plan.create = [];
  return { ...plan, invalidAddresses, skippedAddresses };
}

/** totalChanges is zero, and the labels and annotations are the Endpoints' ones. */
function upToDate(slice: EndpointSlice, want: Map<string, Endpoint>, endpoints: Endpoints): boolean {
  let matches = 0;
  for (const ep of slice.endpoints) {
    const got = want.get(endpointKey(ep));
    if (!got || !endpointsEqualBeyondKey(got, ep)) return false;
    matches++;
  }
  if (matches !== want.size) return false;
  const { [MANAGED_BY_LABEL]: _m, [SERVICE_NAME_LABEL]: _s, ...labels } = slice.metadata.labels ?? {};
  return mapsEqual(labels, endpoints.metadata.labels) && mapsEqual(slice.metadata.annotations, mirroredAnnotations(endpoints));
}

/** recycleSlices: a slice to create takes the name of one to delete of the same address type. */
function recycle(plan: SlicePlan): void {
  for (let i = plan.delete.length - 1; i >= 0; i--) {
    const gone = plan.delete[i];
    const j = plan.create.findLastIndex((s) => s.addressType === gone.addressType);
    if (j < 0) continue;
    const [slice] = plan.create.splice(j, 1);
    delete slice.metadata.generateName;
    slice.metadata.name = gone.metadata.name;
    slice.metadata.resourceVersion = gone.metadata.resourceVersion;
    plan.update.push(slice);
    plan.delete.splice(i, 1);
  }
}
