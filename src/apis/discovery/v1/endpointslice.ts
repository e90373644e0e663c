// discovery.k8s.io/v1 EndpointSlice: the network endpoints behind a Service, written by the
// EndpointSlice controllers and read by the agent's service proxy and cluster DNS. Defaults and
// validation are upstream's SetDefaults_EndpointPort and ValidateEndpointSlice(Update).
import { z } from "zod";
import { type FieldError, duplicate, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { ObjectReferenceSchema, StringMap, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateLabels } from "../../validation.js";
import { validateEndpointIP, validateFullyQualifiedDomainName, validateIPv4Address, validateIPv6Address } from "./addresses.js";

export const EndpointConditionsSchema = goType(
  z.object({
    ready: z.boolean().optional().describe("The endpoint is ready to receive traffic (nil means unknown; treat as ready)."),
    serving: z.boolean().optional().describe("Like ready, but also true for terminating endpoints that are still ready."),
    terminating: z.boolean().optional().describe("The endpoint is terminating."),
  }),
  "EndpointConditions",
);

export const ForZoneSchema = goType(z.object({ name: z.string().default("").describe("name represents the name of the zone.") }), "ForZone");

export const EndpointHintsSchema = goType(
  z.object({ forZones: z.array(ForZoneSchema).optional().describe("forZones indicates the zone(s) this endpoint should be consumed by to enable topology aware routing.") }),
  "EndpointHints",
);

export const EndpointSchema = goType(
  z.object({
    addresses: z.array(z.string()).default([]).describe("Addresses of this endpoint, interpreted by the slice's addressType."),
    conditions: EndpointConditionsSchema.optional(),
    hostname: z.string().optional().describe("Hostname of this endpoint (DNS_LABEL); used by DNS for headless services."),
    targetRef: ObjectReferenceSchema.optional().describe("Reference to the object providing the endpoint (a Pod)."),
    deprecatedTopology: StringMap().optional(),
    nodeName: z.string().optional().describe("Name of the Node hosting this endpoint."),
    zone: z.string().optional(),
    hints: EndpointHintsSchema.optional(),
  }),
  "Endpoint",
);

export const EndpointPortSchema = goType(
  z.object({
    name: z.string().optional().describe("The port's name: the Service port's name, or empty."),
    protocol: z.string().optional().describe("TCP, UDP or SCTP. Defaults to TCP."),
    port: int32().optional().describe("The port number of the endpoint; unset means all ports."),
    appProtocol: z.string().optional(),
  }),
  "EndpointPort",
);

export const EndpointSliceSchema = goType(
  z
    .object({
      ...typeMeta,
      addressType: z.string().default("").describe("IPv4, IPv6 or FQDN. Immutable."),
      endpoints: z.array(EndpointSchema).default([]).describe("Unique endpoints of this slice (at most 1000)."),
      ports: z.array(EndpointPortSchema).optional().describe("Network ports exposed by each endpoint of this slice (at most 100)."),
    })
    .describe("EndpointSlice represents a subset of the endpoints that implement a service."),
  "EndpointSlice",
);
export type EndpointSlice = z.infer<typeof EndpointSliceSchema>;
export type Endpoint = z.infer<typeof EndpointSchema>;
export type EndpointSlicePort = z.infer<typeof EndpointPortSchema>;

/** The label naming the Service a slice belongs to. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
/** The label naming the controller that manages a slice. */
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

export const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
export const MAX_ENDPOINTS = 1000;
export const MAX_ADDRESSES = 100;
export const MAX_PORTS = 100;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

/** field.TooMany as upstream renders it: `Too many: 1001: must have at most 1000 items`. */
function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: "FieldValueTooMany", field, badValue: actual, detail: `${actual}: must have at most ${max} ${max === 1 ? "item" : "items"}` };
}

/** SetDefaults_EndpointPort: an unnamed port has name "", and protocol TCP. */
export function applyEndpointSliceDefaults(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    p.name ??= "";
    p.protocol ??= "TCP";
  }
}

function validateAddresses(addresses: string[], addressType: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (addresses.length === 0) errs.push(required(path, "must contain at least 1 address"));
  else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(path, addresses.length, MAX_ADDRESSES));
  addresses.forEach((address, i) => {
    const p = `${path}[${i}]`;
    // Unknown address types fall through unvalidated (addressType reports them).
    if (addressType === "IPv4" || addressType === "IPv6") {
      const ipErrs = addressType === "IPv4" ? validateIPv4Address(p, address) : validateIPv6Address(p, address);
      errs.push(...(ipErrs.length ? ipErrs : validateEndpointIP(address, p)));
    } else if (addressType === "FQDN") {
      errs.push(...validateFullyQualifiedDomainName(p, address));
    }
  });
  return errs;
}

function validateEndpoints(endpoints: Endpoint[], addressType: string): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany("endpoints", endpoints.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    errs.push(...validateAddresses(ep.addresses, addressType, `${p}.addresses`));
    if (ep.nodeName !== undefined) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(`${p}.nodeName`, ep.nodeName, m));
    const topology = ep.deprecatedTopology ?? {};
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(`${p}.deprecatedTopology`, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    errs.push(...validateLabels(topology, `${p}.deprecatedTopology`));
    if (ep.hostname !== undefined) for (const m of isDNS1123Label(ep.hostname)) errs.push(invalid(`${p}.hostname`, ep.hostname, m));
    const zones = ep.hints?.forZones ?? [];
    if (zones.length > MAX_ZONE_HINTS) {
      errs.push(tooMany(`${p}.hints.forZones`, zones.length, MAX_ZONE_HINTS));
    } else {
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const zp = `${p}.hints.forZones[${j}].name`;
        if (seen.has(z.name)) errs.push(duplicate(zp, z.name));
        seen.add(z.name);
        for (const m of isValidLabelValue(z.name)) errs.push(invalid(zp, z.name, m));
      });
    }
  });
  return errs;
}

function validatePorts(ports: EndpointSlicePort[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany("ports", ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? "";
    if (name.length > 0) for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    if (port.protocol === undefined) errs.push(required(`${p}.protocol`, ""));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    if (port.appProtocol !== undefined) for (const m of isQualifiedName(port.appProtocol)) errs.push(invalid(`${p}.appProtocol`, port.appProtocol, m));
  });
  return errs;
}

/** ValidateEndpointSlice without the ObjectMeta part (the registry checks that for every kind). */
export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  if (slice.addressType === "") errs.push(required("addressType", ""));
  else if (!ADDRESS_TYPES.includes(slice.addressType)) errs.push(notSupported("addressType", slice.addressType, ADDRESS_TYPES));
  errs.push(...validateEndpoints(slice.endpoints, slice.addressType));
  errs.push(...validatePorts(slice.ports ?? []));
  return errs;
}

export const endpointSliceDef: KindDef<EndpointSlice> = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  listKind: "EndpointSliceList",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  shortNames: [],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: EndpointSliceSchema,
  applyDefaults: applyEndpointSliceDefaults,
  validate: (slice) => validateEndpointSlice(slice),
  validateUpdate(slice, old) {
    return slice.addressType === old.addressType ? [] : [invalid("addressType", slice.addressType, "field is immutable")];
  },
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};
