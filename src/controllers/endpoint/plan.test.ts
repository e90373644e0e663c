import { describe, expect, it } from "vitest";
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import { T0, endpoints, pod, service } from "../endpointslice/testing.js";
import { type EndpointsAction, MAX_CAPACITY, OVER_CAPACITY_ANNOTATION, desiredSubsets, planEndpoints, truncateSubsets } from "./plan.js";

const ref = (name: string) => ({ kind: "Pod", namespace: "default", name, uid: `${name}-uid` });
const addr = (name: string, ip: string, extra: Record<string, unknown> = {}) => ({ ip, nodeName: "n1", targetRef: ref(name), ...extra });
const written = (a: EndpointsAction): Endpoints => {
  if (a.type !== "create" && a.type !== "update") throw new Error(`expected a write, got ${a.type}`);
  return a.endpoints;
};
/** The stored form of a planned object, to feed back as `current`. */
const store = (ep: Endpoints) => endpoints(ep.metadata.name!, ep.subsets, { labels: ep.metadata.labels, annotations: ep.metadata.annotations });

describe("Endpoints plan", () => {
  const web = service("web", { selector: { app: "web" }, labels: { team: "a" } });

  it("creates the Service's Endpoints: ready pods in addresses, others in notReadyAddresses, the Service's labels", () => {
    const pods = [pod("b", { ip: "10.244.0.6" }), pod("a", { ip: "10.244.0.5" }), pod("c", { ip: "10.244.0.7", ready: false })];
    const ep = written(planEndpoints({ service: web, pods, current: undefined, triggerTime: T0 }));
    expect(ep.metadata).toEqual({ name: "web", labels: { team: "a" }, annotations: { "endpoints.kubernetes.io/last-change-trigger-time": "2025-01-01T00:00:00Z" } });
    expect(ep.subsets).toEqual([{ addresses: [addr("a", "10.244.0.5"), addr("b", "10.244.0.6")], notReadyAddresses: [addr("c", "10.244.0.7")], ports: [{ port: 8080, protocol: "TCP" }] }]);
  });

  it("leaves out pods without an IP, terminal pods, terminating pods and pods the selector does not match", () => {
    const pods = [
      pod("noip", { ip: null }),
      pod("done", { ip: "10.244.0.2", phase: "Succeeded" }),
      pod("failed", { ip: "10.244.0.3", phase: "Failed" }),
      pod("going", { ip: "10.244.0.4", deleting: true }),
      pod("other", { ip: "10.244.0.5", labels: { app: "other" } }),
      pod("ok", { ip: "10.244.0.6" }),
    ];
    expect(desiredSubsets(web, pods)).toEqual([{ addresses: [addr("ok", "10.244.0.6")], ports: [{ port: 8080, protocol: "TCP" }] }]);
  });

  it("publishNotReadyAddresses: every pod in addresses, terminating ones too", () => {
    const svc = service("web", { publishNotReadyAddresses: true });
    const pods = [pod("a", { ip: "10.244.0.5", ready: false }), pod("b", { ip: "10.244.0.6", deleting: true })];
    expect(desiredSubsets(svc, pods)).toEqual([{ addresses: [addr("a", "10.244.0.5"), addr("b", "10.244.0.6")], ports: [{ port: 8080, protocol: "TCP" }] }]);
  });

  it("resolves a named targetPort per pod, leaving out a pod that lacks it for that port only", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, targetPort: "web" }, { name: "metrics", port: 9090, targetPort: 9090 }] });
    const pods = [
      pod("a", { ip: "10.244.0.5", ports: [{ name: "web", containerPort: 8080 }] }),
      pod("b", { ip: "10.244.0.6", ports: [{ name: "web", containerPort: 8081 }] }),
      pod("c", { ip: "10.244.0.7" }),
      pod("d", { ip: "10.244.0.8", ports: [{ name: "web", containerPort: 8080, protocol: "UDP" }] }),
      pod("e", { ip: "10.244.0.9", sidecarPorts: [{ name: "web", containerPort: 8080 }] }),
    ];
    const subsets = desiredSubsets(svc, pods);
    const metrics = { name: "metrics", port: 9090, protocol: "TCP" };
    expect(subsets).toHaveLength(3);
    expect(subsets).toContainEqual({ addresses: [addr("a", "10.244.0.5"), addr("e", "10.244.0.9")], ports: [{ name: "http", port: 8080, protocol: "TCP" }] });
    expect(subsets).toContainEqual({ addresses: [addr("b", "10.244.0.6")], ports: [{ name: "http", port: 8081, protocol: "TCP" }] });
    const all = subsets.find((s) => s.ports?.some((p) => p.name === "metrics"))!;
    expect(all).toEqual({ addresses: ["a", "b", "c", "d", "e"].map((n, i) => addr(n, `10.244.0.${5 + i}`)), ports: [metrics] });
  });

  it("sets the hostname for pods in the Service's subdomain; headless Services get the headless label and may have no ports", () => {
    const svc = service("db", { clusterIP: "None", ports: [], selector: { app: "db" } });
    const pods = [pod("db-0", { ip: "10.244.1.1", labels: { app: "db" }, hostname: "db-0", subdomain: "db" }), pod("x", { ip: "10.244.1.2", labels: { app: "db" }, hostname: "x", subdomain: "other" })];
    const ep = written(planEndpoints({ service: svc, pods, current: undefined, triggerTime: undefined }));
    expect(ep.metadata.labels).toEqual({ "service.kubernetes.io/headless": "" });
    expect(ep.metadata.annotations).toBeUndefined();
    expect(ep.subsets).toEqual([{ addresses: [addr("db-0", "10.244.1.1", { hostname: "db-0" }), addr("x", "10.244.1.2")] }]);
  });

  it("writes nothing when nothing changed, and updates in place (resourceVersion kept) when a pod turns ready", () => {
    const pods = [pod("a", { ip: "10.244.0.5", ready: false })];
    const current = store(written(planEndpoints({ service: web, pods, current: undefined, triggerTime: T0 })));
    expect(planEndpoints({ service: web, pods, current, triggerTime: undefined })).toEqual({ type: "none" });
    const next = planEndpoints({ service: web, pods: [pod("a", { ip: "10.244.0.5", ready: true })], current, triggerTime: T0 + 5000 });
    expect(next.type).toBe("update");
    expect(written(next).metadata.resourceVersion).toBe("3");
    expect(written(next).subsets![0].addresses).toEqual([addr("a", "10.244.0.5")]);
    expect(written(next).metadata.annotations).toEqual({ "endpoints.kubernetes.io/last-change-trigger-time": "2025-01-01T00:00:05Z" });
    // A Service label change is an update too; a pod's resourceVersion in the targetRef is not.
    expect(planEndpoints({ service: service("web", { labels: { team: "b" } }), pods, current, triggerTime: undefined }).type).toBe("update");
    const withRv = endpoints("web", [{ notReadyAddresses: [{ ...addr("a", "10.244.0.5"), targetRef: { ...ref("a"), resourceVersion: "77" } }], ports: [{ port: 8080, protocol: "TCP" }] }], { labels: { team: "a" } });
    expect(planEndpoints({ service: web, pods, current: withRv, triggerTime: undefined })).toEqual({ type: "none" });
  });

  it("never touches the Endpoints of a selectorless or ExternalName Service; deletes those of a deleted Service", () => {
    const manual = endpoints("ext", [{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 443 }] }]);
    expect(planEndpoints({ service: service("ext", { selector: null }), pods: [], current: manual, triggerTime: undefined })).toEqual({ type: "none" });
    expect(planEndpoints({ service: service("ext", { selector: {} }), pods: [], current: manual, triggerTime: undefined })).toEqual({ type: "none" });
    expect(planEndpoints({ service: service("ext", { type: "ExternalName" }), pods: [], current: undefined, triggerTime: undefined })).toEqual({ type: "none" });
    expect(planEndpoints({ service: undefined, pods: [], current: manual, triggerTime: undefined })).toEqual({ type: "delete", name: "ext", uid: "ext-ep-uid" });
    expect(planEndpoints({ service: undefined, pods: [], current: undefined, triggerTime: undefined })).toEqual({ type: "none" });
  });

  it("an empty Service has Endpoints without subsets", () => {
    expect(written(planEndpoints({ service: web, pods: [], current: undefined, triggerTime: undefined })).subsets).toBeUndefined();
  });

  it("truncates to 1000 addresses, ready ones first, and says so", () => {
    const subsets = [{ addresses: Array.from({ length: 900 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}` })), notReadyAddresses: Array.from({ length: 300 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}` })) }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets[0].addresses.length + subsets[0].notReadyAddresses.length).toBe(MAX_CAPACITY);
    expect(subsets[0].addresses).toHaveLength(900);
    const many = Array.from({ length: 1001 }, (_, i) => pod(`p${i}`, { ip: `10.2.${i >> 8}.${(i & 255) || 1}` }));
    const ep = written(planEndpoints({ service: web, pods: many, current: undefined, triggerTime: undefined }));
    expect(ep.metadata.annotations).toEqual({ [OVER_CAPACITY_ANNOTATION]: "truncated" });
    expect(ep.subsets![0].addresses).toHaveLength(MAX_CAPACITY);
    expect(planEndpoints({ service: web, pods: many, current: store(ep), triggerTime: undefined })).toEqual({ type: "none" });
  });
});
