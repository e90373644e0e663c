import { describe, expect, it } from "vitest";
import { type EndpointSubset, repackSubsets } from "./repack.js";

const a = (ip: string, uid = `${ip}-uid`) => ({ ip, targetRef: { kind: "Pod", name: ip, uid } });
const p = (port: number, name?: string) => ({ port, protocol: "TCP", ...(name ? { name } : {}) });

describe("repackSubsets", () => {
  it("puts addresses offering the same ports in one subset, sorted by IP", () => {
    const input: EndpointSubset[] = [
      { addresses: [a("10.0.0.2")], ports: [p(80)] },
      { addresses: [a("10.0.0.1")], ports: [p(80)] },
      { notReadyAddresses: [a("10.0.0.3")], ports: [p(80)] },
    ];
    expect(repackSubsets(input)).toEqual([{ addresses: [a("10.0.0.1"), a("10.0.0.2")], notReadyAddresses: [a("10.0.0.3")], ports: [p(80)] }]);
  });

  it("splits addresses by the port sets they offer and merges ports offered by the same addresses", () => {
    const input: EndpointSubset[] = [
      { addresses: [a("10.0.0.1")], ports: [p(80, "http")] },
      { addresses: [a("10.0.0.1")], ports: [p(443, "https")] },
      { addresses: [a("10.0.0.2")], ports: [p(80, "http")] },
    ];
    const out = repackSubsets(input);
    expect(out).toHaveLength(2);
    expect(out).toContainEqual({ addresses: [a("10.0.0.1"), a("10.0.0.2")], ports: [p(80, "http")] });
    expect(out).toContainEqual({ addresses: [a("10.0.0.1")], ports: [p(443, "https")] });
  });

  it("lets not-ready win over ready for the same address and port, and tells equal IPs apart by target uid", () => {
    expect(repackSubsets([{ addresses: [a("10.0.0.1")], ports: [p(80)] }, { notReadyAddresses: [a("10.0.0.1")], ports: [p(80)] }])).toEqual([{ notReadyAddresses: [a("10.0.0.1")], ports: [p(80)] }]);
    const twins = repackSubsets([{ addresses: [a("10.0.0.1", "b")] , ports: [p(80)] }, { addresses: [a("10.0.0.1", "a")], ports: [p(80)] }]);
    expect(twins[0].addresses!.map((x) => x.targetRef!.uid)).toEqual(["a", "b"]);
  });

  it("keeps port-less addresses (headless Services) and gives the same answer whatever the input order", () => {
    expect(repackSubsets([{ addresses: [a("10.0.0.2")] }, { addresses: [a("10.0.0.1")] }])).toEqual([{ addresses: [a("10.0.0.1"), a("10.0.0.2")] }]);
    const x: EndpointSubset[] = [
      { addresses: [a("10.0.0.1")], ports: [p(80)] },
      { addresses: [a("10.0.0.2")], ports: [p(81)] },
      { notReadyAddresses: [a("10.0.0.3")], ports: [p(82)] },
    ];
    expect(repackSubsets([...x].reverse())).toEqual(repackSubsets(x));
    expect(repackSubsets([])).toEqual([]);
  });
});
