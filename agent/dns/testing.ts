// Services and EndpointSlices for the cluster DNS tests, defaulted by their schemas as the apiserver would. Not used by the DNS server itself.
import { ServiceSchema, type Service } from "../../src/apis/core/v1/service.js";
import { EndpointSliceSchema, SERVICE_NAME_LABEL, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";

export function service(namespace: string, name: string, spec: Record<string, unknown>): Service {
  return ServiceSchema.parse({ apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec });
}

export interface EndpointInput {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

let sliceCount = 0;
export function slice(namespace: string, serviceName: string, endpoints: EndpointInput[], ports: { name?: string; port: number; protocol?: string }[] = [], addressType = "IPv4"): EndpointSlice {
  return EndpointSliceSchema.parse({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { namespace, name: `${serviceName}-${++sliceCount}`, labels: { [SERVICE_NAME_LABEL]: serviceName } },
    addressType,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], hostname: e.hostname, conditions: e.ready === undefined ? {} : { ready: e.ready } })),
    ports,
  });
}
