// The pieces of an EndpointSlice the controller wants for a Service (upstream's utils.go of
// k8s.io/endpointslice): the address types, the endpoint of a pod, the ports it serves, the
// slice's labels and a new slice, and the keys that tell endpoints and port sets apart.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { isIPv6String } from "../../apis/discovery/v1/addresses.js";
import { type Endpoint, type EndpointSlice, type EndpointSlicePort, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from "../../apis/discovery/v1/endpointslice.js";
import { isDNS1123Subdomain } from "../../apis/validation.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import { byCanonicalJson } from "../endpoint/repack.js";
import { HEADLESS_LABEL, findPort, isPodReady, isServiceIPSet, mapsEqual, podIPs, shouldSetHostname } from "./pod-endpoints.js";

export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
export const MIRRORING_CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
/** Upstream's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type AddressType = "IPv4" | "IPv6";
export type OwnerReference = NonNullable<EndpointSlice["metadata"]["ownerReferences"]>[number];

/** getAddressTypesForService: the Service's IP families, else its ClusterIP's, else (headless) both. */
export function addressTypesForService(svc: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const f of svc.spec.ipFamilies ?? []) if (f === "IPv4" || f === "IPv6") types.add(f);
  if (types.size) return [...types];
  if (isServiceIPSet(svc)) return [isIPv6String(svc.spec.clusterIP ?? "") ? "IPv6" : "IPv4"];
  return ["IPv4", "IPv6"];
}

/** getEndpointPorts: one port per Service port the pod serves (a headless Service may have none). */
export function endpointPorts(svc: Service, pod: Pod): EndpointSlicePort[] {
  const out: EndpointSlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointSlicePort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return sortPorts(out);
}

/** NewPortMapKey sorts the ports in place; here by their canonical JSON (upstream: by a hash). */
export function sortPorts(ports: EndpointSlicePort[]): EndpointSlicePort[] {
  return ports.sort(byCanonicalJson);
}

/** The key of a port set: slices with the same key can hold the same endpoints. */
export function portMapKey(ports: readonly EndpointSlicePort[] | undefined): string {
  return canonicalJson(sortPorts((ports ?? []).map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP", appProtocol: p.appProtocol }))));
}

/** podToEndpoint. Ready: serving and not terminating, or always with publishNotReadyAddresses. */
export function podToEndpoint(pod: Pod, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6String(ip) === (addressType === "IPv6")),
    conditions: { ready, serving, terminating },
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** hashEndpoint: an endpoint is the same endpoint by addresses, hostname and target. */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? "", ep.targetRef?.namespace ?? "", ep.targetRef?.name ?? ""]);
}

/** EndpointsEqualBeyondHash: node, zone, conditions, hints and the full target agree. */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const c = (e: Endpoint) => canonicalJson([e.nodeName, e.zone, e.conditions?.ready, e.conditions?.serving, e.conditions?.terminating, e.hints, e.targetRef], { dropEmpty: true });
  return c(a) === c(b);
}

const RESERVED = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);
const withoutReserved = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !RESERVED.has(k)));

/**
 * setEndpointSliceLabels: the Service's labels (its reserved ones skipped), the headless label for
 * a Service without a ClusterIP, the service name and the manager; and whether the slice's own
 * non-reserved labels differ from the Service's.
 */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const svcLabels = withoutReserved(svc.metadata.labels);
  const changed = !mapsEqual(withoutReserved(slice?.metadata.labels), svcLabels);
  const labels: Record<string, string> = { ...svcLabels };
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? "";
  labels[MANAGED_BY_LABEL] = controllerName;
  return { labels, changed };
}

/** getEndpointSlicePrefix: `<service>-`, or the bare name when the dash would make it invalid. */
export function endpointSlicePrefix(name: string): string {
  const prefix = `${name}-`;
  const masked = prefix.length > 1 ? `${prefix.slice(0, -1)}a` : prefix;
  return isDNS1123Subdomain(masked).length ? name : prefix;
}

/** metav1.NewControllerRef. */
export function controllerRef(owner: { metadata: { name?: string; uid?: string } }, kind: string, apiVersion = "v1"): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** newEndpointSlice: an empty slice of the Service with these ports, named by the server. */
export function newEndpointSlice(svc: Service, ports: EndpointSlicePort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: endpointSlicePrefix(svc.metadata.name ?? ""),
      namespace: svc.metadata.namespace,
      labels: sliceLabels(undefined, svc, CONTROLLER_NAME).labels,
      ownerReferences: [controllerRef(svc, "Service")],
    },
    addressType,
    endpoints: [],
    ports: structuredClone(ports),
  };
}

/** ownedBy: an owner reference to this Service (same uid), not to an earlier one of the same name. */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid && r.kind === "Service" && r.apiVersion === "v1");
}
