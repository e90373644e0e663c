// Why: the scheduler benchmark — for each size, a fresh control plane (startControlPlane) and one
// `edgeplane agent --runtime simulated --nodes N` child process; bare pods created into one
// namespace and timed to bound and Running (pod-startup.ts); the agent's and workerd's RSS; and,
// after the largest size, the scheduler's heap rebuilt in this process from the listed objects
// (scheduler-memory.ts). Tables and the docs section are in scheduling-report.ts.
import { mkdtempSync, readFileSync, rmSync, watch, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/cli/paths.js";
import { startControlPlane, type ControlPlane } from "../src/cli/up.js";
import { HttpClient } from "./client.js";
import { SCHEDULING } from "./config.js";
import { podStartup, schedulerCounters, type StartupResult } from "./pod-startup.js";
import { schedulerHeap, type HeapResult, type ListedObjects } from "./scheduler-memory.js";
import { bootstrapToken, startSimAgent, type SimAgent } from "./sim-agent.js";
import { now } from "./stats.js";
import { descendantsNamed, freePort, rss } from "./system.js";

export interface SizeRun {
  name: string;
  nodes: number;
  pods: number;
  startup?: StartupResult;
  /** Why the size did not complete. */
  error?: string;
  /** What disturbed the run: a Worker reload, errors of wrangler's dev proxy. */
  disturbed: string[];
  /** Warnings and errors the control plane printed (wrangler dev, workerd, the Worker's console.warn), counted by message. */
  warnings: Map<string, number>;
  /** The agent's problem lines (✗ …) over the run, counted by message. */
  agentProblems: Map<string, number>;
  controlPlaneS: number;
  /** The agent's own figure for joining and registering every node, and until the scheduler had them all. */
  agentJoinS: number;
  nodesSeenS: number;
  agentRss: { registered: number; running: number };
  /** The agent's V8 heap in use after forced collections (read after the RSS). */
  agentHeap: { registered: number; running: number };
  workerdRss: { idle: number; registered: number; running: number };
  /** CPU seconds over the pod phase. */
  cpu: { workerd: number; wrangler: number; agent: number; bench: number };
  /** The namespace store's revision delta over the pod phase, per pod created. */
  writesPerPod: number;
  wallS: number;
}

export interface SchedulingResult {
  sizes: SizeRun[];
  /** RSS and live heap of an agent running 1 node (tainted NoSchedule: no pods), the per-node baseline. */
  baselineRss: number;
  baselineHeap: number;
  heap?: HeapResult;
  heapError?: string;
  totalS: number;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU seconds of a process from /proc (NaN once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
const benchCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const sum = (v: number[]) => v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);

/** Watches what wrangler dev bundles: a change there reloads the Worker mid-run. */
function sourceWatch(): { changed: string[]; close(): void } {
  const changed: string[] = [];
  const watchers: FSWatcher[] = [];
  for (const dir of ["src", "durable-objects"]) {
    try {
      watchers.push(watch(join(packageRoot, dir), { recursive: true }, (_e, f) => changed.length < 5 && f && !changed.includes(`${dir}/${f}`) && changed.push(`${dir}/${f}`)));
    } catch {
      // recursive watch unsupported: the workerd pid check still catches a restart
    }
  }
  return { changed, close: () => watchers.forEach((w) => w.close()) };
}

async function nsRevision(http: HttpClient, ns: string): Promise<number> {
  return Number((await http.json("GET", `/api/v1/namespaces/${ns}/configmaps?limit=1`)).value.metadata.resourceVersion);
}

async function untilNodesSeen(http: HttpClient, n: number, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const c = await schedulerCounters(http).catch(() => undefined);
    if (c && c.nodes >= n) return;
    if (now() > deadline) throw new Error(`the scheduler saw ${c?.nodes ?? "?"} of ${n} nodes after ${timeoutMs / 1000} s`);
    await settle(250);
  }
}

async function listed(http: HttpClient, ns: string): Promise<ListedObjects> {
  const get = async (path: string) => {
    const r = await http.request("GET", path);
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return r.body;
  };
  return {
    nodes: await get("/api/v1/nodes"),
    leases: await get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"),
    pods: await get(`/api/v1/namespaces/${ns}/pods`),
  };
}

interface SizeOptions {
  name: string;
  nodes: number;
  pods: number;
  /** Measure a 1-node agent first (the per-node baseline). */
  baseline: boolean;
  /** List the objects afterwards for the heap measurement. */
  list: boolean;
}

async function runSize(o: SizeOptions, log: (s: string) => void): Promise<{ run: SizeRun; baseline?: { rss: number; heap: number }; objects?: ListedObjects }> {
  const c = SCHEDULING;
  const started = now();
  const run: SizeRun = {
    name: o.name,
    nodes: o.nodes,
    pods: o.pods,
    disturbed: [],
    warnings: new Map(),
    agentProblems: new Map(),
    controlPlaneS: NaN,
    agentJoinS: NaN,
    nodesSeenS: NaN,
    agentRss: { registered: NaN, running: NaN },
    agentHeap: { registered: NaN, running: NaN },
    workerdRss: { idle: NaN, registered: NaN, running: NaN },
    cpu: { workerd: NaN, wrangler: NaN, agent: NaN, bench: NaN },
    writesPerPod: NaN,
    wallS: NaN,
  };
  const work = mkdtempSync(join(tmpdir(), "edgeplane-bench-sched-"));
  // Ctrl-C ends the bench with process.exit: the state goes too (wrangler and the agent stop with the process).
  const removeWork = () => rmSync(work, { recursive: true, force: true });
  process.on("exit", removeWork);
  const sources = sourceWatch();
  let cp: ControlPlane | undefined;
  let http: HttpClient | undefined;
  let agent: SimAgent | undefined;
  let baseline: { rss: number; heap: number } | undefined;
  let objects: ListedObjects | undefined;
  try {
    const port = await freePort();
    const onOutput = (line: string) => {
      if (!/warn|error|fail|✘|▲/i.test(line) || /Request\.cf|getaddrinfo|GetAddrInfo/.test(line)) return;
      const key = line.replace(/\x1b\[[0-9;]*m/g, "").replace(/\d+/g, "N").trim().slice(0, 160);
      if (run.warnings.size < 50 || run.warnings.has(key)) run.warnings.set(key, (run.warnings.get(key) ?? 0) + 1);
    };
    cp = await startControlPlane({ port, stateDir: join(work, "state"), kubeconfigPath: join(work, "kubeconfig"), readyTimeoutMs: 90_000, onOutput });
    run.controlPlaneS = cp.startupMs / 1000;
    http = new HttpClient(cp.url, { token: cp.token, ca: cp.caPem, maxSockets: 64 });
    await settle(1_000);
    const workerd = descendantsNamed(cp.pid, "workerd");
    // wrangler dev's own processes (node, its dev proxy's bookkeeping, esbuild): everything else under it.
    const wrangler = [cp.pid, ...descendantsNamed(cp.pid, "")].filter((p) => !workerd.includes(p));
    const workerdRss = () => sum(workerd.map(rss));
    run.workerdRss.idle = workerdRss();
    log(`  ${o.name}: fresh control plane at ${cp.url} (${run.controlPlaneS.toFixed(1)} s); workerd RSS ${mib(run.workerdRss.idle)}`);
    const token = await bootstrapToken(cp);

    if (o.baseline) {
      const base = await startSimAgent(cp, token, { nodes: 1, name: "bench-baseline", capacity: c.nodeCapacity, taints: "bench=baseline:NoSchedule", readyTimeoutMs: 60_000 });
      await settle(3_000);
      baseline = { rss: rss(base.pid), heap: await base.liveHeap() };
      await base.stop();
      await http.json("DELETE", "/api/v1/nodes/bench-baseline", undefined, [200, 202, 404]);
      log(`  agent with 1 node (the baseline): RSS ${mib(baseline.rss)}, live heap ${mib(baseline.heap)}`);
    }

    const t0 = now();
    agent = await startSimAgent(cp, token, {
      nodes: o.nodes,
      name: "sim",
      capacity: c.nodeCapacity,
      readyTimeoutMs: c.joinTimeoutMs,
      onWait: (s) => log(`    ${s.toFixed(0).padStart(3)} s: the agent's ${o.nodes} nodes are joining…`),
    });
    run.agentJoinS = agent.seconds;
    await untilNodesSeen(http, o.nodes, 60_000);
    run.nodesSeenS = (now() - t0) / 1000;
    await settle(3_000);
    run.agentRss.registered = rss(agent.pid);
    run.workerdRss.registered = workerdRss();
    run.agentHeap.registered = await agent.liveHeap();
    log(`  ${o.nodes} nodes registered in ${run.agentJoinS.toFixed(1)} s (the scheduler had them all after ${run.nodesSeenS.toFixed(1)} s); agent RSS ${mib(run.agentRss.registered)} (live heap ${mib(run.agentHeap.registered)}), workerd RSS ${mib(run.workerdRss.registered)}`);

    log(`  creating ${o.pods} pods (${c.podCpu} cpu, ${c.podMemory} each), ${c.concurrency} in flight…`);
    const ns = "sched-bench";
    await http.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, [201, 409]);
    const rev0 = await nsRevision(http, ns);
    const agentPid = agent.pid;
    const cpuNow = () => ({ workerd: sum(workerd.map(cpuSeconds)), wrangler: sum(wrangler.map(cpuSeconds)), agent: cpuSeconds(agentPid), bench: benchCpu() });
    const cpu0 = cpuNow();
    run.startup = await podStartup(http, { ns, pods: o.pods, concurrency: c.concurrency, cpu: c.podCpu, memory: c.podMemory, timeoutMs: c.runTimeoutMs, log });
    const cpu1 = cpuNow();
    run.cpu = { workerd: cpu1.workerd - cpu0.workerd, wrangler: cpu1.wrangler - cpu0.wrangler, agent: cpu1.agent - cpu0.agent, bench: cpu1.bench - cpu0.bench };
    run.writesPerPod = ((await nsRevision(http, ns)) - rev0) / Math.max(1, run.startup.create.n);
    await settle(3_000);
    run.agentRss.running = rss(agent.pid);
    run.workerdRss.running = workerdRss();
    run.agentHeap.running = await agent.liveHeap();
    const s = run.startup;
    log(
      `  ${s.bound} bound (${s.bindPerSec.toFixed(0)}/s), ${s.running} Running (${s.runPerSec.toFixed(0)}/s); create → Running p50 ${s.toRunning.p50.toFixed(0)} ms, p99 ${s.toRunning.p99.toFixed(0)} ms; ` +
        `agent RSS ${mib(run.agentRss.running)} (live heap ${mib(run.agentHeap.running)}), workerd RSS ${mib(run.workerdRss.running)}`,
    );
    if (s.timedOut) log(`  not complete: ${s.timedOut}`);
    if (s.watchResumes) run.disturbed.push(`the bench's pod watch was cut ${s.watchResumes} time(s) and resumed from the last event seen`);
    if (s.create.errors) {
      const proxy = /restarted mid-request/.test(s.create.firstError ?? "");
      run.disturbed.push(
        proxy
          ? `wrangler dev's proxy answered ${s.create.errors} creates with 503 "Your worker restarted mid-request" (it does when its fetch to workerd fails)`
          : `${s.create.errors} creates failed; the first: ${s.create.firstError?.slice(0, 160)}`,
      );
    }
    const workerdNow = descendantsNamed(cp.pid, "workerd");
    if (workerdNow.join(",") !== workerd.join(",")) run.disturbed.push(`workerd was restarted (pids ${workerd.join(", ")} → ${workerdNow.join(", ") || "none"})`);
    if (o.list) objects = await listed(http, ns);
  } catch (e) {
    run.error = (e as Error).message.split("\n")[0];
    log(`  ${o.name} FAILED: ${(e as Error).message}`);
  } finally {
    if (agent) run.agentProblems = agent.problems();
    const ready = run.startup !== undefined;
    if (run.agentProblems.size) log(`  the agent printed ${[...run.agentProblems.values()].reduce((a, b) => a + b, 0)} problem lines: ${[...run.agentProblems].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${n}× ${k}`).join("; ")}`);
    if (run.warnings.size) log(`  the control plane printed ${[...run.warnings.values()].reduce((a, b) => a + b, 0)} warning lines${ready ? "" : " (the run did not complete)"}: ${[...run.warnings].slice(0, 5).map(([k, n]) => `${n}× ${k}`).join("; ")}`);
    if (sources.changed.length) run.disturbed.push(`sources changed during the run (${sources.changed.join(", ")}): wrangler dev reloads the Worker`);
    sources.close();
    await agent?.stop();
    http?.close();
    await cp?.stop();
    process.off("exit", removeWork);
    removeWork();
    run.wallS = (now() - started) / 1000;
  }
  return { run, baseline, objects };
}

export async function schedulingBench(log: (s: string) => void): Promise<SchedulingResult> {
  const started = now();
  const c = SCHEDULING;
  const sizes: SizeRun[] = [];
  let baseline = { rss: NaN, heap: NaN };
  let objects: ListedObjects | undefined;
  for (const [i, size] of c.sizes.entries()) {
    const last = i === c.sizes.length - 1;
    const r = await runSize({ name: size.name, nodes: size.nodes, pods: size.pods, baseline: i === 0, list: last }, log);
    sizes.push(r.run);
    if (r.baseline) baseline = r.baseline;
    if (r.objects) objects = r.objects;
    for (const d of r.run.disturbed) log(`  WARNING: ${d}`);
  }
  let heap: HeapResult | undefined;
  let heapError: string | undefined;
  if (objects) {
    log(`  scheduler heap: ${c.heapNodes} Nodes and ${c.heapPods} bound Pods (from the listed objects) fed to the scheduler's classes in this process…`);
    try {
      heap = schedulerHeap(objects, c.heapNodes, c.heapPods);
      log(`    SchedulerCache ${mib(heap.cacheBytes)}; the whole ClusterControllers state ${mib(heap.instanceBytes)}${heap.forcedGc ? "" : " (no forced GC: noisy)"}`);
    } catch (e) {
      heapError = (e as Error).message;
      log(`    FAILED: ${heapError}`);
    }
  } else heapError = "the last size did not complete, so there were no objects to measure";
  return { sizes, baselineRss: baseline.rss, baselineHeap: baseline.heap, heap, heapError, totalS: (now() - started) / 1000 };
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : "n/a";
}
