// Why: the node agent with real containers — pod startup latency against the Kubernetes SLO
// (p99 create → Running ≤ 5 s for stateless pods whose image is present) and the agent's own
// cost. A fresh control plane (`startControlPlane`), Podman's Docker-compatible service, and one
// `edgeplane agent --runtime docker` child process; 20 pods of busybox httpd with an HTTP
// readiness probe are created at once, each timed from its create request to the first pod watch
// event showing it Running and the first showing it Ready. The agent's RSS and CPU are sampled
// idle (node registered, no pods) and with the 20 pods running.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/cli/paths.js";
import type { HttpClient, LineStream } from "./client.js";
import { withPodmanNode } from "./podman-node.js";
import { now, summarize, type Summary } from "./stats.js";
import { rss } from "./system.js";

export const CONTAINER_PODS = 20;
const NODE = "bench-box";
const SAMPLE_S = 10;

export interface AgentCost {
  rssBytes: number;
  /** CPU time over wall time while sampled, percent of one core. */
  cpuPercent: number;
}

export interface StartupRun {
  /** Milliseconds between two creates (0: all at once). */
  spacingMs: number;
  toRunning: Summary;
  toReady: Summary;
  ready: number;
  /** Seconds from the first create to the last pod Ready. */
  wallS: number;
  timedOut?: string;
}

export interface ContainersResult {
  pods: number;
  engine: string;
  /** RSS of a Node.js process with the TypeScript loader the CLI registers and nothing else: what any `edgeplane` command costs. */
  loaderRssBytes: number;
  /** All pods created at once. */
  burst: StartupRun;
  /** One pod every PACE_MS, as the SLO's latency pods are created. */
  paced: StartupRun;
  idle: AgentCost;
  busy: AgentCost;
}

export const PACE_MS = 1000;
const NS = "default";

/** Creates CONTAINER_PODS pods `spacingMs` apart and times each to Running and to Ready through a pod watch. */
async function startPods(http: HttpClient, image: string, prefix: string, spacingMs: number): Promise<StartupRun> {
  const list = JSON.parse((await http.request("GET", `/api/v1/namespaces/${NS}/pods`)).body.toString());
  const createdAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  let allReady: () => void = () => {};
  const done = new Promise<void>((r) => (allReady = r));
  const stream: LineStream = await http.stream("GET", `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (line) => {
    const t = now();
    const ev = JSON.parse(line) as { type: string; object: any };
    const name = ev.object?.metadata?.name as string;
    if (!name?.startsWith(`${prefix}-`)) return;
    if (ev.object?.status?.phase === "Running" && !runningAt.has(name)) runningAt.set(name, t);
    if (ev.object?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") && !readyAt.has(name)) {
      readyAt.set(name, t);
      if (readyAt.size === CONTAINER_PODS) allReady();
    }
  });
  try {
    const t0 = now();
    const creates: Promise<void>[] = [];
    for (let i = 0; i < CONTAINER_PODS; i++) {
      const name = `${prefix}-${i}`;
      creates.push(
        (async () => {
          createdAt.set(name, now());
          const r = await http.request("POST", `/api/v1/namespaces/${NS}/pods`, JSON.stringify(podManifest(name, image)), { "content-type": "application/json" });
          if (r.status !== 201) throw new Error(`create ${name}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
        })(),
      );
      if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
    }
    await Promise.all(creates);
    let timedOut: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(() => ((timedOut = `${readyAt.size} of ${CONTAINER_PODS} Ready after 120 s`), r()), 120_000)))]);
    clearTimeout(timer);
    const wallS = (now() - t0) / 1000;
    const lat = (m: Map<string, number>) => [...m].map(([name, t]) => t - (createdAt.get(name) ?? t0));
    return { spacingMs, toRunning: summarize(lat(runningAt), wallS * 1000), toReady: summarize(lat(readyAt), wallS * 1000), ready: readyAt.size, wallS, timedOut };
  } finally {
    stream.close();
  }
}

/** Deletes the bench's pods and waits until the agent has removed them. */
async function deletePods(http: HttpClient): Promise<void> {
  await http.request("DELETE", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbench`);
  const deadline = now() + 60_000;
  while (now() < deadline) {
    const left = JSON.parse((await http.request("GET", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbench`)).body.toString()).items.length;
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** utime + stime of a process in seconds (from /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The RSS of `node` with tsx registered as bin/edgeplane.js registers it, idle: the floor under the agent's. */
async function loaderRss(): Promise<number> {
  const code = `import("tsx/esm/api").then((m) => { m.register({ tsconfig: ${JSON.stringify(join(packageRoot, "tsconfig.json"))} }); setInterval(() => {}, 1000); })`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { cwd: packageRoot, stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 3000));
  const bytes = rss(child.pid ?? -1);
  child.kill("SIGKILL");
  return bytes;
}

async function sampleCost(pid: number, seconds: number): Promise<AgentCost> {
  const c0 = cpuSeconds(pid);
  const t0 = now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuSeconds(pid) - c0;
  return { rssBytes: rss(pid), cpuPercent: (cpu / ((now() - t0) / 1000)) * 100 };
}

function podManifest(name: string, image: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench" } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "httpd",
          image,
          command: ["httpd", "-f", "-p", "80", "-h", "/www"],
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 1 },
        },
      ],
    },
  };
}

export async function containersBench(log: (line: string) => void): Promise<ContainersResult> {
  return withPodmanNode({ name: "containers", node: NODE, vars: { CLUSTER_CIDR: "10.253.0.0/16" } }, async ({ podman, image, http, agent }) => {
    log(`  podman ${podman.version}; agent pid ${agent.pid} registered node ${NODE}; sampling it idle for ${SAMPLE_S} s`);
    const idle = await sampleCost(agent.pid, SAMPLE_S);

    const burst = await startPods(http, image, "burst", 0);
    log(`  burst: ${burst.ready} of ${CONTAINER_PODS} pods Ready in ${burst.wallS.toFixed(1)} s; sampling the agent with them for ${SAMPLE_S} s`);
    const busy = await sampleCost(agent.pid, SAMPLE_S);
    await deletePods(http);
    const paced = await startPods(http, image, "paced", PACE_MS);
    log(`  paced (one pod every ${PACE_MS} ms): ${paced.ready} of ${CONTAINER_PODS} pods Ready in ${paced.wallS.toFixed(1)} s`);
    await deletePods(http);
    return { pods: CONTAINER_PODS, engine: `podman ${podman.version}`, loaderRssBytes: await loaderRss(), burst, paced, idle, busy };
  });
}
