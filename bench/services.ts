// Why: the cost of the agent's service proxy, and how soon a pod that turns Ready gets traffic.
// A fresh control plane, Podman's Docker-compatible service and one `edgeplane agent --runtime
// docker` (service proxy on, userspace). One busybox httpd pod behind a NodePort Service: the same
// pod is loaded with autocannon straight at its pod IP, through the ClusterIP and through the
// NodePort, in alternating rounds of one run, so the ratios compare like with like on a noisy
// machine. Then pods are added to a Service one at a time, each turning Ready a few seconds after
// it starts; a client sending requests to the ClusterIP all along notes when the new pod first
// answers, and that is timed from the pod watch event showing it Ready.
import autocannon from "autocannon";
import { getOnce } from "../test/support/http-get.js";
import type { HttpClient, LineStream } from "./client.js";
import { withPodmanNode } from "./podman-node.js";
import { now, summarize, type Summary } from "./stats.js";

const NODE = "bench-svc";
const NS = "default";
/** autocannon per round: connections and seconds; rounds alternate the three targets. */
export const LOAD = { connections: 10, seconds: 5, rounds: 3 };
/** Pods added one by one for Ready → traffic. */
export const READY_SAMPLES = 10;

export interface TargetLoad {
  target: "pod IP" | "ClusterIP" | "NodePort";
  /** The agent's --proxy-mode during the rounds. */
  mode: "userspace" | "iptables";
  /** autocannon's requests per second (median round). */
  requestsPerSecond: number;
  requests: number;
  errors: number;
  /** One request at a time, each on a new connection: what one request costs. */
  p50Ms: number;
  p99Ms: number;
}

/** Sequential requests per target and round for the latency figures. */
export const LATENCY_REQUESTS = 200;

export interface ServicesResult {
  engine: string;
  load: TargetLoad[];
  readyToTraffic: Summary;
  /** Samples that never got traffic within 20 s. */
  missed: number;
}

function podManifest(name: string, image: string, readyAfterS: number) {
  // Each pod's page is its name; it turns Ready once /tmp/www/ready exists (readyAfterS after start).
  const script = `mkdir -p /tmp/www; echo ${name} > /tmp/www/index.html; (sleep ${readyAfterS}; touch /tmp/www/ready) & exec httpd -f -p 80 -h /tmp/www`;
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

const get = (url: string) => getOnce(url, 2000);

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

/**
 * Alternating rounds against the three addresses of one pod: autocannon's throughput, then
 * LATENCY_REQUESTS requests one at a time, each timed here. (autocannon's own latencies are not
 * usable with a server that closes every connection: it reported 688 ms on average at 5,754
 * req/s over 10 connections against busybox httpd on loopback, which Little's law rules out.)
 */
async function loadRounds(mode: TargetLoad["mode"], targets: Array<{ target: TargetLoad["target"]; url: string }>, log: (line: string) => void): Promise<TargetLoad[]> {
  const acc = new Map<string, { rps: number[]; latencies: number[]; requests: number; errors: number }>();
  for (let round = 1; round <= LOAD.rounds; round++) {
    for (const t of targets) {
      const r = await autocannon({ url: t.url, connections: LOAD.connections, duration: LOAD.seconds, timeout: 5 });
      const a = acc.get(t.target) ?? { rps: [], latencies: [], requests: 0, errors: 0 };
      a.rps.push(r.requests.average);
      a.requests += r.requests.total;
      a.errors += r.errors + r.timeouts + r.non2xx;
      for (let i = 0; i < LATENCY_REQUESTS; i++) {
        const t0 = now();
        if ((await get(t.url)).startsWith("ERR")) a.errors++;
        else a.latencies.push(now() - t0);
      }
      acc.set(t.target, a);
      log(`  ${mode} round ${round}: ${t.target} ${r.requests.average.toFixed(0)} req/s`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return targets.map(({ target }) => {
    const a = acc.get(target)!;
    const lat = summarize(a.latencies, 1);
    return { target, mode, requestsPerSecond: median(a.rps), p50Ms: lat.p50, p99Ms: lat.p99, requests: a.requests, errors: a.errors };
  });
}

/** Adds pods one at a time to the Service; each time, how long from its Ready event to its first answer through the ClusterIP. */
async function readyToTraffic(http: HttpClient, image: string, clusterIP: string, log: (line: string) => void): Promise<{ samples: number[]; missed: number }> {
  const samples: number[] = [];
  let missed = 0;
  for (let i = 0; i < READY_SAMPLES; i++) {
    const name = `late-${i}`;
    const list = JSON.parse((await http.request("GET", `/api/v1/namespaces/${NS}/pods`)).body.toString());
    let readyAt: number | undefined;
    const seen: string[] = [];
    const stream: LineStream = await http.stream("GET", `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (line) => {
      const ev = JSON.parse(line) as { type: string; object: any };
      if (ev.object?.metadata?.name === name) seen.push(`${ev.type} rv=${ev.object.metadata.resourceVersion} ${ev.object.status?.phase} ready=${isReady(ev.object)}`);
      if (ev.object?.metadata?.name === name && readyAt === undefined && isReady(ev.object)) readyAt = now();
    });
    try {
      await createPod(http, name, image, 3);
      let answeredAt: number | undefined;
      const deadline = now() + 30_000;
      while (now() < deadline && answeredAt === undefined) {
        if ((await get(`http://${clusterIP}/`)) === name) answeredAt = now();
      }
      // The bench's own watch can see Ready after the proxy already sent traffic: wait for it a little.
      for (let waited = 0; answeredAt !== undefined && readyAt === undefined && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      if (answeredAt === undefined || readyAt === undefined) {
        missed++;
        log(`  ${name}: ${readyAt === undefined ? "no watch event showed it Ready" : "it never answered through the ClusterIP"} within 30 s; its events: ${seen.join("; ")}; now: ${JSON.stringify((await podOf(http, name)).status?.conditions)}`);
      }
      // Negative: the pod answered before the bench's watch delivered its Ready event (counted as 0).
      else samples.push(Math.max(0, answeredAt - readyAt));
    } finally {
      stream.close();
    }
    await http.request("DELETE", `/api/v1/namespaces/${NS}/pods/${name}`);
  }
  return { samples, missed };
}

export async function servicesBench(log: (line: string) => void): Promise<ServicesResult> {
  const vars = { CLUSTER_CIDR: "10.248.0.0/16", SERVICE_CLUSTER_IP_RANGE: "172.24.0.0/20" };
  return withPodmanNode({ name: "services", node: NODE, vars, agentArgs: ["--proxy-relay-port", "0"] }, async ({ podman, image, http, restartAgent }) => {
    try {
      await createPod(http, "backend", image, 0);
      const svcBody = { apiVersion: "v1", kind: "Service", metadata: { name: "bench-svc" }, spec: { type: "NodePort", selector: { app: "bench-svc" }, ports: [{ port: 80 }] } };
      const svc = JSON.parse((await http.request("POST", `/api/v1/namespaces/${NS}/services`, JSON.stringify(svcBody), { "content-type": "application/json" })).body.toString());
      const clusterIP = svc.spec.clusterIP as string;
      const nodePort = svc.spec.ports[0].nodePort as number;
      let last: any;
      const pod = await waitFor("the backend pod Ready", async () => {
        last = await podOf(http, "backend");
        return isReady(last) ? last : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; its status: ${JSON.stringify(last?.status)}`);
      });
      const podIP = pod.status.podIP as string;
      const node = JSON.parse((await http.request("GET", `/api/v1/nodes/${NODE}`)).body.toString());
      const nodeIP = node.status.addresses.find((a: any) => a.type === "InternalIP").address as string;
      await waitFor("the ClusterIP answering", async () => ((await get(`http://${clusterIP}/`)) === "backend" ? true : undefined), 30_000);
      log(`  podman ${podman.version}; pod ${podIP}, ClusterIP ${clusterIP}, NodePort ${nodeIP}:${nodePort}; ${LOAD.rounds} rounds of ${LOAD.seconds} s × ${LOAD.connections} connections per target`);
      const targets = [
        { target: "pod IP" as const, url: `http://${podIP}/` },
        { target: "ClusterIP" as const, url: `http://${clusterIP}/` },
        { target: "NodePort" as const, url: `http://${nodeIP}:${nodePort}/` },
      ];
      const load = await loadRounds("userspace", targets, log);
      const { samples, missed } = await readyToTraffic(http, image, clusterIP, log);
      log(`  Ready → first answer through the ClusterIP: ${samples.map((s) => s.toFixed(0)).join(", ")} ms${missed ? ` (${missed} missed)` : ""}`);
      // The same pod through NAT rules: the agent again, with --proxy-mode iptables.
      await restartAgent(["--proxy-mode", "iptables"]);
      await waitFor("the ClusterIP answering through iptables", async () => ((await get(`http://${clusterIP}/`)) === "backend" ? true : undefined), 30_000);
      load.push(...(await loadRounds("iptables", targets, log)));
      return { engine: `podman ${podman.version}`, load, readyToTraffic: summarize(samples, 1), missed };
    } finally {
      await http.request("DELETE", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbench-svc`).catch(() => undefined);
    }
  });
}
