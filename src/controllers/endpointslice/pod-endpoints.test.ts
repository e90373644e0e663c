import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import { newMemoryStore } from "../../storage/memory.js";
import { GenericStore } from "../../registry/generic-store.js";
import { findKind } from "../../apis/index.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { StoreContext } from "../controller.js";
import { findPort, podEndpointsChanged, rfc3339Nano, selectorOf } from "./pod-endpoints.js";
import { ServiceSelectorIndex, servicesForPodEvent } from "./service-index.js";
import { T0, pod, service } from "./testing.js";

describe("pod endpoints", () => {
  it("findPort: numbers as is, names by container port name and protocol, sidecars too", () => {
    const p = pod("a", { ports: [{ name: "web", containerPort: 8080 }, { name: "dns", containerPort: 53, protocol: "UDP" }], sidecarPorts: [{ name: "proxy", containerPort: 15001 }] });
    expect(findPort(p, { port: 80, targetPort: 9000, protocol: "TCP" })).toBe(9000);
    expect(findPort(p, { port: 80, targetPort: "web", protocol: "TCP" })).toBe(8080);
    expect(findPort(p, { port: 53, targetPort: "dns", protocol: "TCP" })).toBeUndefined();
    expect(findPort(p, { port: 53, targetPort: "dns", protocol: "UDP" })).toBe(53);
    expect(findPort(p, { port: 80, targetPort: "proxy", protocol: "TCP" })).toBe(15001);
    expect(findPort(p, { port: 80, targetPort: "nope", protocol: "TCP" })).toBeUndefined();
  });

  it("podEndpointsChanged: readiness, IPs, deletion and phase change the endpoint; labels change membership", () => {
    const a = pod("a");
    expect(podEndpointsChanged(a, pod("a"))).toEqual({ podChanged: false, labelsChanged: false });
    expect(podEndpointsChanged(a, pod("a", { ready: false })).podChanged).toBe(true);
    expect(podEndpointsChanged(a, pod("a", { ip: "10.0.0.9" })).podChanged).toBe(true);
    expect(podEndpointsChanged(a, pod("a", { deleting: true })).podChanged).toBe(true);
    expect(podEndpointsChanged(a, pod("a", { phase: "Succeeded" })).podChanged).toBe(true);
    expect(podEndpointsChanged(a, pod("a", { labels: { app: "x" } }))).toEqual({ podChanged: false, labelsChanged: true });
  });

  it("selectorOf treats an empty selector as none; rfc3339Nano trims zero fractions", () => {
    expect(selectorOf(service("x", { selector: {} }))).toBeUndefined();
    expect(selectorOf(service("x", { selector: null }))).toBeUndefined();
    expect(rfc3339Nano(T0)).toBe("2025-01-01T00:00:00Z");
    expect(rfc3339Nano(T0 + 120)).toBe("2025-01-01T00:00:00.12Z");
  });
});

describe("Services a pod write concerns", () => {
  const store = new GenericStore(newMemoryStore(), "default");
  const SERVICES = findKind("", "v1", "services")!;
  const ctx: StoreContext = { namespace: "default", store, list: (def) => (store.list(def, {}) as unknown as { items: KubeObject[] }).items, now: () => T0 };
  store.create(SERVICES, { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
  store.create(SERVICES, { metadata: { name: "all-web" }, spec: { selector: { tier: "fe" }, ports: [{ port: 80 }] } });
  store.create(SERVICES, { metadata: { name: "manual" }, spec: { ports: [{ port: 80 }] } });
  const index = new ServiceSelectorIndex();
  const ev = (type: StoredEvent["type"], object: unknown, prev?: unknown): StoredEvent => ({ revision: 9, type, resource: "pods", name: "a", object: object as KubeObject, prev: prev as KubeObject | undefined });
  const withRv = (p: ReturnType<typeof pod>, rv: string) => ({ ...p, metadata: { ...p.metadata, resourceVersion: rv } });

  it("maps adds and deletes to the selecting Services, updates only when an endpoint or membership changes", () => {
    const a = pod("a", { labels: { app: "web", tier: "fe" } });
    expect(servicesForPodEvent(index, ev("ADDED", a), ctx).sort()).toEqual(["all-web", "web"]);
    expect(servicesForPodEvent(index, ev("DELETED", a), ctx).sort()).toEqual(["all-web", "web"]);
    expect(servicesForPodEvent(index, ev("MODIFIED", withRv(a, "2"), a), ctx)).toEqual([]);
    expect(servicesForPodEvent(index, ev("MODIFIED", withRv(pod("a", { labels: { app: "web", tier: "fe" }, ready: false }), "2"), a), ctx).sort()).toEqual(["all-web", "web"]);
    // Only a label change: the Services it joined or left.
    expect(servicesForPodEvent(index, ev("MODIFIED", withRv(pod("a", { labels: { app: "web" } }), "2"), a), ctx)).toEqual(["all-web"]);
  });

  it("keeps its Service index current from Service events", () => {
    const svc = { metadata: { name: "new", namespace: "default" }, spec: { selector: { app: "web" } } };
    index.observe({ revision: 10, type: "ADDED", resource: "services", name: "new", object: svc as unknown as KubeObject }, ctx);
    expect(index.selecting(ctx, { app: "web" }).sort()).toEqual(["new", "web"]);
    expect(index.hasSelector(ctx, "manual")).toBe(false);
    index.observe({ revision: 11, type: "DELETED", resource: "services", name: "new", object: svc as unknown as KubeObject }, ctx);
    expect(index.selecting(ctx, { app: "web" })).toEqual(["web"]);
  });
});
