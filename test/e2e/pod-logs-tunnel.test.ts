// `kubectl logs` through the node tunnel, end to end: the real control plane (`edgeplane up`),
// a node that joins with a bootstrap token (NodeCredentials) and opens its tunnel with the real
// TunnelClient in this process, serving logs with the real log provider over the simulated
// runtime's bookkeeping whose containers print what this test writes. Then the real kubectl
// and client-node's Log class: plain, --tail, --timestamps, -c, --previous (and its refusal),
// -f with lines written after the request and the end of the stream, a client leaving (the
// agent's stream is cancelled), a non-node identity refused, and a reconnect after a restart.
import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { Log } from "@kubernetes/client-node";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBootstrapToken } from "../../agent/local/local-agent.js";
import { Transport } from "../../agent/client/transport.js";
import { NodeCredentials } from "../../agent/credentials/node-credentials.js";
import { logProvider } from "../../agent/kubelet/log-provider.js";
import type { Logger } from "../../agent/log.js";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type LogOptions } from "../../agent/runtimes/runtime.js";
import { SimulatedRuntime } from "../../agent/runtimes/simulated.js";
import { TunnelClient } from "../../agent/tunnel/tunnel-client.js";
import { tunnelConnectPath } from "../../src/tunnel/frames.js";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { hasKubectl, kubectlFor, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

const NODE = "tunnel-node";
const T0 = Date.parse("2030-01-02T03:04:05.000Z");

/** The simulated runtime, whose containers print what the test writes (follow, tail, timestamps, since). */
class ScriptedRuntime extends SimulatedRuntime {
  private readonly lines = new Map<string, Array<{ at: number; text: string }>>();
  private readonly followers = new Map<string, Set<{ out: PassThrough; timestamps: boolean }>>();
  readonly cancelled: string[] = [];

  write(id: string, text: string): void {
    const line = { at: T0 + (this.lines.get(id)?.length ?? 0) * 1000, text };
    this.lines.set(id, [...(this.lines.get(id) ?? []), line]);
    for (const f of this.followers.get(id) ?? []) f.out.write(format(line, f.timestamps));
  }

  /** The container's output ends (it exited): followers' streams end. */
  finish(id: string): void {
    for (const f of this.followers.get(id) ?? []) f.out.end();
    this.followers.delete(id);
  }

  async containerLogs(id = "", opts: LogOptions = {}): Promise<Readable> {
    let lines = (this.lines.get(id) ?? []).filter((l) => opts.sinceTime === undefined || l.at >= opts.sinceTime);
    if (opts.tailLines !== undefined) lines = lines.slice(Math.max(0, lines.length - opts.tailLines));
    const out = new PassThrough();
    for (const l of lines) out.write(format(l, opts.timestamps === true));
    if (!opts.follow) {
      out.end();
      return out;
    }
    const follower = { out, timestamps: opts.timestamps === true };
    this.followers.set(id, new Set([...(this.followers.get(id) ?? []), follower]));
    opts.signal?.addEventListener("abort", () => {
      this.cancelled.push(id);
      this.followers.get(id)?.delete(follower);
    });
    return out;
  }
}

const format = (l: { at: number; text: string }, timestamps: boolean) => (timestamps ? `${new Date(l.at).toISOString().replace(".000Z", ".000000000Z")} ` : "") + `${l.text}\n`;

let h: Edgeplane;
let kubectl: Kubectl;
let runtime: ScriptedRuntime;
let tunnel: TunnelClient;
let credentials: NodeCredentials;
let transport: Transport;
const agentErrors: string[] = [];
const log: Logger = { info: () => {}, error: (line) => agentErrors.push(line) };
const ids: Record<string, string> = {};

/** A pod bound to NODE (POST binding), and its containers in the runtime. */
async function boundPod(name: string, containers: string[]): Promise<string> {
  const created = await api(h, "POST", "/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: containers.map((c) => ({ name: c, image: "busybox:1.36" })) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const bound = await api(h, "POST", `/api/v1/namespaces/default/pods/${name}/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { apiVersion: "v1", kind: "Node", name: NODE } });
  expect(bound.status, JSON.stringify(bound.body)).toBe(201);
  const uid = created.body.metadata.uid as string;
  const labels = { [LABEL_POD_NAME]: name, [LABEL_POD_NAMESPACE]: "default", [LABEL_POD_UID]: uid };
  const sandbox = await runtime.runPodSandbox({ name, namespace: "default", uid, attempt: 0, hostname: name, hostNetwork: false, labels, annotations: {} });
  for (const c of containers) {
    const id = await runtime.createContainer(sandbox, { name: c, image: "busybox:1.36", kind: "regular", labels: { ...labels, [LABEL_CONTAINER_NAME]: c }, annotations: {} });
    await runtime.startContainer(id);
    ids[`${name}/${c}`] = id;
  }
  return uid;
}

beforeAll(async () => {
  h = await startEdgeplane();
  kubectl = kubectlFor(h);
  runtime = new ScriptedRuntime({ nodeName: NODE, podCIDR: "10.244.9.0/24" });
  transport = new Transport({ server: h.url, ca: h.ca, log });
  credentials = new NodeCredentials(transport, NODE, await createBootstrapToken(h.kubeconfigPath), log);
  await credentials.join();
  tunnel = new TunnelClient({
    server: h.url,
    nodeName: NODE,
    token: () => credentials.token(),
    tls: { ca: h.ca },
    log,
    handlers: { logs: logProvider(runtime, NODE) },
    unauthorized: () => credentials.unauthorized(),
    backoff: { initialMs: 200, maxMs: 1000 },
  });
  tunnel.start();
  await until("the tunnel is open", async () => (tunnel.connected ? true : undefined), 15_000);

  await boundPod("web", ["app"]);
  for (const l of ["line 1", "line 2", "line 3"]) runtime.write(ids["web/app"], l);
  await boundPod("two", ["a", "b"]);
  runtime.write(ids["two/a"], "from a");
  runtime.write(ids["two/b"], "from b");
}, 120_000);

afterAll(async () => {
  await tunnel?.stop();
  credentials?.stop();
  transport?.close();
  await h?.stop();
});

describe.skipIf(!hasKubectl)("kubectl logs through the node tunnel", () => {
  warnIfNoKubectl("pod-logs-tunnel");

  it("prints the container's output, with --tail, --timestamps, -c and --limit-bytes", async () => {
    expect(await kubectl.ok(["logs", "web"])).toBe("line 1\nline 2\nline 3\n");
    expect(await kubectl.ok(["logs", "web", "--tail", "2"])).toBe("line 2\nline 3\n");
    expect(await kubectl.ok(["logs", "web", "--timestamps", "--tail", "1"])).toBe("2030-01-02T03:04:07.000000000Z line 3\n");
    expect(await kubectl.ok(["logs", "web", "--since-time", "2030-01-02T03:04:06Z"])).toBe("line 2\nline 3\n");
    expect(await kubectl.ok(["logs", "web", "--limit-bytes", "9"])).toBe("line 1\nli");
    expect(await kubectl.ok(["logs", "two", "-c", "b"])).toBe("from b\n");
    // Without -c kubectl picks the first container itself and says so.
    const two = await kubectl(["logs", "two"]);
    expect([two.code, two.stdout]).toEqual([0, "from a\n"]);
    expect(two.stderr).toContain('Defaulted container "a" out of: a, b');
    expect(agentErrors).toEqual([]);
  });

  it("relays the kubelet's refusal of --previous, and serves the previous instance once there is one", async () => {
    const r = await kubectl(["logs", "web", "--previous"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (BadRequest): previous terminated container "app" in pod "web" not found');
    const uid = await boundPod("restarted", ["app"]);
    runtime.write(ids["restarted/app"], "first run");
    await runtime.stopContainer(ids["restarted/app"], 0);
    const sandbox = (await runtime.listPodSandboxes()).find((s) => s.config.uid === uid)!.id;
    const labels = { [LABEL_POD_NAME]: "restarted", [LABEL_POD_NAMESPACE]: "default", [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: "app" };
    await new Promise((res) => setTimeout(res, 5)); // a later createdAt
    const second = await runtime.createContainer(sandbox, { name: "app", image: "busybox:1.36", kind: "regular", labels, annotations: {} });
    await runtime.startContainer(second);
    runtime.write(second, "second run");
    expect(await kubectl.ok(["logs", "restarted", "--previous"])).toBe("first run\n");
    expect(await kubectl.ok(["logs", "restarted"])).toBe("second run\n");
  });

  it("-f streams lines written after the request, and ends when the container's output ends", async () => {
    await boundPod("follow", ["app"]);
    const id = ids["follow/app"];
    runtime.write(id, "before");
    const child = spawn("kubectl", ["logs", "-f", "follow"], { env: { ...process.env, KUBECONFIG: h.kubeconfigPath }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    await until("the first line", async () => (out === "before\n" ? true : undefined), 10_000);
    runtime.write(id, "after 1");
    await until("a line written later", async () => (out.endsWith("after 1\n") ? true : undefined), 5_000);
    runtime.write(id, "after 2");
    await until("another", async () => (out.endsWith("after 2\n") ? true : undefined), 5_000);
    runtime.finish(id);
    expect(await exited).toBe(0);
    expect(out).toBe("before\nafter 1\nafter 2\n");
  });

  it("a client that leaves cancels the agent's stream", async () => {
    await boundPod("leaver", ["app"]);
    const id = ids["leaver/app"];
    runtime.write(id, "hello");
    const child = spawn("kubectl", ["logs", "-f", "leaver"], { env: { ...process.env, KUBECONFIG: h.kubeconfigPath }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    await until("the first line", async () => (out === "hello\n" ? true : undefined), 10_000);
    child.kill("SIGKILL");
    // The runtime reports the client gone when the next bytes are written: the container prints on.
    await until("the agent's stream cancelled", async () => {
      if (!runtime.cancelled.includes(id)) runtime.write(id, "tick");
      return runtime.cancelled.includes(id) ? true : undefined;
    }, 10_000);
  });
});

describe("client-node and the tunnel's admission", () => {
  it("client-node's Log streams a follow, and its abort cancels the agent's stream", async () => {
    await boundPod("client", ["app"]);
    const id = ids["client/app"];
    runtime.write(id, "one");
    const sink = new PassThrough();
    let got = "";
    sink.on("data", (c: Buffer) => (got += c.toString()));
    const ctl = await new Log(kubeClient(h)).log("default", "client", "app", sink, { follow: true, tailLines: 5 });
    await until("the first line", async () => (got === "one\n" ? true : undefined), 10_000);
    runtime.write(id, "two");
    await until("the next line", async () => (got === "one\ntwo\n" ? true : undefined), 5_000);
    ctl.abort();
    await until("the agent's stream cancelled", async () => {
      if (!runtime.cancelled.includes(id)) runtime.write(id, "tick");
      return runtime.cancelled.includes(id) ? true : undefined;
    }, 10_000);
  });

  it("refuses a tunnel to anyone but the node itself (403)", async () => {
    const url = h.url.replace(/^https/, "wss") + tunnelConnectPath(NODE);
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${h.token}` }, ca: h.ca });
      ws.on("unexpected-response", (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.on("open", () => reject(new Error("the admin opened a node's tunnel")));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(403);
    // The TunnelClient with a wrong identity says why, once, and keeps trying.
    const lines: string[] = [];
    const impostor = new TunnelClient({ server: h.url, nodeName: NODE, token: () => h.token, tls: { ca: h.ca }, log: { info: () => {}, error: (l) => lines.push(l) }, handlers: { logs: () => Promise.reject(new Error("unused")) }, backoff: { initialMs: 100, maxMs: 200 } });
    impostor.start();
    await until("a refusal logged", async () => (lines.length > 0 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    await impostor.stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^✗ node tunnel-node: tunnel to the control plane cannot open: the control plane answered 403: nodes\.tunnel\.edgeplane\.dev "tunnel-node" is forbidden: User "edgeplane-admin" cannot connect/);
    expect(impostor.connects).toBe(0);
    // The real node's tunnel was not disturbed.
    expect(tunnel.connected).toBe(true);
  });

  it("the agent reconnects after the control plane restarts", async () => {
    const before = tunnel.connects;
    await h.restart();
    await until("the tunnel open again", async () => (tunnel.connected && tunnel.connects > before ? true : undefined), 20_000);
    const r = await api(h, "GET", "/api/v1/namespaces/default/pods/web/log?tailLines=1");
    expect([r.status, r.body]).toEqual([200, "line 3\n"]);
  }, 90_000);
});
