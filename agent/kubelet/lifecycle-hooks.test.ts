// postStart/preStop handlers: exec through a runtime stub, httpGet against a real local server, sleep.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { ContainerRuntime, ExecResult } from "../runtimes/runtime.js";
import { runLifecycleHandler } from "./lifecycle-hooks.js";

let server: http.Server;
let port = 0;
const hits: Array<{ url?: string; ua?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push({ url: req.url, ua: req.headers["user-agent"] });
    res.statusCode = req.url === "/broken" ? 500 : 200;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const pod = { metadata: { name: "web", namespace: "default", uid: "u1" }, spec: {} } as unknown as Pod;
const container = { name: "app", ports: [{ name: "admin", containerPort: 0, protocol: "TCP" }] } as any;
const runtime = (answer: ExecResult) => ({ exec: async () => answer }) as unknown as ContainerRuntime;
const target = (rt: ContainerRuntime = runtime({ exitCode: 0, output: "", timedOut: false })) => ({ runtime: rt, pod, container, containerId: "c1", podIP: "127.0.0.1" });

describe("runLifecycleHandler", () => {
  it("exec: succeeds on exit 0, fails with upstream's message otherwise", async () => {
    expect(await runLifecycleHandler({ exec: { command: ["sh", "-c", "true"] } }, target(), { timeoutSeconds: 5 })).toBeUndefined();
    const failed = await runLifecycleHandler({ exec: { command: ["sh", "-c", "exit 2"] } }, target(runtime({ exitCode: 2, output: "oops", timedOut: false })), { timeoutSeconds: 5 });
    expect(failed).toBe(`Exec lifecycle hook ([sh -c exit 2]) for Container "app" in Pod "web_default(u1)" failed - error: command 'sh -c exit 2' exited with 2: oops, message: "oops"`);
  });

  it("httpGet: a request that is answered succeeds (whatever the status, as upstream); one that cannot be made fails", async () => {
    hits.length = 0;
    expect(await runLifecycleHandler({ httpGet: { path: "/hook", port, scheme: "HTTP" } }, target(), { timeoutSeconds: 5 })).toBeUndefined();
    expect(await runLifecycleHandler({ httpGet: { path: "/broken", port, scheme: "HTTP" } }, target(), { timeoutSeconds: 5 })).toBeUndefined();
    expect(hits).toEqual([
      { url: "/hook", ua: "kube-lifecycle/1.32" },
      { url: "/broken", ua: "kube-lifecycle/1.32" },
    ]);
    const refused = await runLifecycleHandler({ httpGet: { path: "/hook", port: 1, scheme: "HTTP" } }, target(), { timeoutSeconds: 5 });
    expect(refused).toBe(`HTTP lifecycle hook (/hook) for Container "app" in Pod "web_default(u1)" failed - error: Get "http://127.0.0.1:1/hook": dial tcp 127.0.0.1:1: connect: connection refused`);
  });

  it("sleep: waits, and fails when cut short", async () => {
    const started = Date.now();
    expect(await runLifecycleHandler({ sleep: { seconds: 0 } }, target(), { timeoutSeconds: 5 })).toBeUndefined();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const cut = await runLifecycleHandler({ sleep: { seconds: 30 } }, target(), { timeoutSeconds: 30, signal: abort.signal });
    expect(cut).toBe(`Sleep lifecycle hook (30) for Container "app" in Pod "web_default(u1)" failed - error: container terminated before sleep hook finished`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
