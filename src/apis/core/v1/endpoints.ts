// core/v1 Endpoints: written by the endpoints controller; no spec/status split.
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { ObjectReferenceSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isDNS1123Label, isValidPortNum } from "../../validation.js";

export const EndpointAddressSchema = goType(
  z.object({
    ip: z.string().default("").describe("IP of this endpoint."),
    hostname: z.string().optional(),
    nodeName: z.string().optional(),
    targetRef: ObjectReferenceSchema.optional().describe("Reference to the object providing the endpoint."),
  }),
  "EndpointAddress",
);

export const EndpointPortSchema = goType(
  z.object({
    name: z.string().optional(),
    port: int32().default(0),
    protocol: z.string().default("TCP"),
    appProtocol: z.string().optional(),
  }),
  "EndpointPort",
);

export const EndpointSubsetSchema = goType(
  z.object({
    addresses: z.array(EndpointAddressSchema).optional().describe("Ready addresses."),
    notReadyAddresses: z.array(EndpointAddressSchema).optional().describe("Addresses not yet ready."),
    ports: z.array(EndpointPortSchema).optional(),
  }),
  "EndpointSubset",
);

export const EndpointsSchema = goType(
  z
    .object({ ...typeMeta, subsets: z.array(EndpointSubsetSchema).optional().describe("The set of all endpoints, as address × port subsets.") })
    .describe("Endpoints is a collection of endpoints that implement the actual service."),
  "Endpoints",
);
export type Endpoints = z.infer<typeof EndpointsSchema>;

export const endpointsDef: KindDef<Endpoints> = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  listKind: "EndpointsList",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: EndpointsSchema,
  validate(ep) {
    const errs: FieldError[] = [];
    (ep.subsets ?? []).forEach((s, i) => {
      const p = `subsets[${i}]`;
      for (const k of ["addresses", "notReadyAddresses"] as const) {
        (s[k] ?? []).forEach((a, j) => {
          if (!a.ip) errs.push(required(`${p}.${k}[${j}].ip`, ""));
          if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalid(`${p}.${k}[${j}].hostname`, a.hostname, m));
        });
      }
      (s.ports ?? []).forEach((port, j) => {
        const pp = `${p}.ports[${j}]`;
        if (port.name) for (const m of isDNS1123Label(port.name)) errs.push(invalid(`${pp}.name`, port.name, m));
        for (const m of isValidPortNum(port.port)) errs.push(invalid(`${pp}.port`, port.port, m));
        if (!["SCTP", "TCP", "UDP"].includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, ["SCTP", "TCP", "UDP"]));
      });
    });
    return errs;
  },
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};
