// The node's Lease as it is created and renewed.
import { describe, expect, it } from "vitest";
import { microTime, renewedLease } from "./node-lease.js";

const T0 = Date.parse("2026-01-02T15:04:05.123Z");

describe("node lease", () => {
  it("writes renewTime as a MicroTime", () => {
    expect(microTime(T0)).toBe("2026-01-02T15:04:05.123000Z");
  });

  it("is held by the node for 40 s and owned by its Node", () => {
    expect(renewedLease("n1", "uid-1", T0)).toEqual({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "n1", namespace: "kube-node-lease", ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-1" }] },
      spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: "2026-01-02T15:04:05.123000Z" },
    });
  });

  it("renews an existing lease keeping its resourceVersion and other owners, and replaces a stale Node owner", () => {
    const existing = {
      metadata: {
        name: "n1",
        namespace: "kube-node-lease",
        resourceVersion: "42",
        ownerReferences: [
          { apiVersion: "v1", kind: "Node", name: "n1", uid: "old-uid" },
          { apiVersion: "example.com/v1", kind: "Thing", name: "t", uid: "t-uid" },
        ],
      },
      spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: microTime(T0 - 10_000), leaseTransitions: 1 },
    };
    const next = renewedLease("n1", "new-uid", T0, existing);
    expect(next.metadata.resourceVersion).toBe("42");
    expect(next.metadata.ownerReferences).toEqual([
      { apiVersion: "example.com/v1", kind: "Thing", name: "t", uid: "t-uid" },
      { apiVersion: "v1", kind: "Node", name: "n1", uid: "new-uid" },
    ]);
    expect(next.spec).toEqual({ holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: microTime(T0), leaseTransitions: 1 });
  });
});
