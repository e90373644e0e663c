// Small real servers and clients for the proxy's tests: any 127.x.y.z address is local on Linux,
// so a ClusterIP and several pods are emulated by loopback addresses without root.
import { spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { afterEach } from "vitest";
import type { ServiceEndpoint } from "./plan.js";

export interface TestServer {
  ip: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP pod that says `<name>\n` on connect (a server that speaks first), then echoes what it reads
 * and ends once the client ended its side (so a half-closing client still gets the echo).
 */
export async function identityServer(name: string, ip: string, port = 0): Promise<TestServer & { server: Server }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {});
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, ip, () => resolve());
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    ip,
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A UDP pod answering each datagram with `<name>:<datagram>`. */
export async function udpIdentityServer(name: string, ip: string, port = 0): Promise<TestServer & { socket: UdpSocket }> {
  const socket = createSocket("udp4");
  socket.on("message", (msg, from) => socket.send(`${name}:${msg.toString()}`, from.port, from.address));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, ip, () => resolve());
  });
  return { ip, port: socket.address().port, socket, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

export type Cleanups = Array<() => Promise<void>>;

/** For the test file calling it: what its tests register here is undone after each test, last first. */
export function cleanupAfterEach(): Cleanups {
  const cleanup: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  return cleanup;
}

/** n pods named pod-0, pod-1… at `<net>.10`, `<net>.11`…, started by `start` and closed after the test. */
export async function startPods<T extends TestServer>(n: number, net: string, start: (name: string, ip: string) => Promise<T>, cleanup: Cleanups): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const s = await start(`pod-${i}`, `${net}.${10 + i}`);
    cleanup.push(() => s.close());
    out.push(s);
  }
  return out;
}

/** A port nothing listens on (bound once, then released): connecting to it is refused. */
export async function freePort(ip: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, ip, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A port whose SYNs go unanswered, as a pod behind a dead node: a listener with a full accept queue
 * in a child process whose event loop is blocked (so it never accepts). Connecting to it hangs.
 */
export async function blackHole(ip: string): Promise<TestServer> {
  const script = `
    const server = require("node:net").createServer();
    server.listen({ host: ${JSON.stringify(ip)}, port: 0, backlog: 1 }, () => {
      process.stdout.write(server.address().port + "\\n", () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); process.exit(0); });
    });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").once("data", (d: string) => resolve(Number(d.trim())));
    child.once("exit", () => reject(new Error("black hole process exited")));
  });
  // Fill the accept queue; the fillers themselves may hang, which is the point.
  const fillers = [0, 1, 2, 3].map(() => connect({ host: ip, port }).on("error", () => {}));
  await new Promise((r) => setTimeout(r, 50));
  return {
    ip,
    port,
    close: async () => {
      for (const f of fillers) f.destroy();
      child.kill("SIGKILL");
    },
  };
}

export interface Answer {
  /** The first line: the endpoint's name. */
  name: string;
  /** Everything after it: the echo. */
  echo: string;
}

/** Connects, sends payload, half-closes and reads until the proxy closes; rejects on reset. */
export function ask(ip: string, port: number, payload = "", localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ip, port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) });
    let data = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => (data += d));
    s.on("error", reject);
    s.on("end", () => {
      s.end();
      const nl = data.indexOf("\n");
      resolve({ name: nl < 0 ? data : data.slice(0, nl), echo: nl < 0 ? "" : data.slice(nl + 1) });
    });
    s.on("connect", () => s.end(payload));
  });
}

/** Sends one datagram from a fresh socket and waits for the answer (and where it came from). */
export async function udpAsk(ip: string, port: number, payload: string, timeoutMs = 2000): Promise<{ text: string; from: string }> {
  const socket = createSocket("udp4");
  try {
    return await udpExchange(socket, ip, port, payload, timeoutMs);
  } finally {
    socket.close();
  }
}

export function udpExchange(socket: UdpSocket, ip: string, port: number, payload: string, timeoutMs = 2000): Promise<{ text: string; from: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      reject(new Error(`no UDP answer from ${ip}:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (msg: Buffer, from: { address: string; port: number }) => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      resolve({ text: msg.toString(), from: `${from.address}:${from.port}` });
    };
    socket.on("message", onMessage);
    socket.send(payload, port, ip);
  });
}

export const endpoint = (s: { ip: string; port: number }, extra: Partial<ServiceEndpoint> = {}): ServiceEndpoint => ({ ip: s.ip, port: s.port, local: true, ...extra });

export function collectingLogger(): { info: string[]; error: string[]; log: { info(l: string): void; error(l: string): void } } {
  const info: string[] = [];
  const error: string[] = [];
  return { info, error, log: { info: (l) => info.push(l), error: (l) => error.push(l) } };
}

export async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
