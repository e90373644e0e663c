import { describe, expect, it } from "vitest";
import type { EndpointSlice } from "../../apis/discovery/v1/endpointslice.js";
import { endpointSlicePrefix, newEndpointSlice } from "./desired.js";
import { type SlicePlan, planSlices } from "./plan.js";
import { T0, pod, service, stored } from "./testing.js";

const web = service("web", { labels: { team: "a" } });
const ips = (s: EndpointSlice) => s.endpoints.map((e) => e.addresses[0]);
const pods = (n: number, from = 0) => Array.from({ length: n }, (_, i) => pod(`p${String(from + i).padStart(4, "0")}`, { ip: `10.244.${(from + i) >> 8}.${((from + i) & 255) + 1}` }));
/** Stores a plan's creations and updates, as the API would, giving created slices a name. */
function apply(existing: EndpointSlice[], plan: SlicePlan): EndpointSlice[] {
  const out = new Map(existing.map((s) => [s.metadata.name!, s]));
  for (const s of plan.delete) out.delete(s.metadata.name!);
  for (const s of plan.update) out.set(s.metadata.name!, stored(s, s.metadata.name!, String(Number(s.metadata.resourceVersion ?? 0) + 1)));
  plan.create.forEach((s, i) => out.set(`web-new${out.size}${i}`, stored(s, `web-new${out.size}${i}`)));
  return [...out.values()];
}

describe("EndpointSlice plan", () => {
  it("creates one slice with the Service's labels, owner, ports and each pod's endpoint", () => {
    const plan = planSlices({ service: web, pods: [pod("a", { ip: "10.244.0.5" }), pod("b", { ip: "10.244.0.6", ready: false }), pod("c", { ip: "10.244.0.7", deleting: true })], existing: [], triggerTime: T0 });
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(1);
    const [slice] = plan.create;
    expect(slice.metadata).toEqual({
      generateName: "web-",
      namespace: "default",
      labels: { team: "a", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" },
      annotations: { "endpoints.kubernetes.io/last-change-trigger-time": "2025-01-01T00:00:00Z" },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: "web-uid", controller: true, blockOwnerDeletion: true }],
    });
    expect(slice.addressType).toBe("IPv4");
    expect(slice.ports).toEqual([{ name: "", port: 8080, protocol: "TCP" }]);
    expect(slice.endpoints).toEqual([
      { addresses: ["10.244.0.5"], conditions: { ready: true, serving: true, terminating: false }, nodeName: "n1", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: "a-uid" } },
      { addresses: ["10.244.0.6"], conditions: { ready: false, serving: false, terminating: false }, nodeName: "n1", targetRef: { kind: "Pod", namespace: "default", name: "b", uid: "b-uid" } },
      // Terminating pods stay, not ready but still serving while their Ready condition holds.
      { addresses: ["10.244.0.7"], conditions: { ready: false, serving: true, terminating: true }, nodeName: "n1", targetRef: { kind: "Pod", namespace: "default", name: "c", uid: "c-uid" } },
    ]);
  });

  it("keeps a placeholder slice with no ports and no endpoints when nothing is selected, and does not rewrite it", () => {
    const plan = planSlices({ service: web, pods: [], existing: [], triggerTime: undefined });
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0].endpoints).toEqual([]);
    expect(plan.create[0].ports).toEqual([]);
    const existing = apply([], plan);
    expect(planSlices({ service: web, pods: [], existing, triggerTime: undefined })).toEqual({ create: [], update: [], delete: [] });
    // The first pod turns the placeholder into the real slice, under the same name.
    const next = planSlices({ service: web, pods: [pod("a", { ip: "10.244.0.5" })], existing, triggerTime: undefined });
    expect(next.create).toEqual([]);
    expect(next.delete).toEqual([]);
    expect(next.update.map((s) => [s.metadata.name, s.metadata.resourceVersion, ips(s), s.ports])).toEqual([[existing[0].metadata.name, "5", ["10.244.0.5"], [{ name: "", port: 8080, protocol: "TCP" }]]]);
  });

  it("writes nothing when nothing changed, and updates the slice holding a pod whose readiness changed", () => {
    const ps = [pod("a", { ip: "10.244.0.5" }), pod("b", { ip: "10.244.0.6" })];
    const existing = apply([], planSlices({ service: web, pods: ps, existing: [], triggerTime: undefined }));
    expect(planSlices({ service: web, pods: ps, existing, triggerTime: undefined })).toEqual({ create: [], update: [], delete: [] });
    const plan = planSlices({ service: web, pods: [ps[0], pod("b", { ip: "10.244.0.6", ready: false })], existing, triggerTime: T0 + 1000 });
    expect(plan.create).toEqual([]);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0].metadata.name).toBe(existing[0].metadata.name);
    expect(plan.update[0].endpoints[1].conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(plan.update[0].metadata.annotations).toEqual({ "endpoints.kubernetes.io/last-change-trigger-time": "2025-01-01T00:00:01Z" });
  });

  it("holds at most 100 endpoints per slice; a removal updates the slice in place, extra slices go", () => {
    let existing = apply([], planSlices({ service: web, pods: pods(250), existing: [], triggerTime: undefined }));
    expect(existing.map((s) => s.endpoints.length).sort()).toEqual([100, 100, 50]);
    // Remove 60 pods from the first hundred: that slice is updated in place, nothing is created.
    const remaining = [...pods(40), ...pods(150, 100)];
    const plan = planSlices({ service: web, pods: remaining, existing, triggerTime: undefined });
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((s) => s.endpoints.length)).toEqual([40]);
    existing = apply(existing, plan);
    // Down to 30 pods, all from the last slice: the other two are deleted.
    const down = planSlices({ service: web, pods: pods(30, 200), existing, triggerTime: undefined });
    expect(down.create).toEqual([]);
    expect(down.delete).toHaveLength(2);
    expect(down.update.map((s) => s.endpoints.length)).toEqual([30]);
  });

  it("puts pods whose named port resolves differently into different slices", () => {
    const svc = service("web", { ports: [{ name: "http", port: 80, targetPort: "web" }] });
    const ps = [pod("a", { ip: "10.244.0.5", ports: [{ name: "web", containerPort: 8080 }] }), pod("b", { ip: "10.244.0.6", ports: [{ name: "web", containerPort: 9090 }] }), pod("c", { ip: "10.244.0.7" })];
    const plan = planSlices({ service: svc, pods: ps, existing: [], triggerTime: undefined });
    const byPorts = Object.fromEntries(plan.create.map((s) => [JSON.stringify(s.ports), ips(s)]));
    expect(byPorts).toEqual({
      [JSON.stringify([{ name: "http", port: 8080, protocol: "TCP" }])]: ["10.244.0.5"],
      [JSON.stringify([{ name: "http", port: 9090, protocol: "TCP" }])]: ["10.244.0.6"],
      // A pod without the port still has an endpoint, in a slice without ports.
      "[]": ["10.244.0.7"],
    });
  });

  it("deletes slices of an earlier Service of the same name and of address types the Service lost, reusing their names", () => {
    const old = stored(newEndpointSlice(service("web", { uid: "old-uid" }), [], "IPv4"), "web-old");
    const plan = planSlices({ service: web, pods: [pod("a", { ip: "10.244.0.5" })], existing: [old], triggerTime: undefined });
    expect(plan.delete.map((s) => s.metadata.name)).toEqual(["web-old"]);
    expect(plan.create).toHaveLength(1);
    const v6 = stored({ ...newEndpointSlice(web, [], "IPv6") }, "web-v6");
    const p2 = planSlices({ service: web, pods: [], existing: [v6], triggerTime: undefined });
    expect(p2.delete.map((s) => s.metadata.name)).toEqual(["web-v6"]);
    expect(p2.create.map((s) => s.addressType)).toEqual(["IPv4"]);
  });

  it("follows the Service's labels, hostname for its subdomain, and publishNotReadyAddresses", () => {
    const existing = apply([], planSlices({ service: web, pods: [pod("a", { ip: "10.244.0.5" })], existing: [], triggerTime: undefined }));
    const relabelled = planSlices({ service: service("web", { labels: { team: "b" } }), pods: [pod("a", { ip: "10.244.0.5" })], existing, triggerTime: undefined });
    expect(relabelled.update[0].metadata.labels?.team).toBe("b");
    const headless = service("db", { clusterIP: "None", selector: { app: "db" }, publishNotReadyAddresses: true });
    const [slice] = planSlices({ service: headless, pods: [pod("db-0", { ip: "10.244.1.1", labels: { app: "db" }, hostname: "db-0", subdomain: "db", ready: false })], existing: [], triggerTime: undefined }).create.filter((s) => s.addressType === "IPv4");
    expect(slice.metadata.labels?.["service.kubernetes.io/headless"]).toBe("");
    expect(slice.endpoints[0]).toMatchObject({ hostname: "db-0", conditions: { ready: true, serving: false, terminating: false } });
  });

  it("names slices <service>- unless that is not a valid prefix", () => {
    expect(endpointSlicePrefix("web")).toBe("web-");
    expect(endpointSlicePrefix("a".repeat(253))).toBe("a".repeat(253));
  });
});
