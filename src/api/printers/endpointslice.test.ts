import { describe, expect, it } from "vitest";
import { D, ago, cell, kubectlHeaders, one } from "./test-helpers.js";

type Obj = Record<string, unknown>;
const G = "discovery.k8s.io";

const slice = (extra: Obj = {}): Obj => ({
  apiVersion: `${G}/v1`,
  kind: "EndpointSlice",
  metadata: { name: "web-abc12", namespace: "default", creationTimestamp: ago(2 * D) },
  addressType: "IPv4",
  endpoints: [],
  ...extra,
});
const eps = (...ips: string[][]) => ips.map((addresses) => ({ addresses }));

describe("endpointslices", () => {
  it("have kubectl's headers, the same with -o wide", () => {
    const t = one(G, "EndpointSlice", slice());
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
  });

  it("print an empty (placeholder) slice as <unset>", () => {
    expect(one(G, "EndpointSlice", slice()).rows[0].cells).toEqual(["web-abc12", "IPv4", "<unset>", "<unset>", "2d"]);
    expect(one(G, "EndpointSlice", slice({ ports: null, endpoints: null })).rows[0].cells).toEqual(["web-abc12", "IPv4", "<unset>", "<unset>", "2d"]);
  });

  it("print ports: numbers, a name when there is no number, * with neither; three then + N more...", () => {
    expect(cell(G, "EndpointSlice", slice({ ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] }), "PORTS")).toBe("80,443");
    expect(cell(G, "EndpointSlice", slice({ ports: [{ name: "all" }, {}] }), "PORTS")).toBe("all,*");
    const five = [1, 2, 3, 4, 5].map((n) => ({ name: `p${n}`, port: 8000 + n }));
    expect(cell(G, "EndpointSlice", slice({ ports: five }), "PORTS")).toBe("8001,8002,8003 + 2 more...");
  });

  it("print endpoints: every address counts, three then + N more...", () => {
    expect(cell(G, "EndpointSlice", slice({ endpoints: eps(["10.244.0.5"], ["10.244.0.6"]) }), "ENDPOINTS")).toBe("10.244.0.5,10.244.0.6");
    expect(cell(G, "EndpointSlice", slice({ endpoints: eps(["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"]) }), "ENDPOINTS")).toBe("10.0.0.1,10.0.0.2,10.0.0.3");
    expect(cell(G, "EndpointSlice", slice({ endpoints: eps(["10.0.0.1", "10.0.0.2"], ["10.0.0.3", "10.0.0.4"], ["10.0.0.5"]) }), "ENDPOINTS")).toBe("10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...");
    expect(cell(G, "EndpointSlice", slice({ addressType: "FQDN", endpoints: eps(["db.example.com"]) }), "ENDPOINTS")).toBe("db.example.com");
  });
});
