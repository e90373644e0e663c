import { describe, expect, it } from "vitest";
import { StatusError } from "../../lib/status.js";
import { LogStore } from "../../storage/log-store.js";
import { MemoryBackend } from "../../storage/memory.js";
import { CLUSTER_IP_RECORDS, NODE_PORT_RECORDS, records, release, reserve } from "./allocator.js";
import { repairServiceAddresses, REPAIR_GRACE_MS } from "./repair.js";
import { clusterIPBand, nodePortBand, serviceRanges } from "./ranges.js";

const owner = (uid: string) => ({ namespace: "ns", name: `svc-${uid}`, uid });

function setup(vars: { SERVICE_CLUSTER_IP_RANGE?: string; SERVICE_NODE_PORT_RANGE?: string } = {}, random = Math.random) {
  const storage = new LogStore(new MemoryBackend());
  let t = 1_000_000;
  const deps = { ranges: serviceRanges(vars), now: () => t, random };
  return { storage, deps, advance: (ms: number) => (t += ms), now: () => t };
}

function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e.status;
    throw e;
  }
  throw new Error("did not throw");
}

describe("ranges", () => {
  it("keep a low band for addresses asked for by value, as upstream", () => {
    const r = serviceRanges({});
    expect(clusterIPBand(r)).toEqual({ first: 1, last: 2 ** 20 - 2, dynamicFrom: 257 });
    expect(nodePortBand(r)).toEqual({ first: 0, last: 2767, dynamicFrom: 86 });
    const small = serviceRanges({ SERVICE_CLUSTER_IP_RANGE: "10.0.0.0/24", SERVICE_NODE_PORT_RANGE: "31000-31009" });
    expect(clusterIPBand(small)).toEqual({ first: 1, last: 254, dynamicFrom: 17 });
    expect(nodePortBand(small)).toEqual({ first: 0, last: 9, dynamicFrom: 9 });
  });
  it("fall back to the defaults on unreadable values", () => {
    const r = serviceRanges({ SERVICE_CLUSTER_IP_RANGE: "bogus", SERVICE_NODE_PORT_RANGE: "9-1" });
    expect(r.clusterIPs.prefix).toBe(12);
    expect(r.nodePorts).toEqual({ min: 30000, max: 32767 });
  });
});

describe("reserve", () => {
  it("hands out random addresses from the high band first, never the network or broadcast address", () => {
    const { storage, deps } = setup({ SERVICE_CLUSTER_IP_RANGE: "10.0.0.0/28" }, () => 0);
    const got = Array.from({ length: 14 }, (_, i) => reserve(storage, deps, { owner: owner(`u${i}`), clusterIP: "", nodePorts: [] }).clusterIP);
    // /28: 16 addresses, 14 usable; the low band (16 addresses) covers them all, so all come from it.
    expect(new Set(got).size).toBe(14);
    expect(got).not.toContain("10.0.0.0");
    expect(got).not.toContain("10.0.0.15");
    const full = statusOf(() => reserve(storage, deps, { owner: owner("x"), clusterIP: "", nodePorts: [] }));
    expect(full.code).toBe(500);
    expect(full.message).toBe("Internal error occurred: failed to allocate a serviceIP: range is full");
    expect(records(storage)).toHaveLength(14);
  });

  it("is all or nothing: a refused port leaves no address behind", () => {
    const { storage, deps } = setup();
    reserve(storage, deps, { owner: owner("a"), nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 30080 }] });
    const s = statusOf(() =>
      reserve(storage, deps, { owner: owner("b"), clusterIP: "", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }, { index: 1, port: 81, protocol: "TCP", nodePort: 30080 }] }),
    );
    expect(s.code).toBe(422);
    expect(s.message).toBe('Service "svc-b" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
    expect(records(storage).filter((r) => r.owner.uid === "b")).toEqual([]);
  });

  it("a dry run chooses and checks values and writes no record", () => {
    const { storage, deps } = setup();
    const r = reserve(storage, deps, { owner: owner("d"), clusterIP: "", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }], dryRun: true });
    expect(r.clusterIP).toMatch(/^10\./);
    expect(r.nodePorts[0]).toBeGreaterThanOrEqual(30000);
    expect(records(storage)).toEqual([]);
  });

  it("keeps what the same Service already holds and refuses it to others", () => {
    const { storage, deps } = setup();
    const first = reserve(storage, deps, { owner: owner("a"), clusterIP: "10.96.0.50", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }] });
    const again = reserve(storage, deps, { owner: owner("a"), clusterIP: "10.96.0.50", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: first.nodePorts[0] }] });
    expect(again).toEqual(first);
    expect(records(storage)).toHaveLength(2);
    expect(statusOf(() => reserve(storage, deps, { owner: owner("b"), clusterIP: "10.96.0.50", nodePorts: [] })).code).toBe(422);
  });

  it("allocates node ports from a small range until it is full", () => {
    const { storage, deps } = setup({ SERVICE_NODE_PORT_RANGE: "31000-31004" });
    const ports = Array.from({ length: 5 }, (_, i) => reserve(storage, deps, { owner: owner(`p${i}`), nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }] }).nodePorts[0]);
    expect([...ports].sort()).toEqual([31000, 31001, 31002, 31003, 31004]);
    const full = statusOf(() => reserve(storage, deps, { owner: owner("q"), nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }] }));
    expect(full.message).toBe("Internal error occurred: failed to allocate a nodePort: range is full");
  });
});

describe("release and repair", () => {
  it("release frees only the owner's values beyond what it keeps", () => {
    const { storage, deps } = setup();
    const a = reserve(storage, deps, { owner: owner("a"), clusterIP: "", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }] });
    reserve(storage, deps, { owner: owner("b"), clusterIP: "", nodePorts: [] });
    // b cannot free a's values.
    expect(release(storage, "b", { clusterIPs: [], nodePorts: [] }, { clusterIPs: [a.clusterIP!], nodePorts: [] })).toBe(0);
    // a keeps its address and gives back its node port.
    expect(release(storage, "a", { clusterIPs: [a.clusterIP!], nodePorts: [] }, { clusterIPs: [a.clusterIP!], nodePorts: [a.nodePorts[0]] })).toBe(1);
    expect(storage.get(NODE_PORT_RECORDS, String(a.nodePorts[0]))).toBeUndefined();
    expect(storage.get(CLUSTER_IP_RECORDS, a.clusterIP!)).toBeDefined();
  });

  it("repair frees records of Services that are gone or changed, after the grace period only", async () => {
    const { storage, deps, advance, now } = setup();
    const live = reserve(storage, deps, { owner: owner("live"), clusterIP: "", nodePorts: [{ index: 0, port: 80, protocol: "TCP", nodePort: 0 }] });
    const gone = reserve(storage, deps, { owner: owner("gone"), clusterIP: "", nodePorts: [] });
    const held = async () => ({ live: { clusterIPs: [live.clusterIP!], nodePorts: [] } });
    expect(await repairServiceAddresses(storage, held, now())).toEqual({ checked: 0, freed: 0 });
    advance(REPAIR_GRACE_MS);
    expect(await repairServiceAddresses(storage, held, now())).toEqual({ checked: 3, freed: 2 });
    expect(storage.get(CLUSTER_IP_RECORDS, gone.clusterIP!)).toBeUndefined();
    expect(storage.get(NODE_PORT_RECORDS, String(live.nodePorts[0]))).toBeUndefined();
    expect(storage.get(CLUSTER_IP_RECORDS, live.clusterIP!)).toBeDefined();
  });
});
