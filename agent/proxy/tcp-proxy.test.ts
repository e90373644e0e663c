// The TCP listener with real sockets: a ClusterIP and its pods are loopback addresses of 127.0.1.0/24.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { endpointDialer } from "./dial.js";
import { TcpProxy } from "./tcp-proxy.js";
import { ask, blackHole, cleanupAfterEach, endpoint, freePort, identityServer, startPods, until } from "./test-servers.js";

const CLUSTER_IP = "127.0.1.1";
const cleanup = cleanupAfterEach();
const pods = (n: number) => startPods(n, "127.0.1", identityServer, cleanup);

async function proxy(opts: { now?: () => number; connectTimeoutMs?: number } = {}): Promise<TcpProxy> {
  const p = new TcpProxy({ host: CLUSTER_IP, port: 0, dialer: endpointDialer({ connectTimeoutMs: opts.connectTimeoutMs ?? 1000 }), now: opts.now });
  await p.listen();
  cleanup.push(() => p.close({ destroyConnections: true }));
  return p;
}

describe("TcpProxy", () => {
  it("spreads connections round robin and pipes both ways", async () => {
    const backends = await pods(3);
    const p = await proxy();
    p.setEndpoints(backends.map((b) => endpoint(b)));
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(CLUSTER_IP, p.port, `hello ${i}`));
    expect(answers.map((a) => a.name)).toEqual(["pod-0", "pod-1", "pod-2", "pod-0", "pod-1", "pod-2"]);
    // The client half-closed after its request and still got the whole echo (HTTP/1.0 style).
    expect(answers.map((a) => a.echo)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `hello ${i}`));
    expect(p.counters).toMatchObject({ connections: 6, failures: 0, endpointFailures: 0 });
  });

  it("skips a refusing endpoint without the client noticing", async () => {
    const [good] = await pods(1);
    const refusing = { ip: "127.0.1.20", port: await freePort("127.0.1.20") };
    const p = await proxy();
    p.setEndpoints([endpoint(refusing), endpoint(good)]);
    for (let i = 0; i < 3; i++) expect((await ask(CLUSTER_IP, p.port, "x")).name).toBe("pod-0");
    expect(p.counters.failures).toBe(0);
    expect(p.counters.endpointFailures).toBeGreaterThanOrEqual(1);
  });

  it("skips an endpoint that does not answer within the connect timeout", async () => {
    const [good] = await pods(1);
    const silent = await blackHole("127.0.1.30");
    cleanup.push(() => silent.close());
    const p = await proxy({ connectTimeoutMs: 300 });
    p.setEndpoints([endpoint(silent), endpoint(good)]);
    const started = Date.now();
    expect((await ask(CLUSTER_IP, p.port, "x")).name).toBe("pod-0");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(p.counters.endpointFailures).toBe(1);
  });

  it("resets the client when no endpoint answers or there is none", async () => {
    const p = await proxy();
    await expect(ask(CLUSTER_IP, p.port)).rejects.toMatchObject({ code: "ECONNRESET" });
    p.setEndpoints([endpoint({ ip: "127.0.1.21", port: await freePort("127.0.1.21") }), endpoint({ ip: "127.0.1.22", port: await freePort("127.0.1.22") })]);
    await expect(ask(CLUSTER_IP, p.port)).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(p.counters).toMatchObject({ failures: 2, endpointFailures: 2 });
  });

  it("keeps open connections when the endpoint set changes, and sends new ones to the new set", async () => {
    const [a, b] = await pods(2);
    const p = await proxy();
    p.setEndpoints([endpoint(a)]);
    const open = connect({ host: CLUSTER_IP, port: p.port });
    cleanup.push(async () => void open.destroy());
    let received = "";
    open.setEncoding("utf8").on("data", (d: string) => (received += d));
    await until(() => received === "pod-0\n");

    p.setEndpoints([endpoint(b)]);
    expect((await ask(CLUSTER_IP, p.port)).name).toBe("pod-1");
    open.write("still here");
    await until(() => received === "pod-0\nstill here");
    expect(p.counters.active).toBe(1);
  });

  it("keeps a client IP on its endpoint under ClientIP affinity until the timeout passes", async () => {
    const backends = await pods(3);
    let now = 1_000_000;
    const p = await proxy({ now: () => now });
    p.setEndpoints(
      backends.map((b) => endpoint(b)),
      { timeoutSeconds: 10 },
    );
    const from = (client: string) => ask(CLUSTER_IP, p.port, "", client).then((a) => a.name);
    const first = await from("127.0.1.101");
    const other = await from("127.0.1.102");
    expect(other).not.toBe(first);
    for (let i = 0; i < 4; i++) {
      now += 9_000; // each connection within the timeout of the previous one
      expect(await from("127.0.1.101")).toBe(first);
      expect(await from("127.0.1.102")).toBe(other);
    }

    // Idle for longer than the timeout: round robin again, where it stopped (affine connections do not move it).
    expect([first, other]).toEqual(["pod-0", "pod-1"]);
    now += 11_000;
    expect(await from("127.0.1.101")).toBe("pod-2");
  });

  it("moves an affine client on when its endpoint leaves the set", async () => {
    const [a, b] = await pods(2);
    const p = await proxy();
    p.setEndpoints([endpoint(a), endpoint(b)], { timeoutSeconds: 100 });
    expect((await ask(CLUSTER_IP, p.port)).name).toBe("pod-0");
    expect((await ask(CLUSTER_IP, p.port)).name).toBe("pod-0");
    p.setEndpoints([endpoint(b)], { timeoutSeconds: 100 });
    expect((await ask(CLUSTER_IP, p.port)).name).toBe("pod-1");
  });

  it("closes its listener and lets open connections finish, or cuts them when asked", async () => {
    const [a] = await pods(1);
    const p = await proxy();
    p.setEndpoints([endpoint(a)]);
    const open = connect({ host: CLUSTER_IP, port: p.port });
    let received = "";
    open.setEncoding("utf8").on("data", (d: string) => (received += d));
    const closed = new Promise((resolve) => open.on("close", resolve));
    open.on("error", () => {});
    await until(() => received === "pod-0\n");

    await p.close();
    await expect(ask(CLUSTER_IP, p.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    open.write("after close");
    await until(() => received.endsWith("after close"));

    p.destroyConnections();
    await closed;
  });

  it("reports a port in use as the bind error", async () => {
    const [a] = await pods(1);
    const p = new TcpProxy({ host: a.ip, port: a.port, dialer: endpointDialer() });
    await expect(p.listen()).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
