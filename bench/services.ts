// Why: the cost of the agent's service proxy, and how soon a pod that turns Ready gets traffic.
// A fresh control plane, Podman's Docker-compatible service and one `edgeplane agent --runtime
// docker` (service proxy on, userspace). One busybox httpd pod behind a NodePort Service: the same
// pod is loaded with autocannon straight at its pod IP, through the ClusterIP and through the
// NodePort, in alternating rounds of one run, so the ratios compare like with like on a noisy
// machine. Then pods are added to a Service one at a time, each turning Ready a few seconds after
// it starts; a client sending requests to the ClusterIP all along notes when the new pod first
// answers, and that is timed from the pod watch event showing it Ready.
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startControlPlane, type ControlPlane } from "../src/cli/up.js";
import { ensureBusyboxImage, startPodman, type Podman } from "../test/support/podman.js";
import { HttpClient, type LineStream } from "./client.js";
import { startDockerAgent } from "./containers.js";
import { bootstrapToken } from "./sim-agent.js";
import { now, summarize, type Summary } from "./stats.js";
import { freePort } from "./system.js";

const NODE = "bench-svc";
const NS = "default";
/** autocannon per round: connections and seconds; rounds alternate the three targets. */
export const LOAD = { connections: 10, seconds: 5, rounds: 3 };
/** Pods added one by one for Ready → traffic. */
export const READY_SAMPLES = 5;

export interface TargetLoad {
  target: "pod IP" | "ClusterIP" | "NodePort";
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

export interface ServicesResult {
  engine: string;
  load: TargetLoad[];
  readyToTraffic: Summary;
  /** Samples that never got traffic within 20 s. */
  missed: number;
}

function podManifest(name: string, image: string, readyAfterS: number) {
  // Each pod's page is its name; it turns Ready once /tmp/www/ready exists (readyAfterS after start).
  const script = `mkdir -p /tmp/www && echo ${name} > /tmp/www/index.html && (sleep ${readyAfterS}; touch /tmp/www/ready) & exec httpd -f -p 80 -h /tmp/www`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench-svc" } },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "httpd", image, command: ["sh", "-c", script], ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: "/ready", port: 80 }, periodSeconds: 1 } }],
    },
  };
}

function get(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(body.trim()));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(""));
    req.end();
  });
}

async function createPod(http: HttpClient, name: string, image: string, readyAfterS: number): Promise<void> {
  const r = await http.request("POST", `/api/v1/namespaces/${NS}/pods`, JSON.stringify(podManifest(name, image, readyAfterS)), { "content-type": "application/json" });
  if (r.status !== 201) throw new Error(`create pod ${name}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function podOf(http: HttpClient, name: string): Promise<any> {
  return JSON.parse((await http.request("GET", `/api/v1/namespaces/${NS}/pods/${name}`)).body.toString());
}

const isReady = (p: any) => p?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");

/** Alternating autocannon rounds against the three addresses of one pod. */
async function loadRounds(targets: Array<{ target: TargetLoad["target"]; url: string }>, log: (line: string) => void): Promise<TargetLoad[]> {
  const acc = new Map<string, { rps: number[]; p50: number[]; p99: number[]; requests: number; errors: number }>();
  for (let round = 1; round <= LOAD.rounds; round++) {
    for (const t of targets) {
      const r = await autocannon({ url: t.url, connections: LOAD.connections, duration: LOAD.seconds, timeout: 5 });
      const a = acc.get(t.target) ?? { rps: [], p50: [], p99: [], requests: 0, errors: 0 };
      a.rps.push(r.requests.average);
      a.p50.push(r.latency.p50);
      a.p99.push(r.latency.p99);
      a.requests += r.requests.total;
      a.errors += r.errors + r.timeouts + r.non2xx;
      acc.set(t.target, a);
      log(`  round ${round}: ${t.target} ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return targets.map(({ target }) => {
    const a = acc.get(target)!;
    return { target, requestsPerSecond: median(a.rps), p50Ms: median(a.p50), p99Ms: median(a.p99), requests: a.requests, errors: a.errors };
  });
}

/** Adds pods one at a time to the Service; each time, how long from its Ready event to its first answer through the ClusterIP. */
async function readyToTraffic(http: HttpClient, image: string, clusterIP: string): Promise<{ samples: number[]; missed: number }> {
  const samples: number[] = [];
  let missed = 0;
  for (let i = 0; i < READY_SAMPLES; i++) {
    const name = `late-${i}`;
    const list = JSON.parse((await http.request("GET", `/api/v1/namespaces/${NS}/pods`)).body.toString());
    let readyAt: number | undefined;
    const stream: LineStream = await http.stream("GET", `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (line) => {
      const ev = JSON.parse(line) as { object: any };
      if (ev.object?.metadata?.name === name && readyAt === undefined && isReady(ev.object)) readyAt = now();
    });
    try {
      await createPod(http, name, image, 3);
      let answeredAt: number | undefined;
      const deadline = now() + 30_000;
      while (now() < deadline && answeredAt === undefined) {
        if ((await get(`http://${clusterIP}/`)) === name) answeredAt = now();
      }
      if (answeredAt === undefined || readyAt === undefined) missed++;
      else samples.push(Math.max(0, answeredAt - readyAt));
    } finally {
      stream.close();
    }
    await http.request("DELETE", `/api/v1/namespaces/${NS}/pods/${name}`);
  }
  return { samples, missed };
}

export async function servicesBench(log: (line: string) => void): Promise<ServicesResult> {
  const work = mkdtempSync(join(tmpdir(), "edgeplane-bench-services-"));
  let podman: Podman | undefined;
  let cp: ControlPlane | undefined;
  let agent: { pid: number; stop(): Promise<void> } | undefined;
  try {
    podman = await startPodman();
    const image = await ensureBusyboxImage("localhost/edgeplane-test/busybox:1");
    cp = await startControlPlane({
      port: await freePort(),
      stateDir: join(work, "state"),
      kubeconfigPath: join(work, "kubeconfig"),
      readyTimeoutMs: 90_000,
      vars: { CLUSTER_CIDR: "10.248.0.0/16", SERVICE_CLUSTER_IP_RANGE: "172.24.0.0/20" },
    });
    const http = new HttpClient(cp.url, { token: cp.token, ca: cp.caPem });
    agent = await startDockerAgent(cp, await bootstrapToken(cp), podman.endpoint, join(work, "agent"), NODE, ["--proxy-relay-port", "0"]);
    await createPod(http, "backend", image, 0);
    const svcBody = { apiVersion: "v1", kind: "Service", metadata: { name: "bench-svc" }, spec: { type: "NodePort", selector: { app: "bench-svc" }, ports: [{ port: 80 }] } };
    const svc = JSON.parse((await http.request("POST", `/api/v1/namespaces/${NS}/services`, JSON.stringify(svcBody), { "content-type": "application/json" })).body.toString());
    const clusterIP = svc.spec.clusterIP as string;
    const nodePort = svc.spec.ports[0].nodePort as number;
    const pod = await waitFor("the backend pod Ready", async () => {
      const p = await podOf(http, "backend");
      return isReady(p) ? p : undefined;
    });
    const podIP = pod.status.podIP as string;
    const node = JSON.parse((await http.request("GET", `/api/v1/nodes/${NODE}`)).body.toString());
    const nodeIP = node.status.addresses.find((a: any) => a.type === "InternalIP").address as string;
    await waitFor("the ClusterIP answering", async () => ((await get(`http://${clusterIP}/`)) === "backend" ? true : undefined), 30_000);
    log(`  podman ${podman.version}; pod ${podIP}, ClusterIP ${clusterIP}, NodePort ${nodeIP}:${nodePort}; ${LOAD.rounds} rounds of ${LOAD.seconds} s × ${LOAD.connections} connections per target`);
    const load = await loadRounds(
      [
        { target: "pod IP", url: `http://${podIP}/` },
        { target: "ClusterIP", url: `http://${clusterIP}/` },
        { target: "NodePort", url: `http://${nodeIP}:${nodePort}/` },
      ],
      log,
    );
    const { samples, missed } = await readyToTraffic(http, image, clusterIP);
    log(`  Ready → first answer through the ClusterIP: ${samples.map((s) => s.toFixed(0)).join(", ")} ms${missed ? ` (${missed} missed)` : ""}`);
    return { engine: `podman ${podman.version}`, load, readyToTraffic: summarize(samples, 1), missed };
  } finally {
    await deleteBenchPods(cp);
    await new Promise((r) => setTimeout(r, 2000));
    await agent?.stop();
    await podman?.removeByLabel(`io.edgeplane.node=${NODE}`).catch(() => {});
    await podman?.removeNetwork(`edgeplane-${NODE}`).catch(() => {});
    await cp?.stop();
    await podman?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function deleteBenchPods(cp: ControlPlane | undefined): Promise<void> {
  if (!cp) return;
  const http = new HttpClient(cp.url, { token: cp.token, ca: cp.caPem });
  await http.request("DELETE", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbench-svc`).catch(() => undefined);
}
