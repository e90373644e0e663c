// Probe handlers against real local HTTP and TCP servers; exec through a runtime stub (the
// runtime's exec is what is under the kubelet there, and here no container runs).
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerRuntime, ExecResult } from "../../runtimes/runtime.js";
import { httpGetURL, ProbeError, resolvePort, runProbe, type Probe } from "./prober.js";

let server: http.Server;
let port = 0;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/ok") return res.end("fine");
    if (url.pathname === "/fail") {
      res.statusCode = 500;
      return res.end("secret details");
    }
    if (url.pathname === "/hop") {
      res.writeHead(302, { location: "/ok" });
      return res.end();
    }
    if (url.pathname === "/away") {
      res.writeHead(301, { location: "http://example.invalid/elsewhere" });
      return res.end("moved");
    }
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" });
      return res.end();
    }
    if (url.pathname === "/slow") return void setTimeout(() => res.end("late"), 1500);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const container = { name: "app", ports: [{ name: "http", containerPort: 0, protocol: "TCP" }] };
const target = (runtime?: Partial<ContainerRuntime>) => ({ runtime: runtime as ContainerRuntime, container: { ...container, ports: [{ name: "http", containerPort: port, protocol: "TCP" }] }, containerId: "c1", podIP: "127.0.0.1" });
const httpProbeSpec = (path: string, extra: Partial<NonNullable<Probe["httpGet"]>> = {}): Probe => ({ httpGet: { path, port, scheme: "HTTP", ...extra }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

describe("httpGet", () => {
  it("passes on 2xx, on the pod IP by default, with kube-probe's headers and the probe's own", async () => {
    seen.length = 0;
    const r = await runProbe(httpProbeSpec("ok", { httpHeaders: [{ name: "X-Check", value: "1" }, { name: "Accept", value: "text/plain" }] }), target());
    expect(r).toEqual({ result: "Success", output: "fine" });
    expect(seen[0]).toMatchObject({ "user-agent": "kube-probe/1.32", "x-check": "1", accept: "text/plain", host: `127.0.0.1:${port}` });
  });

  it("fails on 4xx/5xx without the body in the message", async () => {
    expect(await runProbe(httpProbeSpec("/fail"), target())).toEqual({ result: "Failure", output: "HTTP probe failed with statuscode: 500" });
    expect(await runProbe(httpProbeSpec("/missing"), target())).toEqual({ result: "Failure", output: "HTTP probe failed with statuscode: 404" });
  });

  it("follows a redirect on the same host, and passes with a warning on one to another host", async () => {
    expect(await runProbe(httpProbeSpec("/hop"), target())).toEqual({ result: "Success", output: "fine" });
    expect(await runProbe(httpProbeSpec("/away"), target())).toEqual({ result: "Warning", output: "Probe terminated redirects, Response body: moved" });
  });

  it("stops after 10 redirects", async () => {
    const r = await runProbe(httpProbeSpec("/loop"), target());
    expect(r.result).toBe("Failure");
    expect(r.output).toBe(`Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`);
  });

  it("resolves the port by the name of a containerPort", async () => {
    expect(await runProbe(httpProbeSpec("/ok", { port: "http" }), target())).toMatchObject({ result: "Success" });
    expect(await runProbe(httpProbeSpec("/ok", { port: String(port) }), target())).toMatchObject({ result: "Success" });
    await expect(runProbe(httpProbeSpec("/ok", { port: "nope" }), target())).rejects.toThrow(ProbeError);
  });

  it("fails with Go's messages when nothing listens or the answer is too slow", async () => {
    const closed = await closedPort();
    expect(await runProbe(httpProbeSpec("/ok", { port: closed }), target())).toEqual({ result: "Failure", output: `Get "http://127.0.0.1:${closed}/ok": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
    const started = Date.now();
    const slow = await runProbe(httpProbeSpec("/slow"), target());
    expect(slow).toEqual({ result: "Failure", output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it("builds the URL as upstream: scheme, host override, path with a leading slash, IPv6 in brackets", () => {
    expect(httpGetURL({ path: "healthz", port: 8080, scheme: "HTTPS" }, container, "10.0.0.1").href).toBe("https://10.0.0.1:8080/healthz");
    expect(httpGetURL({ path: "/a?b=1", port: 80, scheme: "HTTP", host: "example.com" }, container, "10.0.0.1").href).toBe("http://example.com/a?b=1");
    expect(httpGetURL({ path: "/", port: 80, scheme: "HTTP" }, container, "fd00::1").href).toBe("http://[fd00::1]/");
    expect(() => httpGetURL({ path: "/", port: 80, scheme: "HTTP" }, container, undefined)).toThrow(ProbeError);
  });
});

describe("tcpSocket", () => {
  it("passes when the port accepts, fails with Go's message when it refuses", async () => {
    const spec = (p: number | string): Probe => ({ tcpSocket: { port: p }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(await runProbe(spec(port), target())).toEqual({ result: "Success", output: "" });
    expect(await runProbe(spec("http"), target())).toEqual({ result: "Success", output: "" });
    const closed = await closedPort();
    expect(await runProbe(spec(closed), target())).toEqual({ result: "Failure", output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });
});

describe("exec", () => {
  const spec = (command: string[], timeoutSeconds = 1): Probe => ({ exec: { command }, timeoutSeconds, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  const runtime = (answer: ExecResult | Error) => {
    const calls: unknown[][] = [];
    return {
      calls,
      exec: async (...args: unknown[]) => {
        calls.push(args);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
  };

  it("passes on exit 0 and fails otherwise with the output, calling the runtime with the probe's timeout", async () => {
    const ok = runtime({ exitCode: 0, output: "", timedOut: false });
    expect(await runProbe(spec(["cat", "/tmp/healthy"], 3), target(ok))).toEqual({ result: "Success", output: "" });
    expect(ok.calls).toEqual([["c1", ["cat", "/tmp/healthy"], 3]]);
    const bad = runtime({ exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n", timedOut: false });
    expect(await runProbe(spec(["cat", "/tmp/healthy"]), target(bad))).toEqual({ result: "Failure", output: "cat: can't open '/tmp/healthy': No such file or directory\n" });
  });

  it("fails a command that timed out, and errors when the runtime cannot exec", async () => {
    expect(await runProbe(spec(["sleep", "5"]), target(runtime({ exitCode: -1, output: "", timedOut: true })))).toEqual({ result: "Failure", output: 'command "sleep 5" timed out' });
    await expect(runProbe(spec(["true"]), target(runtime(new Error("container c1 not found"))))).rejects.toThrow(ProbeError);
  });
});

describe("resolvePort", () => {
  it("takes numbers, numeric strings and containerPort names", () => {
    const c = { name: "app", ports: [{ name: "web", containerPort: 8080, protocol: "TCP" }] };
    expect(resolvePort(80, c)).toBe(80);
    expect(resolvePort("81", c)).toBe(81);
    expect(resolvePort("web", c)).toBe(8080);
    expect(() => resolvePort("db", c)).toThrow("couldn't find port: db in app");
  });
});
