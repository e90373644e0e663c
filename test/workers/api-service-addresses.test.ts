// Service cluster IPs and node ports: one allocator for the whole cluster (the cluster store),
// reserved before the Service is written so the answer carries them, refused when taken or out of
// range with upstream's messages, given back on delete and type changes, and consistent under
// concurrent creates. The `kubernetes` and `kube-dns` Services exist from the start.
import { describe, expect, it } from "vitest";
import { del, get, newNs, patch, post, put } from "./helpers.js";

const svc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

const inServiceRange = (ip: string) => {
  const [a, b] = ip.split(".").map(Number);
  return a === 10 && b >= 96 && b <= 111;
};

describe("Service addresses", () => {
  it("the kubernetes Service is at the range's first address and kube-dns at its tenth", async () => {
    const k = await get("/api/v1/namespaces/default/services/kubernetes");
    expect(k.status).toBe(200);
    expect(k.body.spec.clusterIP).toBe("10.96.0.1");
    expect(k.body.spec.clusterIPs).toEqual(["10.96.0.1"]);
    expect(k.body.spec.ports).toEqual([{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }]);
    expect(k.body.metadata.labels).toEqual({ component: "apiserver", provider: "kubernetes" });
    const dns = await get("/api/v1/namespaces/kube-system/services/kube-dns");
    expect(dns.status).toBe(200);
    expect(dns.body.spec.clusterIP).toBe("10.96.0.10");
    expect(dns.body.spec.ports.map((p: any) => `${p.name}:${p.port}/${p.protocol}`)).toEqual(["dns:53/UDP", "dns-tcp:53/TCP"]);
    // Asking for the kubernetes Service's address is refused.
    const ns = await newNs("svc");
    const taken = await post(`/api/v1/namespaces/${ns}/services`, svc("dup", { clusterIP: "10.96.0.1" }));
    expect(taken.status).toBe(422);
    expect(taken.body.message).toBe('Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated');
  });

  it("a ClusterIP Service gets an address from the range in the create's answer, and keeps it on update", async () => {
    const ns = await newNs("svc");
    const r = await post(`/api/v1/namespaces/${ns}/services`, svc("web"));
    expect(r.status).toBe(201);
    const ip = r.body.spec.clusterIP;
    expect(inServiceRange(ip)).toBe(true);
    expect(r.body.spec.clusterIPs).toEqual([ip]);
    expect(r.body.spec.ipFamilies).toEqual(["IPv4"]);
    expect(r.body.spec.ports[0].nodePort).toBeUndefined();
    // A PUT that leaves clusterIP out (kubectl replace of the original manifest) keeps it.
    const body = { ...svc("web"), metadata: { name: "web", resourceVersion: r.body.metadata.resourceVersion, labels: { tier: "a" } } };
    const u = await put(`/api/v1/namespaces/${ns}/services/web`, body);
    expect(u.status).toBe(200);
    expect(u.body.spec.clusterIP).toBe(ip);
    // Changing it is refused.
    const c = await patch(`/api/v1/namespaces/${ns}/services/web`, "merge", { spec: { clusterIP: "10.96.7.7", clusterIPs: ["10.96.7.7"] } });
    expect(c.status).toBe(422);
  });

  it("an address asked for by value is given, refused when taken or out of range, and free again after delete", async () => {
    const ns = await newNs("svc");
    const want = "10.96.0.77";
    const a = await post(`/api/v1/namespaces/${ns}/services`, svc("a", { clusterIP: want }));
    expect(a.status).toBe(201);
    expect(a.body.spec.clusterIP).toBe(want);
    const b = await post(`/api/v1/namespaces/${ns}/services`, svc("b", { clusterIP: want }));
    expect(b.status).toBe(422);
    expect(b.body.reason).toBe("Invalid");
    expect(b.body.details.causes).toEqual([{ reason: "FieldValueInvalid", field: "spec.clusterIPs", message: `Invalid value: []string{"${want}"}: failed to allocate IP ${want}: provided IP is already allocated` }]);
    expect((await get(`/api/v1/namespaces/${ns}/services/b`)).status).toBe(404);
    const out = await post(`/api/v1/namespaces/${ns}/services`, svc("c", { clusterIP: "192.168.0.1" }));
    expect(out.status).toBe(422);
    expect(out.body.message).toContain("failed to allocate IP 192.168.0.1: the provided IP (192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12");
    const bad = await post(`/api/v1/namespaces/${ns}/services`, svc("d", { clusterIP: "10.96.0.300" }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain("spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address");
    expect((await del(`/api/v1/namespaces/${ns}/services/a`)).status).toBe(200);
    // The release is sent after the delete commits: retry briefly.
    let again: any;
    for (let i = 0; i < 50; i++) {
      again = await post(`/api/v1/namespaces/${ns}/services`, svc("b", { clusterIP: want }));
      if (again.status === 201) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again.status).toBe(201);
  });

  it("NodePort Services get node ports from 30000-32767; taken and out-of-range ports are refused", async () => {
    const ns = await newNs("svc");
    const r = await post(`/api/v1/namespaces/${ns}/services`, svc("np", { type: "NodePort", ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] }));
    expect(r.status).toBe(201);
    const [p1, p2] = r.body.spec.ports.map((p: any) => p.nodePort);
    for (const p of [p1, p2]) expect(p >= 30000 && p <= 32767).toBe(true);
    expect(p1).not.toBe(p2);
    expect(r.body.spec.externalTrafficPolicy).toBe("Cluster");
    const taken = await post(`/api/v1/namespaces/${ns}/services`, svc("np2", { type: "NodePort", ports: [{ port: 80, nodePort: p1 }] }));
    expect(taken.status).toBe(422);
    expect(taken.body.message).toBe(`Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: ${p1}: provided port is already allocated`);
    const range = await post(`/api/v1/namespaces/${ns}/services`, svc("np3", { type: "NodePort", ports: [{ port: 80, nodePort: 40000 }] }));
    expect(range.status).toBe(422);
    expect(range.body.message).toBe('Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767');
    // TCP and UDP of one port number share one node port, as upstream.
    const dns = await post(`/api/v1/namespaces/${ns}/services`, svc("dns", { type: "NodePort", ports: [{ name: "u", port: 53, protocol: "UDP" }, { name: "t", port: 53, protocol: "TCP" }] }));
    expect(dns.status).toBe(201);
    expect(dns.body.spec.ports[0].nodePort).toBe(dns.body.spec.ports[1].nodePort);
    // A nodePort on a ClusterIP Service is refused by validation.
    const forb = await post(`/api/v1/namespaces/${ns}/services`, svc("np4", { ports: [{ port: 80, nodePort: 30999 }] }));
    expect(forb.status).toBe(422);
    expect(forb.body.message).toContain("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it("a type change to NodePort allocates in the answer; back to ClusterIP drops and frees the port", async () => {
    const ns = await newNs("svc");
    const r = await post(`/api/v1/namespaces/${ns}/services`, svc("t"));
    const ip = r.body.spec.clusterIP;
    const np = await patch(`/api/v1/namespaces/${ns}/services/t`, "merge", { spec: { type: "NodePort" } });
    expect(np.status).toBe(200);
    const port = np.body.spec.ports[0].nodePort;
    expect(port >= 30000 && port <= 32767).toBe(true);
    expect(np.body.spec.clusterIP).toBe(ip);
    expect((await get(`/api/v1/namespaces/${ns}/services/t`)).body.spec.ports[0].nodePort).toBe(port);
    const back = await patch(`/api/v1/namespaces/${ns}/services/t`, "merge", { spec: { type: "ClusterIP" } });
    expect(back.status).toBe(200);
    expect(back.body.spec.ports[0].nodePort).toBeUndefined();
    let other: any;
    for (let i = 0; i < 50; i++) {
      other = await post(`/api/v1/namespaces/${ns}/services`, svc("u", { type: "NodePort", ports: [{ port: 80, nodePort: port }] }));
      if (other.status === 201) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(other.status).toBe(201);
    // To ExternalName: the cluster IP goes and is free again.
    const ext = await patch(`/api/v1/namespaces/${ns}/services/t`, "merge", { spec: { type: "ExternalName", externalName: "example.com", selector: null } });
    expect(ext.status).toBe(200);
    expect(ext.body.spec.clusterIP).toBeUndefined();
    let reuse: any;
    for (let i = 0; i < 50; i++) {
      reuse = await post(`/api/v1/namespaces/${ns}/services`, svc("v", { clusterIP: ip }));
      if (reuse.status === 201) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(reuse.status).toBe(201);
  });

  it("headless and ExternalName Services get no address; a dry run holds none", async () => {
    const ns = await newNs("svc");
    const h = await post(`/api/v1/namespaces/${ns}/services`, svc("h", { clusterIP: "None" }));
    expect(h.status).toBe(201);
    expect(h.body.spec.clusterIP).toBe("None");
    expect(h.body.spec.clusterIPs).toEqual(["None"]);
    const e = await post(`/api/v1/namespaces/${ns}/services`, { apiVersion: "v1", kind: "Service", metadata: { name: "e" }, spec: { type: "ExternalName", externalName: "db.example.com" } });
    expect(e.status).toBe(201);
    expect(e.body.spec.clusterIP).toBeUndefined();
    const want = "10.96.0.88";
    const dry = await post(`/api/v1/namespaces/${ns}/services?dryRun=All`, svc("d", { clusterIP: want }));
    expect(dry.status).toBe(201);
    expect(dry.body.spec.clusterIP).toBe(want);
    expect((await get(`/api/v1/namespaces/${ns}/services/d`)).status).toBe(404);
    const real = await post(`/api/v1/namespaces/${ns}/services`, svc("d", { clusterIP: want }));
    expect(real.status).toBe(201);
    // An invalid Service holds nothing either.
    const invalid = await post(`/api/v1/namespaces/${ns}/services`, svc("bad", { clusterIP: "10.96.0.99", ports: [{ port: 0 }] }));
    expect(invalid.status).toBe(422);
    expect((await post(`/api/v1/namespaces/${ns}/services`, svc("good", { clusterIP: "10.96.0.99" }))).status).toBe(201);
  });

  it("50 concurrent creates across namespaces get 50 different addresses and node ports", async () => {
    const nss = await Promise.all([newNs("svc"), newNs("svc")]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(`/api/v1/namespaces/${nss[i % 2]}/services`, svc(`s${i}`, { type: "NodePort" }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ips = new Set(results.map((r) => r.body.spec.clusterIP));
    const ports = new Set(results.map((r) => r.body.spec.ports[0].nodePort));
    expect(ips.size).toBe(50);
    expect(ports.size).toBe(50);
    // The same node port asked for by 10 Services at once: exactly one gets it.
    const contested = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(`/api/v1/namespaces/${nss[i % 2]}/services`, svc(`c${i}`, { type: "NodePort", ports: [{ port: 80, nodePort: 32001 }] }))),
    );
    expect(contested.filter((r) => r.status === 201)).toHaveLength(1);
    expect(contested.filter((r) => r.status === 422)).toHaveLength(9);
  });
});
