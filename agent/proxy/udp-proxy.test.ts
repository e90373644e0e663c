// The UDP listener with real sockets on 127.0.2.0/24: sessions per client address, replies from the
// service address, idle timeout, a closed endpoint port left for the next one.
import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { endpointDialer } from "./dial.js";
import { cleanupAfterEach, endpoint, freePort, startPods, udpAsk, udpExchange, udpIdentityServer, until } from "./test-servers.js";
import { UdpProxy } from "./udp-proxy.js";

const CLUSTER_IP = "127.0.2.1";
const cleanup = cleanupAfterEach();
const pods = (n: number) => startPods(n, "127.0.2", udpIdentityServer, cleanup);

async function proxy(opts: { idleTimeoutMs?: number; maxSessions?: number } = {}): Promise<UdpProxy> {
  const p = new UdpProxy({ host: CLUSTER_IP, port: 0, dialer: endpointDialer(), ...opts });
  await p.listen();
  cleanup.push(() => p.close());
  return p;
}

describe("UdpProxy", () => {
  it("relays a datagram and its reply, which comes from the service address", async () => {
    const [a] = await pods(1);
    const p = await proxy();
    p.setEndpoints([endpoint(a)]);
    const answer = await udpAsk(CLUSTER_IP, p.port, "query");
    expect(answer).toEqual({ text: "pod-0:query", from: `${CLUSTER_IP}:${p.port}` });
  });

  it("keeps a client address on one endpoint and spreads new clients round robin", async () => {
    const backends = await pods(2);
    const p = await proxy();
    p.setEndpoints(backends.map((b) => endpoint(b)));
    const client = createSocket("udp4");
    cleanup.push(async () => void client.close());
    const same = [];
    for (let i = 0; i < 3; i++) same.push((await udpExchange(client, CLUSTER_IP, p.port, `q${i}`)).text);
    expect(same).toEqual(["pod-0:q0", "pod-0:q1", "pod-0:q2"]);
    const others = [await udpAsk(CLUSTER_IP, p.port, "x"), await udpAsk(CLUSTER_IP, p.port, "y")].map((a) => a.text);
    expect(others).toEqual(["pod-1:x", "pod-0:y"]);
    expect(p.counters).toMatchObject({ connections: 3, failures: 0 });
  });

  it("ends idle sessions", async () => {
    const [a] = await pods(1);
    const p = await proxy({ idleTimeoutMs: 100 });
    p.setEndpoints([endpoint(a)]);
    await udpAsk(CLUSTER_IP, p.port, "x");
    expect(p.counters.active).toBe(1);
    await until(() => p.counters.active === 0);
  });

  it("ends the least recently used session past maxSessions", async () => {
    const [a] = await pods(1);
    const p = await proxy({ maxSessions: 2 });
    p.setEndpoints([endpoint(a)]);
    for (const q of ["a", "b", "c"]) await udpAsk(CLUSTER_IP, p.port, q);
    expect(p.counters).toMatchObject({ connections: 3, active: 2 });
  });

  it("leaves an endpoint whose port is closed: the client's next datagram goes to another", async () => {
    const [good] = await pods(1);
    const closed = { ip: "127.0.2.20", port: await freePort("127.0.2.20") };
    const p = await proxy();
    p.setEndpoints([endpoint(closed), endpoint(good)]);
    const client = createSocket("udp4");
    cleanup.push(async () => void client.close());
    // The first datagram goes to the closed port and is lost (as without a proxy); the ICMP error ends the session.
    await expect(udpExchange(client, CLUSTER_IP, p.port, "lost", 300)).rejects.toThrow(/no UDP answer/);
    await until(() => p.counters.endpointFailures === 1);
    expect((await udpExchange(client, CLUSTER_IP, p.port, "retry")).text).toBe("pod-0:retry");
  });

  it("drops datagrams for a service without endpoints", async () => {
    const p = await proxy();
    await expect(udpAsk(CLUSTER_IP, p.port, "x", 200)).rejects.toThrow(/no UDP answer/);
    expect(p.counters.failures).toBe(1);
  });
});
