// core/v1 Service: upstream's SetDefaults_Service plus the registry's ipFamilyPolicy default,
// ValidateService's port, type and clusterIP rules, and the update strategy's carrying over of
// allocated values. Allocation itself (ranges, duplicates) is src/registry/service-addresses.
import { z } from "zod";
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { ConditionSchema, IntOrStringSchema, StringMap, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import type { AllocatedAddresses } from "../../../registry/requests.js";
import { ipToNumber } from "../../../lib/ipv4.js";
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, validateLabels, validatePortNumOrName } from "../../validation.js";

export const ServicePortSchema = goType(
  z.object({
    name: z.string().optional().describe("A DNS_LABEL; required when the service has more than one port."),
    protocol: z.string().default("TCP").describe("TCP, UDP or SCTP. Defaults to TCP."),
    appProtocol: z.string().optional(),
    port: int32().default(0).describe("The port exposed by this service."),
    targetPort: IntOrStringSchema.optional().describe("Number or name of the port on the pods. Defaults to port."),
    nodePort: int32().optional().describe("Port on each node for NodePort or LoadBalancer services."),
  }),
  "ServicePort",
);

export const ServiceSpecSchema = goType(
  z.object({
    ports: z.array(ServicePortSchema).optional().describe("The ports exposed by this service."),
    selector: StringMap().optional().describe("Routes traffic to pods with labels matching this selector."),
    clusterIP: z.string().optional().describe("IP address of the service, allocated by the server; None for headless."),
    clusterIPs: z.array(z.string()).optional(),
    type: z.string().default("ClusterIP").describe("ClusterIP, NodePort, LoadBalancer or ExternalName. Defaults to ClusterIP."),
    externalIPs: z.array(z.string()).optional(),
    sessionAffinity: z.string().default("None").describe("ClientIP or None. Defaults to None."),
    loadBalancerIP: z.string().optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalName: z.string().optional().describe("DNS name returned for ExternalName services."),
    externalTrafficPolicy: z.string().optional(),
    healthCheckNodePort: int32().optional(),
    publishNotReadyAddresses: z.boolean().optional(),
    sessionAffinityConfig: goType(
      z.object({ clientIP: goType(z.object({ timeoutSeconds: int32().optional() }), "ClientIPConfig").optional() }),
      "SessionAffinityConfig",
    ).optional(),
    ipFamilies: z.array(z.string()).optional(),
    ipFamilyPolicy: z.string().optional().describe("SingleStack, PreferDualStack or RequireDualStack."),
    allocateLoadBalancerNodePorts: z.boolean().optional(),
    loadBalancerClass: z.string().optional(),
    internalTrafficPolicy: z.string().optional().describe("Cluster or Local. Defaults to Cluster."),
    trafficDistribution: z.string().optional(),
  }),
  "ServiceSpec",
);

export const ServiceSchema = goType(
  z.object({
    ...typeMeta,
    spec: ServiceSpecSchema.prefault({}).describe("Behavior of the service."),
    status: goType(
      z.object({
        loadBalancer: goType(z.object({ ingress: z.array(z.looseObject({})).optional() }), "LoadBalancerStatus").optional(),
        conditions: z.array(ConditionSchema).optional(),
      }),
      "ServiceStatus",
    ).optional(),
  }).describe("Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy."),
  "Service",
);
export type Service = z.infer<typeof ServiceSchema>;

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

export function applyServiceDefaults(svc: Service): void {
  const s = svc.spec;
  for (const p of s.ports ?? []) if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  if (s.sessionAffinity === "ClientIP") {
    s.sessionAffinityConfig ??= {};
    s.sessionAffinityConfig.clientIP ??= {};
    s.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ||= "Cluster";
  if (s.type === "LoadBalancer") s.allocateLoadBalancerNodePorts ??= true;
  if (s.type !== "ExternalName") {
    s.internalTrafficPolicy ||= "Cluster";
    s.ipFamilyPolicy ||= "SingleStack";
    // clusterIPs follows clusterIP (SetDefaults_Service); the range is IPv4 only.
    if (!s.clusterIPs?.length && s.clusterIP) s.clusterIPs = [s.clusterIP];
    if (s.clusterIP && !s.ipFamilies?.length) s.ipFamilies = ["IPv4"];
  }
}

export function validateService(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const s = svc.spec;
  const headless = s.clusterIP === "None";
  if (!serviceTypes.includes(s.type)) errs.push(notSupported("spec.type", s.type, serviceTypes));
  if (s.type === "ExternalName") {
    if (!s.externalName) errs.push(required("spec.externalName", ""));
    else for (const m of isDNS1123Subdomain(s.externalName.replace(/\.$/, ""))) errs.push(invalid("spec.externalName", s.externalName, m));
  } else if ((s.ports ?? []).length === 0 && !headless) {
    errs.push(required("spec.ports", ""));
  }
  const names = new Set<string>();
  const multi = (s.ports ?? []).length > 1;
  (s.ports ?? []).forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (multi && !p.name) errs.push(required(`${pp}.name`, ""));
    else if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(invalid(`${pp}.name`, p.name, m));
      if (names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(invalid(`${pp}.port`, p.port, m));
    if (!["SCTP", "TCP", "UDP"].includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"]));
    errs.push(...validatePortNumOrName(p.targetPort, `${pp}.targetPort`));
    if (p.nodePort && s.type === "ClusterIP") errs.push(forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    else if (p.nodePort && s.type === "ExternalName") errs.push(forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ExternalName'"));
  });
  if (!["ClientIP", "None"].includes(s.sessionAffinity)) errs.push(notSupported("spec.sessionAffinity", s.sessionAffinity, ["ClientIP", "None"]));
  if (s.ipFamilyPolicy && !["PreferDualStack", "RequireDualStack", "SingleStack"].includes(s.ipFamilyPolicy)) {
    errs.push(notSupported("spec.ipFamilyPolicy", s.ipFamilyPolicy, ["PreferDualStack", "RequireDualStack", "SingleStack"]));
  }
  if (s.internalTrafficPolicy && !["Cluster", "Local"].includes(s.internalTrafficPolicy)) {
    errs.push(notSupported("spec.internalTrafficPolicy", s.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  if (s.externalTrafficPolicy && !["Cluster", "Local"].includes(s.externalTrafficPolicy)) {
    errs.push(notSupported("spec.externalTrafficPolicy", s.externalTrafficPolicy, ["Cluster", "Local"]));
  }
  errs.push(...validateLabels(s.selector, "spec.selector"));
  errs.push(...validateClusterIPs(s));
  return errs;
}


/** ValidateService's clusterIP rules (IPv4 only: edgeplane's service range is single-stack). */
function validateClusterIPs(s: Service["spec"]): FieldError[] {
  const errs: FieldError[] = [];
  const ips = s.clusterIPs ?? [];
  if (s.type === "ExternalName") {
    if (s.clusterIP || ips.length) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    return errs;
  }
  if (s.clusterIP && ips.length && ips[0] !== s.clusterIP) errs.push(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
  if (ips.length > 1) errs.push(invalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
  const first = s.clusterIP || ips[0];
  if (!first) return errs;
  if (first === "None") {
    if (s.type === "NodePort" || s.type === "LoadBalancer") errs.push(invalid("spec.clusterIPs[0]", first, `may not be set to 'None' for ${s.type} services`));
  } else if (ipToNumber(first) === undefined) {
    errs.push(invalid("spec.clusterIPs[0]", first, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }
  return errs;
}

/** Writes reserved values into the Service (clusterIP, clusterIPs, ipFamilies, nodePorts by index). */
export function applyServiceAddresses(svc: Service, a: AllocatedAddresses): void {
  const s = svc.spec;
  if (a.clusterIP) {
    s.clusterIP = a.clusterIP;
    s.clusterIPs = [a.clusterIP];
    s.ipFamilies = ["IPv4"];
  }
  for (const [i, np] of Object.entries(a.nodePorts)) {
    const p = s.ports?.[Number(i)];
    if (p) p.nodePort = np;
  }
}

/** Every type but ExternalName has a cluster IP (or is headless). */
export const needsClusterIP = (svc: Service): boolean => svc.spec.type !== "ExternalName";
/** NodePort, and LoadBalancer unless allocateLoadBalancerNodePorts is false. */
export const needsNodePort = (svc: Service): boolean => svc.spec.type === "NodePort" || (svc.spec.type === "LoadBalancer" && svc.spec.allocateLoadBalancerNodePorts !== false);

/**
 * The update strategy (upstream's dropTypeDependentFields and patchAllocatedValues): a type
 * change drops the values the new type does not use, unless the request changed them; values
 * the request left out (kubectl apply, replace) are carried over from the stored Service.
 */
export function prepareServiceForUpdate(svc: Service, old: Service): void {
  const s = svc.spec;
  const o = old.spec;
  const sameIPs = (s.clusterIP ?? "") === (o.clusterIP ?? "") && JSON.stringify(s.clusterIPs ?? []) === JSON.stringify(o.clusterIPs ?? []);
  if (s.type !== o.type) {
    if (needsClusterIP(old) && !needsClusterIP(svc) && sameIPs) {
      delete s.clusterIP;
      delete s.clusterIPs;
      delete s.ipFamilies;
      delete s.ipFamilyPolicy;
    }
    const sameNodePorts = (s.ports ?? []).length === (o.ports ?? []).length && (s.ports ?? []).every((p, i) => p.nodePort === o.ports?.[i]?.nodePort);
    if (needsNodePort(old) && !needsNodePort(svc) && sameNodePorts) for (const p of s.ports ?? []) delete p.nodePort;
  }
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!s.clusterIP && o.clusterIP) s.clusterIP = o.clusterIP;
    if (!s.clusterIPs?.length && o.clusterIPs?.length) s.clusterIPs = [...o.clusterIPs];
    if (!s.ipFamilies?.length && o.ipFamilies?.length) s.ipFamilies = [...o.ipFamilies];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const inNew = new Set((s.ports ?? []).map((p) => p.nodePort).filter(Boolean));
    const byName = new Map((o.ports ?? []).map((p) => [p.name ?? "", p.nodePort]));
    for (const p of s.ports ?? []) {
      const was = byName.get(p.name ?? "");
      if (!p.nodePort && was && !inNew.has(was)) p.nodePort = was;
    }
  }
}

export const serviceDef: KindDef<Service> = {
  group: "",
  version: "v1",
  kind: "Service",
  listKind: "ServiceList",
  plural: "services",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  nameRule: "dns1035Label",
  schema: ServiceSchema,
  applyDefaults: applyServiceDefaults,
  prepareForUpdate: prepareServiceForUpdate,
  applyAllocated: applyServiceAddresses,
  validate: (svc) => validateService(svc),
  validateUpdate(svc, old) {
    if (old.spec.clusterIP && svc.spec.clusterIP && old.spec.clusterIP !== svc.spec.clusterIP && old.spec.type !== "ExternalName") {
      return [invalid("spec.clusterIPs[0]", svc.spec.clusterIP, "may not change once set")];
    }
    return [];
  },
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  extraSubresources: ["proxy"],
  specKeys: ["spec"],
};
