import { describe, expect, it } from "vitest";
import { D, ago, cell, kubectlHeaders, one } from "./test-helpers.js";

type Obj = Record<string, unknown>;

const svc = (spec: Obj, status: Obj = {}): Obj => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default", creationTimestamp: ago(3 * D) },
  spec,
  status,
});

describe("services", () => {
  it("have kubectl's headers", () => {
    const t = one("", "Service", svc({ type: "ClusterIP" }));
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]);
  });

  it("print a ClusterIP service", () => {
    const s = svc({
      type: "ClusterIP",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      selector: { app: "web" },
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: 8080 },
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
      ],
    });
    expect(one("", "Service", s).rows[0].cells).toEqual(["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "3d", "app=web"]);
  });

  it("print node ports and external IPs", () => {
    const s = svc({ type: "NodePort", clusterIP: "10.96.1.1", externalIPs: ["1.2.3.4", "5.6.7.8"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }] });
    expect(one("", "Service", s).rows[0].cells.slice(1, 5)).toEqual(["NodePort", "10.96.1.1", "1.2.3.4,5.6.7.8", "80:30080/TCP"]);
  });

  it("print LoadBalancer external IPs: <pending>, ingress IPs/hostnames, plus externalIPs", () => {
    const lb = { type: "LoadBalancer", clusterIP: "10.96.2.2", ports: [{ port: 443, nodePort: 31443, protocol: "TCP" }] };
    expect(cell("", "Service", svc(lb), "EXTERNAL-IP")).toBe("<pending>");
    expect(cell("", "Service", svc(lb, { loadBalancer: { ingress: [{ ip: "203.0.113.9" }, { hostname: "lb.example.com" }, { ip: "203.0.113.1" }] } }), "EXTERNAL-IP")).toBe(
      "203.0.113.1,203.0.113.9,lb.example.com",
    );
    expect(cell("", "Service", svc({ ...lb, externalIPs: ["1.1.1.1"] }, { loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } }), "EXTERNAL-IP")).toBe("203.0.113.9,1.1.1.1");
  });

  it("print headless and ExternalName services", () => {
    expect(one("", "Service", svc({ type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], ports: [{ port: 5432, protocol: "TCP" }] })).rows[0].cells.slice(2, 5)).toEqual([
      "None",
      "<none>",
      "5432/TCP",
    ]);
    expect(one("", "Service", svc({ type: "ExternalName", externalName: "db.example.com" })).rows[0].cells.slice(1, 7)).toEqual([
      "ExternalName",
      "<none>",
      "db.example.com",
      "<none>",
      "3d",
      "<none>",
    ]);
  });
});

describe("endpoints", () => {
  const ep = (subsets: unknown[] | undefined): Obj => ({
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "web", namespace: "default", creationTimestamp: ago(20 * D) },
    ...(subsets ? { subsets } : {}),
  });

  it("have kubectl's headers", () => {
    expect(kubectlHeaders(one("", "Endpoints", ep(undefined)).columnDefinitions)).toEqual(["NAME", "ENDPOINTS", "AGE"]);
    expect(kubectlHeaders(one("", "Endpoints", ep(undefined)).columnDefinitions, true)).toEqual(["NAME", "ENDPOINTS", "AGE"]);
  });

  it("print <none> without subsets", () => {
    expect(one("", "Endpoints", ep(undefined)).rows[0].cells).toEqual(["web", "<none>", "20d"]);
  });

  it("print ip:port pairs", () => {
    const e = ep([{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80, protocol: "TCP" }] }]);
    expect(cell("", "Endpoints", e, "ENDPOINTS")).toBe("10.0.0.1:80,10.0.0.2:80");
  });

  it("print at most three, then + N more...", () => {
    const e = ep([
      { addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] },
    ]);
    expect(cell("", "Endpoints", e, "ENDPOINTS")).toBe("10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...");
    const four = ep([{ addresses: ["1", "2", "3", "4"].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] }]);
    expect(cell("", "Endpoints", four, "ENDPOINTS")).toBe("10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
  });

  it("print bare IPs for port-less subsets and brackets IPv6", () => {
    expect(cell("", "Endpoints", ep([{ addresses: [{ ip: "10.0.0.7" }] }]), "ENDPOINTS")).toBe("10.0.0.7");
    expect(cell("", "Endpoints", ep([{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 8080 }] }]), "ENDPOINTS")).toBe("[fd00::1]:8080");
  });

  it("print nothing for subsets with only not-ready addresses", () => {
    expect(cell("", "Endpoints", ep([{ notReadyAddresses: [{ ip: "10.0.0.9" }], ports: [{ port: 80 }] }]), "ENDPOINTS")).toBe("");
  });
});
