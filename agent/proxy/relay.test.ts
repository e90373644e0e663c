// The relay between nodes with real sockets: "pods" of the relay's node on 127.1.0.0/24, other
// addresses on 127.0.3.0/24.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { endpointDialer } from "./dial.js";
import { openRelay, RelayServer } from "./relay.js";
import { TcpProxy } from "./tcp-proxy.js";
import { ask, cleanupAfterEach, collectingLogger, endpoint, freePort, identityServer, udpAsk, udpIdentityServer } from "./test-servers.js";
import { UdpProxy } from "./udp-proxy.js";

const POD_CIDR = "127.1.0.0/24";
const cleanup = cleanupAfterEach();

async function relay(): Promise<RelayServer> {
  const r = new RelayServer({ host: "127.0.3.1", port: 0, podCIDRs: [POD_CIDR], log: collectingLogger().log });
  await r.listen();
  cleanup.push(() => r.close());
  return r;
}

async function pod(name: string, ip: string) {
  const s = await identityServer(name, ip);
  cleanup.push(() => s.close());
  return s;
}

/** Reads what a relayed socket gives until it ends. */
function readAll(socket: import("node:net").Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    socket.setEncoding("utf8").on("data", (d: string) => (data += d));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
    // openRelay hands the socket over paused.
    socket.resume();
  });
}

describe("RelayServer", () => {
  it("opens a stream to a pod of its CIDR; what the pod said first is not lost", async () => {
    const r = await relay();
    const p = await pod("pod-b", "127.1.0.5");
    const s = await openRelay(r.address()!, p, "tcp", 2000);
    s.end("ping");
    expect(await readAll(s)).toBe("pod-b\nping");
    expect(r.counters.relayed).toBe(1);
  });

  it("refuses targets outside its pod CIDR, and the CIDR's network, gateway and broadcast addresses", async () => {
    const r = await relay();
    const outside = await pod("host", "127.0.3.9");
    await expect(openRelay(r.address()!, outside, "tcp", 2000)).rejects.toThrow(/forbidden/);
    for (const ip of ["127.1.0.0", "127.1.0.1", "127.1.0.255"]) expect(r.allows(ip)).toBe(false);
    expect(r.allows("127.1.0.2")).toBe(true);
    expect(r.counters).toMatchObject({ relayed: 0, refused: 1 });
  });

  it("closes a connection whose header is malformed or too long", async () => {
    const r = await relay();
    for (const header of ["CONNECT 127.1.0.5:80\n", `RELAY ${"1".repeat(200)}`, "RELAY 127.1.0.5:99999\n"]) {
      const s = connect(r.address()!);
      s.end(header);
      expect(await readAll(s)).toBe("ERR malformed\n");
    }
  });

  it("answers ERR with the connect error for a closed pod port", async () => {
    const r = await relay();
    await expect(openRelay(r.address()!, { ip: "127.1.0.6", port: await freePort("127.1.0.6") }, "tcp", 2000)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("carries a proxy's connections to endpoints on its node; a refused one is skipped", async () => {
    const r = await relay();
    const remote = await pod("remote", "127.1.0.7");
    const closed = { ip: "127.1.0.8", port: await freePort("127.1.0.8") };
    const relayFor = (node: string) => (node === "node-b" ? r.address() : undefined);
    const proxy = new TcpProxy({ host: "127.0.3.2", port: 0, dialer: endpointDialer({ relayFor }) });
    await proxy.listen();
    cleanup.push(() => proxy.close({ destroyConnections: true }));
    proxy.setEndpoints([endpoint(closed, { nodeName: "node-b", local: false }), endpoint(remote, { nodeName: "node-b", local: false })]);
    expect(await ask("127.0.3.2", proxy.port, "via relay")).toEqual({ name: "remote", echo: "via relay" });
    expect(proxy.counters.endpointFailures).toBe(1);
    expect(r.counters).toMatchObject({ relayed: 1, refused: 1 });
  });

  it("is not used for local endpoints, nodes without a relay, or an endpoint at the relay's own address", async () => {
    const r = await relay();
    const direct = await pod("direct", "127.0.3.1");
    const relayFor = (node: string) => (node === "node-b" ? r.address() : undefined);
    const dial = endpointDialer({ relayFor });
    for (const ep of [endpoint(direct, { nodeName: "node-b", local: true }), endpoint(direct, { nodeName: "node-c", local: false }), endpoint(direct, { nodeName: "node-b", local: false })]) {
      const s = await dial.stream(ep);
      s.end();
      expect(await readAll(s)).toBe("direct\n");
    }
    expect(r.counters).toMatchObject({ relayed: 0, refused: 0 });
  });

  it("carries UDP datagrams of a proxy's session to a pod on its node", async () => {
    const r = await relay();
    const remote = await udpIdentityServer("udp-remote", "127.1.0.9");
    cleanup.push(() => remote.close());
    const proxy = new UdpProxy({ host: "127.0.3.3", port: 0, dialer: endpointDialer({ relayFor: () => r.address() }) });
    await proxy.listen();
    cleanup.push(() => proxy.close());
    proxy.setEndpoints([endpoint(remote, { nodeName: "node-b", local: false })]);
    expect(await udpAsk("127.0.3.3", proxy.port, "dns?")).toEqual({ text: "udp-remote:dns?", from: `127.0.3.3:${proxy.port}` });
    expect(r.counters.relayed).toBe(1);
  });
});
