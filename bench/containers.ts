// Why: the node agent with real containers — pod startup latency against the Kubernetes SLO
// (p99 create → Running ≤ 5 s for stateless pods whose image is present) and the agent's own
// cost. A fresh control plane (`startControlPlane`), Podman's Docker-compatible service, and one
// `edgeplane agent --runtime docker` child process; 20 pods of busybox httpd with an HTTP
// readiness probe are created at once, each timed from its create request to the first pod watch
// event showing it Running and the first showing it Ready. The agent's RSS and CPU are sampled
// idle (node registered, no pods) and with the 20 pods running.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOOTSTRAP_TOKEN_ENV } from "../agent/cli/flags.js";
import { READY_LINE } from "../agent/agent.js";
import { eachLine } from "../src/cli/each-line.js";
import { packageRoot } from "../src/cli/paths.js";
import { startControlPlane, type ControlPlane } from "../src/cli/up.js";
import { ensureBusyboxImage, startPodman, type Podman } from "../test/support/podman.js";
import { HttpClient, type LineStream } from "./client.js";
import { bootstrapToken } from "./sim-agent.js";
import { now, summarize, type Summary } from "./stats.js";
import { freePort, rss } from "./system.js";

export const CONTAINER_PODS = 20;
const NODE = "bench-box";
const SAMPLE_S = 10;

export interface AgentCost {
  rssBytes: number;
  /** CPU time over wall time while sampled, percent of one core. */
  cpuPercent: number;
}

export interface ContainersResult {
  pods: number;
  engine: string;
  toRunning: Summary;
  toReady: Summary;
  idle: AgentCost;
  busy: AgentCost;
  /** Seconds from the first create to the last pod Ready. */
  wallS: number;
  timedOut?: string;
}

/** utime + stime of a process in seconds (from /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function sampleCost(pid: number, seconds: number): Promise<AgentCost> {
  const c0 = cpuSeconds(pid);
  const t0 = now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuSeconds(pid) - c0;
  return { rssBytes: rss(pid), cpuPercent: (cpu / ((now() - t0) / 1000)) * 100 };
}

function startDockerAgent(cp: ControlPlane, token: string, endpoint: string, rootDir: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const args = [join(packageRoot, "bin", "edgeplane.js"), "agent", "--server", cp.url, "--certificate-authority", cp.caPath, "--name", NODE, "--runtime", "docker", "--runtime-endpoint", endpoint, "--root-dir", rootDir];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [BOOTSTRAP_TOKEN_ENV]: token, EDGEPLANE_STOP_WITH_PARENT: "1" } });
  const lines: string[] = [];
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      lines.push(line);
      if (READY_LINE.test(line)) resolve({ pid: child.pid ?? -1, stop });
    };
    eachLine(child.stdout, onLine);
    eachLine(child.stderr, onLine);
    void exited.then(() => reject(new Error(`the agent exited before its node ran:\n${lines.slice(-20).join("\n")}`)));
  });
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
  const work = mkdtempSync(join(tmpdir(), "edgeplane-bench-containers-"));
  let podman: Podman | undefined;
  let cp: ControlPlane | undefined;
  let agent: { pid: number; stop(): Promise<void> } | undefined;
  let stream: LineStream | undefined;
  try {
    podman = await startPodman();
    const image = await ensureBusyboxImage("localhost/edgeplane-test/busybox:1");
    cp = await startControlPlane({ port: await freePort(), stateDir: join(work, "state"), kubeconfigPath: join(work, "kubeconfig"), readyTimeoutMs: 90_000, vars: { CLUSTER_CIDR: "10.253.0.0/16" } });
    const http = new HttpClient(cp.url, { token: cp.token, ca: cp.caPem });
    agent = await startDockerAgent(cp, await bootstrapToken(cp), podman.endpoint, join(work, "agent"));
    log(`  podman ${podman.version}; agent pid ${agent.pid} registered node ${NODE}; sampling it idle for ${SAMPLE_S} s`);
    const idle = await sampleCost(agent.pid, SAMPLE_S);

    const ns = "default";
    const list = JSON.parse((await http.request("GET", `/api/v1/namespaces/${ns}/pods`)).body.toString());
    const createdAt = new Map<string, number>();
    const runningAt = new Map<string, number>();
    const readyAt = new Map<string, number>();
    let allReady: () => void = () => {};
    const done = new Promise<void>((r) => (allReady = r));
    stream = await http.stream("GET", `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (line) => {
      const t = now();
      const ev = JSON.parse(line) as { type: string; object: any };
      const name = ev.object?.metadata?.name as string;
      if (ev.object?.status?.phase === "Running" && !runningAt.has(name)) runningAt.set(name, t);
      if (ev.object?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") && !readyAt.has(name)) {
        readyAt.set(name, t);
        if (readyAt.size === CONTAINER_PODS) allReady();
      }
    });
    const t0 = now();
    await Promise.all(
      Array.from({ length: CONTAINER_PODS }, async (_, i) => {
        const name = `startup-${i}`;
        createdAt.set(name, now());
        const r = await http.request("POST", `/api/v1/namespaces/${ns}/pods`, JSON.stringify(podManifest(name, image)), { "content-type": "application/json" });
        if (r.status !== 201) throw new Error(`create ${name}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
      }),
    );
    let timedOut: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(() => ((timedOut = `${readyAt.size} of ${CONTAINER_PODS} Ready after 120 s`), r()), 120_000)))]);
    clearTimeout(timer);
    const wallS = (now() - t0) / 1000;
    const lat = (m: Map<string, number>) => [...m].map(([name, t]) => t - (createdAt.get(name) ?? t0));
    log(`  ${readyAt.size} pods Ready in ${wallS.toFixed(1)} s; sampling the agent with them for ${SAMPLE_S} s`);
    const busy = await sampleCost(agent.pid, SAMPLE_S);
    await http.request("DELETE", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dbench`);
    return { pods: CONTAINER_PODS, engine: `podman ${podman.version}`, toRunning: summarize(lat(runningAt), wallS * 1000), toReady: summarize(lat(readyAt), wallS * 1000), idle, busy, wallS, timedOut };
  } finally {
    stream?.close();
    // Give the agent a moment to stop the deleted pods' containers, then remove what is left.
    await new Promise((r) => setTimeout(r, 3000));
    await agent?.stop();
    await podman?.removeByLabel(`io.edgeplane.node=${NODE}`).catch(() => {});
    await podman?.removeNetwork(`edgeplane-${NODE}`).catch(() => {});
    await cp?.stop();
    await podman?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
