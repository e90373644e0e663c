// Node IPAM through the API: a Node created without spec.podCIDR gets the next free block of
// CLUSTER_CIDR in the create's own transaction, so nodes registering at once never share one.
import { describe, expect, it } from "vitest";
import { post } from "./helpers.js";

const node = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec });

describe("node pod CIDRs", () => {
  it("gives each new node its own /24, concurrently, and keeps one the node brings", async () => {
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => post("/api/v1/nodes", node(`ipam-${i}`))));
    for (const r of created) expect(r.status, r.text).toBe(201);
    const cidrs = created.map((r) => r.body.spec.podCIDR as string);
    expect(new Set(cidrs).size).toBe(12);
    for (const [i, r] of created.entries()) {
      expect(cidrs[i]).toMatch(/^10\.24[4-7]\.\d{1,3}\.0\/24$/);
      expect(r.body.spec.podCIDRs).toEqual([cidrs[i]]);
    }
    const own = await post("/api/v1/nodes", node("ipam-own", { podCIDR: "192.168.50.0/24", podCIDRs: ["192.168.50.0/24"] }));
    expect(own.body.spec.podCIDR).toBe("192.168.50.0/24");
  });
});
