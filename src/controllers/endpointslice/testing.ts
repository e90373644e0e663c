// Fixtures for the Endpoints and EndpointSlice plan tests: Services and pods decoded and
// defaulted as the API would store them.
import { type Endpoints, EndpointsSchema } from "../../apis/core/v1/endpoints.js";
import { type Pod, PodSchema } from "../../apis/core/v1/pod.js";
import { type Service, ServiceSchema, applyServiceDefaults } from "../../apis/core/v1/service.js";
import { type EndpointSlice, EndpointSliceSchema, applyEndpointSliceDefaults } from "../../apis/discovery/v1/endpointslice.js";

export const T0 = Date.parse("2025-01-01T00:00:00Z");
export const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

export interface ServiceOptions {
  selector?: Record<string, string> | null;
  ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }>;
  clusterIP?: string;
  type?: string;
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  uid?: string;
}

export function service(name: string, o: ServiceOptions = {}): Service {
  const svc = ServiceSchema.parse({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", uid: o.uid ?? `${name}-uid`, creationTimestamp: at(T0), ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: name } }),
      ports: o.ports ?? [{ port: 80, targetPort: 8080 }],
      clusterIP: o.clusterIP ?? "10.96.0.10",
      ...(o.clusterIP === "None" ? {} : { ipFamilies: ["IPv4"] }),
      ...(o.type ? { type: o.type } : {}),
      ...(o.publishNotReadyAddresses !== undefined ? { publishNotReadyAddresses: o.publishNotReadyAddresses } : {}),
    },
  });
  applyServiceDefaults(svc);
  return svc;
}

export interface PodOptions {
  ip?: string | null;
  ready?: boolean;
  readySince?: number;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  deleting?: boolean;
  hostname?: string;
  subdomain?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  sidecarPorts?: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const ready = o.ready ?? true;
  return PodSchema.parse({
    metadata: {
      name,
      namespace: "default",
      uid: `${name}-uid`,
      resourceVersion: "1",
      labels: o.labels ?? { app: "web" },
      ...(o.deleting ? { deletionTimestamp: at(T0) } : {}),
    },
    spec: {
      nodeName: o.node ?? "n1",
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      containers: [{ name: "c", image: "nginx", ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.sidecarPorts ? { initContainers: [{ name: "side", image: "envoy", restartPolicy: "Always", ports: o.sidecarPorts }] } : {}),
    },
    status: {
      phase: o.phase ?? "Running",
      ...(o.ip === null ? {} : { podIP: o.ip ?? "10.244.0.1", podIPs: [{ ip: o.ip ?? "10.244.0.1" }] }),
      conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: at(o.readySince ?? T0) }],
    },
  });
}

/** A slice as the store returns it: named, with a uid and resourceVersion, defaults applied. */
export function stored(slice: EndpointSlice, name: string, rv = "5"): EndpointSlice {
  const s = EndpointSliceSchema.parse({ ...structuredClone(slice), metadata: { ...slice.metadata, name, uid: `${name}-uid`, resourceVersion: rv } });
  delete s.metadata.generateName;
  applyEndpointSliceDefaults(s);
  return s;
}

export function endpoints(name: string, subsets: unknown, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Endpoints {
  return EndpointsSchema.parse({ apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace: "default", uid: `${name}-ep-uid`, resourceVersion: "3", ...extra }, subsets });
}
