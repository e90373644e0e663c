// upstream kube-proxy's rules for which service ports are served and which endpoints each gets.
import { describe, expect, it } from "vitest";
import type { Service } from "../../src/apis/core/v1/service.js";
import { SERVICE_NAME_LABEL, type Endpoint, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import { planServicePorts, type ServicePortPlan } from "./plan.js";

const NODE = "node-a";

function svc(name: string, spec: Partial<Service["spec"]> = {}, namespace = "default"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP: "10.96.0.10", ports: [{ name: "http", protocol: "TCP", port: 80 }], ...spec },
  } as Service;
}

function slice(service: string, endpoints: Array<Partial<Endpoint> & { ip: string }>, opts: { name?: string; namespace?: string; addressType?: string; ports?: EndpointSlice["ports"] } = {}): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: opts.name ?? `${service}-abc`, namespace: opts.namespace ?? "default", labels: { [SERVICE_NAME_LABEL]: service } },
    addressType: opts.addressType ?? "IPv4",
    endpoints: endpoints.map(({ ip, ...rest }) => ({ addresses: [ip], ...rest })),
    ports: opts.ports ?? [{ name: "http", protocol: "TCP", port: 8080 }],
  } as EndpointSlice;
}

const plan = (services: Service[], slices: EndpointSlice[]) => planServicePorts({ services, slices, nodeName: NODE });
const ips = (eps: ServicePortPlan["endpoints"]) => eps.map((e) => `${e.ip}:${e.port}`);

describe("planServicePorts: which service ports are served", () => {
  const cases: Array<{ name: string; service: Service; keys: string[]; skipped?: string[] }> = [
    { name: "a ClusterIP service port", service: svc("web"), keys: ["default/web:http/TCP"] },
    { name: "headless (clusterIP None)", service: svc("web", { clusterIP: "None" }), keys: [] },
    { name: "no ClusterIP yet", service: svc("web", { clusterIP: undefined }), keys: [] },
    { name: "ExternalName", service: svc("web", { type: "ExternalName", externalName: "example.com" }), keys: [] },
    { name: "SCTP is skipped with a reason", service: svc("web", { ports: [{ name: "s", protocol: "SCTP", port: 9 }] }), keys: [], skipped: ["default/web:s/SCTP"] },
    { name: "an IPv6 ClusterIP is skipped with a reason", service: svc("web", { clusterIP: "fd00::10" }), keys: [], skipped: ["default/web:http/TCP"] },
    {
      name: "each port, unnamed and UDP ones included",
      service: svc("dns", { ports: [{ protocol: "UDP", port: 53 }] }),
      keys: ["default/dns:/UDP"],
    },
    {
      name: "TCP and UDP on one port number are two service ports",
      service: svc("dns", { ports: [{ name: "dns", protocol: "UDP", port: 53 }, { name: "dns-tcp", protocol: "TCP", port: 53 }] }),
      keys: ["default/dns:dns-tcp/TCP", "default/dns:dns/UDP"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan([c.service], []);
      expect(p.ports.map((x) => x.key)).toEqual(c.keys);
      expect(p.skipped.map((s) => s.key)).toEqual(c.skipped ?? []);
    });
  }

  it("has a NodePort only for NodePort and LoadBalancer services that have one", () => {
    const p = plan(
      [
        svc("np", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] }),
        svc("lb", { type: "LoadBalancer", clusterIP: "10.96.0.11", ports: [{ name: "http", protocol: "TCP", port: 80 }] }),
        svc("cip", { clusterIP: "10.96.0.12", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30081 }] }),
      ],
      [],
    );
    expect(Object.fromEntries(p.ports.map((x) => [x.name, x.nodePort]))).toEqual({ np: 30080, lb: undefined, cip: undefined });
  });

  it("has ClientIP affinity with its timeout, 3 hours when unset", () => {
    const p = plan(
      [
        svc("a", { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
        svc("b", { sessionAffinity: "ClientIP" }),
        svc("c"),
      ],
      [],
    );
    expect(p.ports.map((x) => x.sessionAffinity)).toEqual([{ timeoutSeconds: 60 }, { timeoutSeconds: 10800 }, undefined]);
  });
});

describe("planServicePorts: endpoints", () => {
  const one = (service: Service, slices: EndpointSlice[]) => {
    const p = plan([service], slices);
    expect(p.ports).toHaveLength(1);
    return p.ports[0];
  };

  const cases: Array<{ name: string; slices: EndpointSlice[]; want: string[] }> = [
    { name: "ready and unknown-readiness endpoints", slices: [slice("web", [{ ip: "10.244.0.2", conditions: { ready: true } }, { ip: "10.244.0.3" }])], want: ["10.244.0.2:8080", "10.244.0.3:8080"] },
    { name: "not the not-ready ones", slices: [slice("web", [{ ip: "10.244.0.2", conditions: { ready: false } }, { ip: "10.244.0.3", conditions: { ready: true } }])], want: ["10.244.0.3:8080"] },
    {
      name: "serving terminating ones when none is ready",
      slices: [
        slice("web", [
          { ip: "10.244.0.2", conditions: { ready: false, serving: true, terminating: true } },
          { ip: "10.244.0.3", conditions: { ready: false, serving: false, terminating: true } },
          { ip: "10.244.0.4", conditions: { ready: false, serving: false, terminating: false } },
        ]),
      ],
      want: ["10.244.0.2:8080"],
    },
    { name: "a terminating one without a serving condition, which counts as serving", slices: [slice("web", [{ ip: "10.244.0.2", conditions: { ready: false, terminating: true } }])], want: ["10.244.0.2:8080"] },
    {
      name: "not terminating ones when one is ready",
      slices: [slice("web", [{ ip: "10.244.0.2", conditions: { ready: false, serving: true, terminating: true } }, { ip: "10.244.0.3", conditions: { ready: true } }])],
      want: ["10.244.0.3:8080"],
    },
    {
      name: "from every slice of the service, once each, sorted",
      slices: [slice("web", [{ ip: "10.244.1.9" }, { ip: "10.244.0.2" }], { name: "web-1" }), slice("web", [{ ip: "10.244.0.2" }, { ip: "10.244.0.10" }], { name: "web-2" })],
      want: ["10.244.0.2:8080", "10.244.0.10:8080", "10.244.1.9:8080"],
    },
    {
      name: "a ready copy of a duplicate wins",
      slices: [slice("web", [{ ip: "10.244.0.2", conditions: { ready: false } }], { name: "web-1" }), slice("web", [{ ip: "10.244.0.2", conditions: { ready: true } }], { name: "web-2" })],
      want: ["10.244.0.2:8080"],
    },
    { name: "not other services' slices", slices: [slice("other", [{ ip: "10.244.0.2" }])], want: [] },
    { name: "not slices of another namespace", slices: [slice("web", [{ ip: "10.244.0.2" }], { namespace: "kube-system" })], want: [] },
    { name: "not IPv6 or FQDN slices", slices: [slice("web", [{ ip: "fd00::2" }], { addressType: "IPv6" }), slice("web", [{ ip: "example.com" }], { name: "f", addressType: "FQDN" })], want: [] },
    { name: "the slice port with the service port's name", slices: [slice("web", [{ ip: "10.244.0.2" }], { ports: [{ name: "metrics", protocol: "TCP", port: 9090 }, { name: "http", protocol: "TCP", port: 8080 }] })], want: ["10.244.0.2:8080"] },
    { name: "not a slice port of another protocol", slices: [slice("web", [{ ip: "10.244.0.2" }], { ports: [{ name: "http", protocol: "UDP", port: 8080 }] })], want: [] },
    { name: "not a slice port without a number", slices: [slice("web", [{ ip: "10.244.0.2" }], { ports: [{ name: "http", protocol: "TCP" }] })], want: [] },
    { name: "an endpoint's first address only", slices: [slice("web", [{ ip: "10.244.0.2", addresses: ["10.244.0.2", "10.244.0.99"] } as never])], want: ["10.244.0.2:8080"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(ips(one(svc("web"), c.slices).endpoints)).toEqual(c.want);
    });
  }

  it("marks endpoints on this node local and keeps their nodeName", () => {
    const p = one(svc("web"), [slice("web", [{ ip: "10.244.0.2", nodeName: NODE }, { ip: "10.244.1.2", nodeName: "node-b" }, { ip: "10.244.2.2" }])]);
    expect(p.endpoints).toEqual([
      { ip: "10.244.0.2", port: 8080, nodeName: NODE, local: true },
      { ip: "10.244.1.2", port: 8080, nodeName: "node-b", local: false },
      { ip: "10.244.2.2", port: 8080, local: false },
    ]);
  });

  const mixed = () => [
    slice("web", [
      { ip: "10.244.0.2", nodeName: NODE, conditions: { ready: true } },
      { ip: "10.244.0.3", nodeName: NODE, conditions: { ready: false } },
      { ip: "10.244.1.2", nodeName: "node-b", conditions: { ready: true } },
    ]),
  ];
  const policyCases: Array<{ name: string; spec: Partial<Service["spec"]>; cluster: string[]; nodePort: string[] }> = [
    { name: "Cluster policies: every ready endpoint for both", spec: { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] }, cluster: ["10.244.0.2:8080", "10.244.1.2:8080"], nodePort: ["10.244.0.2:8080", "10.244.1.2:8080"] },
    {
      name: "internalTrafficPolicy Local: this node's for ClusterIP traffic only",
      spec: { type: "NodePort", internalTrafficPolicy: "Local", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] },
      cluster: ["10.244.0.2:8080"],
      nodePort: ["10.244.0.2:8080", "10.244.1.2:8080"],
    },
    {
      name: "externalTrafficPolicy Local: this node's for NodePort traffic only",
      spec: { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] },
      cluster: ["10.244.0.2:8080", "10.244.1.2:8080"],
      nodePort: ["10.244.0.2:8080"],
    },
    { name: "no NodePort endpoints without a NodePort", spec: { externalTrafficPolicy: "Local" }, cluster: ["10.244.0.2:8080", "10.244.1.2:8080"], nodePort: [] },
  ];
  for (const c of policyCases) {
    it(c.name, () => {
      const p = one(svc("web", c.spec), mixed());
      expect(ips(p.endpoints)).toEqual(c.cluster);
      expect(ips(p.nodePortEndpoints)).toEqual(c.nodePort);
    });
  }

  it("Local policy: none when this node has none, this node's serving terminating ones when none is ready", () => {
    const remoteOnly = [slice("web", [{ ip: "10.244.1.2", nodeName: "node-b" }])];
    expect(one(svc("web", { internalTrafficPolicy: "Local" }), remoteOnly).endpoints).toEqual([]);
    const terminating = [slice("web", [{ ip: "10.244.0.2", nodeName: NODE, conditions: { ready: false, serving: true, terminating: true } }, { ip: "10.244.1.2", nodeName: "node-b", conditions: { ready: true } }])];
    expect(ips(one(svc("web", { internalTrafficPolicy: "Local" }), terminating).endpoints)).toEqual(["10.244.0.2:8080"]);
  });
});
