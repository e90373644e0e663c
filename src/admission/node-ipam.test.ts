import { describe, expect, it } from "vitest";
import { allocatePodCIDR, nextPodCIDR, parseCidr } from "./node-ipam.js";

const node = (name: string, podCIDR?: string) => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

describe("node IPAM", () => {
  it("hands out the lowest free /24 of the cluster CIDR", () => {
    expect(nextPodCIDR("10.244.0.0/14", 24, [])).toBe("10.244.0.0/24");
    expect(nextPodCIDR("10.244.0.0/14", 24, ["10.244.0.0/24", "10.244.2.0/24"])).toBe("10.244.1.0/24");
    // Past the third octet: block 256 of a /14 is 10.245.0.0/24.
    const used = Array.from({ length: 256 }, (_, i) => `10.244.${i}.0/24`);
    expect(nextPodCIDR("10.244.0.0/14", 24, used)).toBe("10.245.0.0/24");
  });

  it("answers undefined when the range is full or the CIDR is malformed", () => {
    expect(nextPodCIDR("10.0.0.0/23", 24, ["10.0.0.0/24", "10.0.1.0/24"])).toBeUndefined();
    expect(nextPodCIDR("10.0.0.0/33", 24, [])).toBeUndefined();
    expect(nextPodCIDR("10.0.0.0/24", 16, [])).toBeUndefined();
    expect(parseCidr("300.1.1.1/8")).toBeUndefined();
  });

  it("sets podCIDR and podCIDRs on a new node, and keeps one already set", () => {
    const fresh = node("c") as any;
    allocatePodCIDR(fresh, () => [node("a", "10.244.0.0/24"), node("b", "10.244.1.0/24")] as any);
    expect(fresh.spec).toEqual({ podCIDR: "10.244.2.0/24", podCIDRs: ["10.244.2.0/24"] });
    const own = node("d", "192.168.7.0/24") as any;
    allocatePodCIDR(own, () => [] as any);
    expect(own.spec.podCIDR).toBe("192.168.7.0/24");
  });
});

describe("CLUSTER_CIDR with host bits set", () => {
  it("is read as its network, as before", () => {
    expect(nextPodCIDR("10.244.1.0/14", 24, [])).toBe("10.244.0.0/24");
  });
});
