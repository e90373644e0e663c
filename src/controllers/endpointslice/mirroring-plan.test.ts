import { describe, expect, it } from "vitest";
import { planMirroring, shouldMirror } from "./mirroring-plan.js";
import { endpoints, stored } from "./testing.js";

const ext = (subsets: unknown, extra = {}) => endpoints("ext", subsets, extra);

describe("EndpointSlice mirroring plan", () => {
  it("mirrors a user's Endpoints: one slice per subset, ready and not-ready addresses, labels and annotations", () => {
    const ep = ext(
      [{ addresses: [{ ip: "192.0.2.2" }, { ip: "192.0.2.1", hostname: "one", nodeName: "n1" }], notReadyAddresses: [{ ip: "192.0.2.3" }], ports: [{ name: "https", port: 443 }] }],
      { labels: { team: "a" }, annotations: { note: "x", "endpoints.kubernetes.io/last-change-trigger-time": "2025-01-01T00:00:00Z" } },
    );
    const plan = planMirroring(ep, []);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toEqual([
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          generateName: "ext-",
          namespace: "default",
          labels: { team: "a", "kubernetes.io/service-name": "ext", "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io" },
          annotations: { note: "x" },
          ownerReferences: [{ apiVersion: "v1", kind: "Endpoints", name: "ext", uid: "ext-ep-uid", controller: true, blockOwnerDeletion: true }],
        },
        addressType: "IPv4",
        endpoints: [
          { addresses: ["192.0.2.1"], conditions: { ready: true }, nodeName: "n1", hostname: "one" },
          { addresses: ["192.0.2.2"], conditions: { ready: true } },
          { addresses: ["192.0.2.3"], conditions: { ready: false } },
        ],
        ports: [{ name: "https", port: 443, protocol: "TCP" }],
      },
    ]);
  });

  it("writes nothing when the slice is current, updates it in place when the Endpoints change, deletes it when emptied", () => {
    const ep = ext([{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 443 }] }]);
    const existing = [stored(planMirroring(ep, []).create[0], "ext-abc12")];
    expect(planMirroring(ep, existing)).toMatchObject({ create: [], update: [], delete: [] });
    const changed = planMirroring(ext([{ addresses: [{ ip: "192.0.2.1" }, { ip: "192.0.2.9" }], ports: [{ port: 443 }] }]), existing);
    expect(changed.create).toEqual([]);
    expect(changed.update.map((s) => [s.metadata.name, s.metadata.resourceVersion, s.endpoints.length])).toEqual([["ext-abc12", "5", 2]]);
    const relabelled = planMirroring(ext([{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 443 }] }], { labels: { x: "y" } }), existing);
    expect(relabelled.update).toHaveLength(1);
    expect(planMirroring(ext([]), existing).delete.map((s) => s.metadata.name)).toEqual(["ext-abc12"]);
    // A new port set takes over the old slice's name rather than creating and deleting.
    const moved = planMirroring(ext([{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 8443 }] }]), existing);
    expect(moved.create).toEqual([]);
    expect(moved.delete).toEqual([]);
    expect(moved.update.map((s) => [s.metadata.name, s.ports])).toEqual([["ext-abc12", [{ name: "", port: 8443, protocol: "TCP" }]]]);
  });

  it("splits address families, skips invalid IPs and addresses beyond the per-subset maximum", () => {
    const plan = planMirroring(ext([{ addresses: [{ ip: "192.0.2.1" }, { ip: "2001:db8::1" }, { ip: "not-an-ip" }], ports: [{ port: 80 }] }]), []);
    expect(plan.create.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses[0])])).toEqual([
      ["IPv4", ["192.0.2.1"]],
      ["IPv6", ["2001:db8::1"]],
    ]);
    expect(plan.invalidAddresses).toBe(1);
    expect(plan.skippedAddresses).toBe(1);
    const capped = planMirroring(ext([{ addresses: [{ ip: "192.0.2.1" }, { ip: "192.0.2.2" }, { ip: "192.0.2.3" }] }]), [], 2);
    expect(capped.create[0].endpoints).toHaveLength(2);
    expect(capped.skippedAddresses).toBe(1);
  });

  it("does not mirror skip-mirror or leader-election Endpoints", () => {
    expect(shouldMirror(ext([]))).toBe(true);
    expect(shouldMirror(ext([], { labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }))).toBe(false);
    expect(shouldMirror(ext([], { annotations: { "control-plane.alpha.kubernetes.io/leader": "{}" } }))).toBe(false);
  });
});
