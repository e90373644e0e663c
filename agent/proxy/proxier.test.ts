// The service proxy from Services and EndpointSlices to listeners, with real sockets: ClusterIPs
// and pods are addresses of 127.0.4.0/24 (local without root), NodePorts bind 127.0.4.1.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { Service } from "../../src/apis/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import { HostAddresses } from "./addresses.js";
import { ServiceProxy } from "./proxier.js";
import { ask, cleanupAfterEach, collectingLogger, freePort, identityServer, udpAsk, udpIdentityServer, type TestServer } from "./test-servers.js";

const NODE = "node-a";
const NODE_IP = "127.0.4.1";
const cleanup = cleanupAfterEach();

function service(name: string, clusterIP: string, ports: NonNullable<Service["spec"]["ports"]>, spec: Partial<Service["spec"]> = {}): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP, ports, ...spec } } as Service;
}

function slice(svc: string, pods: Array<TestServer & { nodeName?: string }>, portName = "http", protocol = "TCP"): EndpointSlice {
  const port = pods[0]?.port ?? 1;
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${svc}-${portName}`, namespace: "default", labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType: "IPv4",
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: p.nodeName ?? NODE })),
    ports: [{ name: portName, protocol, port }],
  } as EndpointSlice;
}

async function pod(name: string, ip: string, port: number, nodeName?: string) {
  const s = await identityServer(name, ip, port);
  cleanup.push(() => s.close());
  return { ...s, nodeName };
}

function newProxy(extra: Partial<ConstructorParameters<typeof ServiceProxy>[0]> = {}) {
  const logs = collectingLogger();
  const proxy = new ServiceProxy({ nodeName: NODE, nodePortAddress: NODE_IP, addresses: new HostAddresses({ log: logs.log, isRoot: () => false }), log: logs.log, ...extra });
  cleanup.push(() => proxy.stop());
  return { proxy, logs };
}

describe("ServiceProxy", () => {
  it("serves a ClusterIP service port, and again the same sync opens nothing", async () => {
    const port = await freePort("127.0.4.10");
    const pods = [await pod("web-0", "127.0.4.20", port), await pod("web-1", "127.0.4.21", port)];
    const snapshot = { services: [service("web", "127.0.4.10", [{ name: "http", protocol: "TCP", port: 8080 }])], slices: [slice("web", pods)] };
    const { proxy } = newProxy();
    const first = await proxy.sync(snapshot);
    expect(first).toEqual({ opened: ["TCP 127.0.4.10:8080"], closed: [], failed: [], waiting: [] });
    expect([(await ask("127.0.4.10", 8080)).name, (await ask("127.0.4.10", 8080)).name]).toEqual(["web-0", "web-1"]);
    expect(await proxy.sync(snapshot)).toEqual({ opened: [], closed: [], failed: [], waiting: [] });
    expect(proxy.stats()["default/web:http/TCP"]).toMatchObject({ listeners: ["TCP 127.0.4.10:8080"], endpoints: 2, connections: 2, failures: 0 });
  });

  it("opens a NodePort listener with its own endpoints (externalTrafficPolicy Local) next to the ClusterIP one", async () => {
    const podPort = await freePort("127.0.4.22");
    const nodePort = await freePort(NODE_IP);
    const local = await pod("local", "127.0.4.22", podPort, NODE);
    const remote = await pod("remote", "127.0.4.23", podPort, "node-b");
    const svc = service("np", "127.0.4.11", [{ name: "http", protocol: "TCP", port: 8081, nodePort }], { type: "NodePort", externalTrafficPolicy: "Local" });
    const { proxy } = newProxy();
    const result = await proxy.sync({ services: [svc], slices: [slice("np", [local, remote])] });
    expect(result.opened.sort()).toEqual([`TCP ${NODE_IP}:${nodePort}`, "TCP 127.0.4.11:8081"].sort());
    const viaNodePort = [];
    for (let i = 0; i < 3; i++) viaNodePort.push((await ask(NODE_IP, nodePort)).name);
    expect(viaNodePort).toEqual(["local", "local", "local"]);
    expect([(await ask("127.0.4.11", 8081)).name, (await ask("127.0.4.11", 8081)).name]).toEqual(["local", "remote"]);
  });

  it("follows endpoint changes in place and closes the listeners of removed services", async () => {
    const port = await freePort("127.0.4.24");
    const a = await pod("a", "127.0.4.24", port);
    const b = await pod("b", "127.0.4.25", port);
    const svc = service("chg", "127.0.4.12", [{ name: "http", protocol: "TCP", port: 8082 }]);
    const { proxy } = newProxy();
    await proxy.sync({ services: [svc], slices: [slice("chg", [a])] });
    expect((await ask("127.0.4.12", 8082)).name).toBe("a");
    expect(await proxy.sync({ services: [svc], slices: [slice("chg", [b])] })).toMatchObject({ opened: [], closed: [] });
    expect((await ask("127.0.4.12", 8082)).name).toBe("b");
    expect(await proxy.sync({ services: [], slices: [] })).toMatchObject({ opened: [], closed: ["TCP 127.0.4.12:8082"] });
    await expect(ask("127.0.4.12", 8082)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("serves UDP service ports", async () => {
    const dns = await udpIdentityServer("dns-0", "127.0.4.26");
    cleanup.push(() => dns.close());
    const svc = service("dns", "127.0.4.13", [{ name: "dns", protocol: "UDP", port: 5353 }]);
    const { proxy } = newProxy();
    expect((await proxy.sync({ services: [svc], slices: [slice("dns", [dns], "dns", "UDP")] })).opened).toEqual(["UDP 127.0.4.13:5353"]);
    expect(await udpAsk("127.0.4.13", 5353, "a?")).toEqual({ text: "dns-0:a?", from: "127.0.4.13:5353" });
  });

  it("says once that a port is in use, does not throw, and opens it on a later sync", async () => {
    const port = await freePort("127.0.4.27");
    const a = await pod("a", "127.0.4.27", port);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(8083, "127.0.4.14", resolve));
    const snapshot = { services: [service("busy", "127.0.4.14", [{ name: "http", protocol: "TCP", port: 8083 }])], slices: [slice("busy", [a])] };
    const { proxy, logs } = newProxy({ retryIntervalMs: 60_000 });
    expect(await proxy.sync(snapshot)).toMatchObject({ opened: [], failed: ["TCP 127.0.4.14:8083"] });
    expect(await proxy.sync(snapshot)).toMatchObject({ opened: [], failed: ["TCP 127.0.4.14:8083"] });
    expect(logs.error.filter((l) => l.includes("EADDRINUSE"))).toHaveLength(1);

    await new Promise((resolve) => squatter.close(resolve));
    expect(await proxy.sync(snapshot)).toMatchObject({ opened: ["TCP 127.0.4.14:8083"], failed: [] });
    expect(logs.info.some((l) => l.includes("listening on 127.0.4.14:8083/TCP"))).toBe(true);
    expect((await ask("127.0.4.14", 8083)).name).toBe("a");
  });

  it("retries a failed listener on its own", async () => {
    const port = await freePort("127.0.4.28");
    const a = await pod("a", "127.0.4.28", port);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(8084, "127.0.4.15", resolve));
    const { proxy } = newProxy({ retryIntervalMs: 50 });
    await proxy.sync({ services: [service("later", "127.0.4.15", [{ name: "http", protocol: "TCP", port: 8084 }])], slices: [slice("later", [a])] });
    await new Promise((resolve) => squatter.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await ask("127.0.4.15", 8084)).name).toBe("a");
  });

  it("leaves skipped service ports alone, and ClusterIPs it cannot make local waiting", async () => {
    const { proxy, logs } = newProxy({ skip: (sp) => sp.clusterIP === "127.0.4.16" });
    const result = await proxy.sync({
      services: [
        service("kube-dns", "127.0.4.16", [{ name: "dns", protocol: "UDP", port: 53 }]),
        service("web", "10.96.200.1", [{ name: "http", protocol: "TCP", port: 80 }]),
        service("sctp", "127.0.4.17", [{ name: "s", protocol: "SCTP", port: 9 }]),
      ],
      slices: [],
    });
    expect(result).toEqual({ opened: [], closed: [], failed: [], waiting: ["TCP 10.96.200.1:80"] });
    // Not root (as this test's address manager is told): said once, with what still works.
    expect(logs.error).toEqual([expect.stringMatching(/cannot add ClusterIPs to lo \(not running as root\).*NodePorts still work/)]);
    expect(logs.info).toEqual([expect.stringContaining("default/sctp:s/SCTP: protocol SCTP is not proxied")]);
    await proxy.sync({ services: [service("web", "10.96.200.1", [{ name: "http", protocol: "TCP", port: 80 }])], slices: [] });
    expect(logs.error).toHaveLength(1);
  });

  it("reports a failing endpoint once, and coalesces concurrent syncs", async () => {
    const port = await freePort("127.0.4.29");
    const good = await pod("good", "127.0.4.29", port);
    const dead = { ip: "127.0.4.30", port, close: async () => {} };
    const { proxy, logs } = newProxy();
    const svc = service("flaky", "127.0.4.18", [{ name: "http", protocol: "TCP", port: 8085 }]);
    const syncs = [proxy.sync({ services: [], slices: [] }), proxy.sync({ services: [svc], slices: [] }), proxy.sync({ services: [svc], slices: [slice("flaky", [dead, good])] })];
    const results = await Promise.all(syncs);
    // The first ran alone; the other two were one sync of the last snapshot.
    expect(results[1]).toBe(results[2]);
    for (let i = 0; i < 4; i++) expect((await ask("127.0.4.18", 8085)).name).toBe("good");
    expect(logs.error.filter((l) => l.includes("127.0.4.30"))).toEqual([expect.stringContaining("default/flaky:http/TCP: endpoint 127.0.4.30")]);
    expect(proxy.stats()["default/flaky:http/TCP"]).toMatchObject({ connections: 4, failures: 0 });
  });

  it.skipIf(process.getuid?.() !== 0)("as root, makes a ClusterIP outside 127/8 local on lo, serves it, and removes it on stop", async () => {
    const port = await freePort("127.0.4.32");
    const a = await pod("a", "127.0.4.32", port);
    const logs = collectingLogger();
    const addresses = new HostAddresses({ log: logs.log });
    const proxy = new ServiceProxy({ nodeName: NODE, nodePortAddress: NODE_IP, addresses, log: logs.log });
    cleanup.push(() => proxy.stop());
    const result = await proxy.sync({ services: [service("real", "10.254.78.1", [{ name: "http", protocol: "TCP", port: 80 }])], slices: [slice("real", [a])] });
    expect(result.opened).toEqual(["TCP 10.254.78.1:80"]);
    expect(addresses.owned).toEqual(["10.254.78.1"]);
    expect((await ask("10.254.78.1", 80)).name).toBe("a");
    await proxy.stop();
    expect(addresses.owned).toEqual([]);
    expect(logs.error).toEqual([]);
  });

  it("stop closes every listener and cuts its connections", async () => {
    const port = await freePort("127.0.4.31");
    const a = await pod("a", "127.0.4.31", port);
    const { proxy } = newProxy();
    await proxy.sync({ services: [service("s", "127.0.4.19", [{ name: "http", protocol: "TCP", port: 8086 }])], slices: [slice("s", [a])] });
    await proxy.stop();
    await expect(ask("127.0.4.19", 8086)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(await proxy.sync({ services: [], slices: [] })).toEqual({ opened: [], closed: [], failed: [], waiting: [] });
  });
});
