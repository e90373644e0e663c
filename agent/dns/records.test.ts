// The cluster's records follow the Kubernetes DNS spec: services, headless endpoints, SRV,
// ExternalName, pods, PTR, and NXDOMAIN versus no data.
import { describe, expect, it } from "vitest";
import { ClusterRecords, reverseNameToIP, type ClusterSnapshot } from "./records.js";
import { service, slice } from "./testing.js";

const snapshot: ClusterSnapshot = {
  services: [
    service("default", "web", { clusterIP: "10.96.0.20", clusterIPs: ["10.96.0.20"], ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "dns", port: 53, protocol: "UDP" }] }),
    service("default", "unnamed", { clusterIP: "10.96.0.21", ports: [{ port: 80 }] }),
    service("default", "dual", { clusterIP: "10.96.0.22", clusterIPs: ["10.96.0.22", "fd00:10:96::22"], ports: [{ port: 80 }] }),
    service("db", "pg", { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] }),
    service("db", "empty", { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] }),
    service("db", "all", { clusterIP: "None", publishNotReadyAddresses: true, ports: [{ name: "pg", port: 5432 }] }),
    service("default", "ext", { type: "ExternalName", externalName: "example.com." }),
    service("default", "alias", { type: "ExternalName", externalName: "web.default.svc.cluster.local" }),
    service("kube-system", "kube-dns", { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP" }] }),
  ],
  slices: [
    slice("db", "pg", [{ ip: "10.244.1.5", hostname: "pg-0" }, { ip: "10.244.2.6" }, { ip: "10.244.3.7", ready: false }], [{ name: "pg", port: 15432 }]),
    slice("db", "pg", [{ ip: "10.244.1.5", hostname: "pg-0" }], [{ name: "pg", port: 15432 }]), // the same endpoint in a second slice
    slice("db", "all", [{ ip: "10.244.4.8", ready: false }, { ip: "10.244.4.9" }], [{ name: "pg", port: 5432 }]),
    slice("other", "pg", [{ ip: "10.244.9.9" }], [{ name: "pg", port: 5432 }]), // another namespace's pg
    slice("db", "pg", [{ ip: "db.example.com" }], [], "FQDN"),
  ],
};
const records = new ClusterRecords(snapshot);

const ask = (name: string, type = "A") => records.lookup({ name, type });
const data = (name: string, type = "A") => ask(name, type)?.answers.map((a) => (a as { data: unknown }).data);

describe("ClusterRecords", () => {
  it("answers a ClusterIP service's A record with its ClusterIP, case-insensitively, TTL 5 s", () => {
    const r = ask("Web.Default.SVC.Cluster.Local.");
    expect(r).toMatchObject({ rcode: "NOERROR", authorities: [] });
    expect(r!.answers).toEqual([{ name: "Web.Default.SVC.Cluster.Local", type: "A", class: "IN", ttl: 5, data: "10.96.0.20" }]);
  });

  it("answers A and AAAA of a dual-stack service from clusterIPs", () => {
    expect(data("dual.default.svc.cluster.local")).toEqual(["10.96.0.22"]);
    expect(data("dual.default.svc.cluster.local", "AAAA")).toEqual(["fd00:10:96::22"]);
  });

  it("answers an existing name asked for a type it lacks with no data (NOERROR), not NXDOMAIN", () => {
    for (const type of ["AAAA", "TXT", "MX", "UNKNOWN_65"]) {
      const r = ask("web.default.svc.cluster.local", type);
      expect(r).toMatchObject({ rcode: "NOERROR", answers: [] });
      expect(r!.authorities[0]).toMatchObject({ name: "cluster.local", type: "SOA", data: { mname: "ns.dns.cluster.local", minimum: 5 } });
    }
  });

  it("answers NXDOMAIN, with the zone's SOA, for names in the cluster domain that do not exist", () => {
    for (const name of ["nope.default.svc.cluster.local", "web.nope.svc.cluster.local", "nope.svc.cluster.local", "a.b.c.d.e.svc.cluster.local", "x.web.default.svc.cluster.local", "foo.cluster.local", "google.com.default.svc.cluster.local"]) {
      const r = ask(name);
      expect(r, name).toMatchObject({ rcode: "NXDOMAIN", answers: [] });
      expect(r!.authorities[0]).toMatchObject({ type: "SOA" });
    }
  });

  it("knows the empty non-terminals: svc, a namespace with services, pod, the _proto of an SRV name", () => {
    for (const name of ["cluster.local", "svc.cluster.local", "default.svc.cluster.local", "pod.cluster.local", "default.pod.cluster.local", "_tcp.web.default.svc.cluster.local", "_udp.web.default.svc.cluster.local"]) {
      expect(ask(name), name).toMatchObject({ rcode: "NOERROR", answers: [] });
    }
    expect(ask("_sctp.web.default.svc.cluster.local")!.rcode).toBe("NXDOMAIN");
  });

  it("answers a headless service's A records with its ready endpoints, once each", () => {
    expect(data("pg.db.svc.cluster.local")!.sort()).toEqual(["10.244.1.5", "10.244.2.6"]);
  });

  it("includes not-ready endpoints when the service publishes not-ready addresses", () => {
    expect(data("all.db.svc.cluster.local")!.sort()).toEqual(["10.244.4.8", "10.244.4.9"]);
  });

  it("answers a headless service without ready endpoints with no data, since the service exists", () => {
    expect(ask("empty.db.svc.cluster.local")).toMatchObject({ rcode: "NOERROR", answers: [] });
  });

  it("answers <hostname>.<svc>.<ns>.svc for headless endpoints, and the dashed IP of those without a hostname", () => {
    expect(data("PG-0.pg.db.svc.cluster.local")).toEqual(["10.244.1.5"]);
    expect(data("10-244-2-6.pg.db.svc.cluster.local")).toEqual(["10.244.2.6"]);
    expect(ask("10-244-3-7.pg.db.svc.cluster.local")!.rcode).toBe("NXDOMAIN"); // not ready
    expect(ask("pg-1.pg.db.svc.cluster.local")!.rcode).toBe("NXDOMAIN");
  });

  it("answers SRV for a ClusterIP service's named ports: the service name and port, its A record as additional", () => {
    const r = ask("_http._tcp.web.default.svc.cluster.local", "SRV")!;
    expect(r.rcode).toBe("NOERROR");
    expect(r.answers).toEqual([{ name: "_http._tcp.web.default.svc.cluster.local", type: "SRV", class: "IN", ttl: 5, data: { priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" } }]);
    expect(r.additionals).toEqual([{ name: "web.default.svc.cluster.local", type: "A", class: "IN", ttl: 5, data: "10.96.0.20" }]);
    expect(data("_dns._udp.web.default.svc.cluster.local", "SRV")).toEqual([{ priority: 0, weight: 100, port: 53, target: "web.default.svc.cluster.local" }]);
    expect(ask("_dns._tcp.web.default.svc.cluster.local", "SRV")!.rcode).toBe("NXDOMAIN"); // wrong protocol
    expect(ask("_http._tcp.web.default.svc.cluster.local", "A")).toMatchObject({ rcode: "NOERROR", answers: [] });
  });

  it("has no SRV records for unnamed ports", () => {
    expect(ask("_tcp.unnamed.default.svc.cluster.local", "SRV")!.rcode).toBe("NXDOMAIN");
    expect(ask("_80._tcp.unnamed.default.svc.cluster.local", "SRV")!.rcode).toBe("NXDOMAIN");
  });

  it("answers SRV for a headless service: one per ready endpoint with the endpoint's port, targets' A records as additionals", () => {
    const r = ask("_pg._tcp.pg.db.svc.cluster.local", "SRV")!;
    expect(r.answers.map((a) => (a as { data: unknown }).data)).toEqual([
      { priority: 0, weight: 50, port: 15432, target: "pg-0.pg.db.svc.cluster.local" },
      { priority: 0, weight: 50, port: 15432, target: "10-244-2-6.pg.db.svc.cluster.local" },
    ]);
    expect(r.additionals.map((a) => [a.name, a.type, (a as { data: unknown }).data])).toEqual([
      ["pg-0.pg.db.svc.cluster.local", "A", "10.244.1.5"],
      ["10-244-2-6.pg.db.svc.cluster.local", "A", "10.244.2.6"],
    ]);
  });

  it("answers an ExternalName service with a CNAME, chased upstream when outside the cluster domain", () => {
    expect(ask("ext.default.svc.cluster.local", "CNAME")).toMatchObject({ rcode: "NOERROR", answers: [{ type: "CNAME", data: "example.com" }] });
    const r = ask("ext.default.svc.cluster.local", "A")!;
    expect(r.answers).toMatchObject([{ name: "ext.default.svc.cluster.local", type: "CNAME", data: "example.com" }]);
    expect(r.chase).toEqual({ name: "example.com", type: "A" });
  });

  it("follows an ExternalName's CNAME inside the cluster domain itself", () => {
    const r = ask("alias.default.svc.cluster.local", "A")!;
    expect(r.chase).toBeUndefined();
    expect(r.answers).toMatchObject([
      { name: "alias.default.svc.cluster.local", type: "CNAME", data: "web.default.svc.cluster.local" },
      { name: "web.default.svc.cluster.local", type: "A", data: "10.96.0.20" },
    ]);
  });

  it("stops a CNAME loop", () => {
    const loop = new ClusterRecords({ services: [service("ns", "a", { type: "ExternalName", externalName: "b.ns.svc.cluster.local" }), service("ns", "b", { type: "ExternalName", externalName: "a.ns.svc.cluster.local" })], slices: [] });
    const r = loop.lookup({ name: "a.ns.svc.cluster.local", type: "A" })!;
    expect(r.rcode).toBe("NOERROR");
    expect(r.answers.length).toBe(9);
  });

  it("answers pod records a-b-c-d.<ns>.pod with the IP in the name", () => {
    expect(data("10-244-1-5.default.pod.cluster.local")).toEqual(["10.244.1.5"]);
    expect(data("fd00--5.default.pod.cluster.local", "AAAA")).toEqual(["fd00::5"]);
    expect(ask("10-244-1-5.default.pod.cluster.local", "AAAA")).toMatchObject({ rcode: "NOERROR", answers: [] });
    for (const name of ["10-244-1-300.default.pod.cluster.local", "web.default.pod.cluster.local", "x.10-244-1-5.default.pod.cluster.local"]) {
      expect(ask(name)!.rcode, name).toBe("NXDOMAIN");
    }
  });

  it("answers PTR for ClusterIPs and ready headless endpoints, and leaves other reverse names to upstream", () => {
    expect(data("20.0.96.10.in-addr.arpa", "PTR")).toEqual(["web.default.svc.cluster.local"]);
    expect(data("5.1.244.10.in-addr.arpa.", "PTR")).toEqual(["pg-0.pg.db.svc.cluster.local"]);
    expect(data("6.2.244.10.in-addr.arpa", "PTR")).toEqual(["10-244-2-6.pg.db.svc.cluster.local"]);
    expect(data("2.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa", "PTR")).toEqual(["dual.default.svc.cluster.local"]);
    expect(ask("7.3.244.10.in-addr.arpa", "PTR")).toBeUndefined(); // not ready
    expect(ask("1.1.168.192.in-addr.arpa", "PTR")).toBeUndefined();
    expect(ask("20.0.96.10.in-addr.arpa", "TXT")).toBeUndefined();
  });

  it("returns undefined for names outside the cluster domain, which the server forwards", () => {
    expect(ask("example.com")).toBeUndefined();
    expect(ask("cluster.local.example.com")).toBeUndefined();
    expect(ask("xcluster.local")).toBeUndefined();
  });

  it("serves the schema version, the zone's SOA and NS, and ns.dns as the kube-dns service", () => {
    expect(data("dns-version.cluster.local", "TXT")).toEqual([["1.1.0"]]);
    expect(ask("cluster.local", "SOA")!.answers).toMatchObject([{ name: "cluster.local", type: "SOA", data: { mname: "ns.dns.cluster.local", rname: "hostmaster.cluster.local" } }]);
    expect(data("cluster.local", "NS")).toEqual(["ns.dns.cluster.local"]);
    expect(data("ns.dns.cluster.local")).toEqual(["10.96.0.10"]);
  });

  it("answers ANY with every record at the name", () => {
    expect(data("dual.default.svc.cluster.local", "ANY")).toEqual(["10.96.0.22", "fd00:10:96::22"]);
  });

  it("uses the configured cluster domain and TTL", () => {
    const r = new ClusterRecords(snapshot, { clusterDomain: "edge.internal.", ttl: 30 });
    expect(r.lookup({ name: "web.default.svc.edge.internal", type: "A" })!.answers).toMatchObject([{ ttl: 30, data: "10.96.0.20" }]);
    expect(r.lookup({ name: "web.default.svc.cluster.local", type: "A" })).toBeUndefined();
  });

  it("parses reverse names", () => {
    expect(reverseNameToIP("4.3.2.1.in-addr.arpa")).toBe("1.2.3.4");
    expect(reverseNameToIP("04.3.2.1.in-addr.arpa")).toBeUndefined();
    expect(reverseNameToIP("3.2.1.in-addr.arpa")).toBeUndefined();
    expect(reverseNameToIP("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa")).toBe("::1");
  });
});
