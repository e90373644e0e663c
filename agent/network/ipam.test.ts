// Pod CIDRs and node addresses per node index, and pod addresses out of a pod CIDR.
import { describe, expect, it } from "vitest";
import { cidrContains, ipToNumber, numberToIp, parseCidr, PodIPAllocator } from "./ipam.js";
import { MAX_POD_CIDRS, podCIDRFor, simulatedNodeIP } from "./node-addresses.js";

describe("addresses", () => {
  it("converts between dotted quads and numbers", () => {
    expect(ipToNumber("10.244.1.2")).toBe(((10 * 256 + 244) * 256 + 1) * 256 + 2);
    expect(numberToIp(ipToNumber("255.255.255.255")!)).toBe("255.255.255.255");
    expect(ipToNumber("10.244.1")).toBeUndefined();
    expect(ipToNumber("10.244.1.256")).toBeUndefined();
  });

  it("parses network CIDRs only", () => {
    expect(parseCidr("10.244.3.0/24")).toEqual({ base: ipToNumber("10.244.3.0"), prefix: 24 });
    expect(parseCidr("10.244.3.1/24")).toBeUndefined();
    expect(parseCidr("10.244.3.0")).toBeUndefined();
    const c = parseCidr("10.244.3.0/24")!;
    expect(cidrContains(c, "10.244.3.200")).toBe(true);
    expect(cidrContains(c, "10.244.4.1")).toBe(false);
  });
});

describe("per node", () => {
  it("gives node i the /24 10.244.i.0 onwards, distinct for every index", () => {
    expect(podCIDRFor(0)).toBe("10.244.0.0/24");
    expect(podCIDRFor(3)).toBe("10.244.3.0/24");
    expect(podCIDRFor(256)).toBe("10.245.0.0/24");
    expect(podCIDRFor(999)).toBe("10.247.231.0/24");
    expect(podCIDRFor(MAX_POD_CIDRS - 1)).toBe("10.255.255.0/24");
    expect(() => podCIDRFor(MAX_POD_CIDRS)).toThrow(RangeError);
    expect(new Set(Array.from({ length: 1000 }, (_, i) => podCIDRFor(i))).size).toBe(1000);
  });

  it("gives simulated node i a made-up address in 10.200.0.0/16", () => {
    expect(simulatedNodeIP(0)).toBe("10.200.0.1");
    expect(simulatedNodeIP(254)).toBe("10.200.0.255");
    expect(simulatedNodeIP(255)).toBe("10.200.1.0");
    expect(new Set(Array.from({ length: 1000 }, (_, i) => simulatedNodeIP(i))).size).toBe(1000);
  });
});

describe("PodIPAllocator", () => {
  it("hands out .2 upwards, round-robin, never the network, bridge or broadcast address", () => {
    const a = new PodIPAllocator("10.244.1.0/29"); // .0 network, .1 bridge, .2–.6 pods, .7 broadcast
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual(["10.244.1.2", "10.244.1.3", "10.244.1.4"]);
    a.release("10.244.1.3");
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual(["10.244.1.5", "10.244.1.6", "10.244.1.3"]);
    expect(() => a.allocate()).toThrow(/no free pod address left in 10\.244\.1\.0\/29/);
    a.release("10.244.1.6");
    expect(a.allocate()).toBe("10.244.1.6");
  });

  it("refuses an invalid CIDR", () => {
    expect(() => new PodIPAllocator("10.244.1.1/24")).toThrow(/invalid pod CIDR/);
  });
});
