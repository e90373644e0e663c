// Why: the scheduling bench's measurement of one size — P bare pods created into one namespace
// against N simulated nodes, each pod timed from its create request to the first event of a pod
// watch that shows it bound (spec.nodeName) and the first that shows it Running — and the
// scheduler's own counters (GET /debug/scheduler) sampled while it works.
import type { SchedulerStats } from "../src/controllers/cluster/scheduler-runner.js";
import type { HttpClient, LineStream } from "./client.js";
import { now, summarize, type Summary } from "./stats.js";
import { runOps, type OpResult } from "./workloads.js";

/** GET /debug/scheduler's scheduler counters. */
export type SchedulerCounters = SchedulerStats;

export interface StartupResult {
  pods: number;
  create: OpResult;
  bound: number;
  running: number;
  /** Pods bound per second: bound / (last bind seen − first create sent). */
  bindPerSec: number;
  /** Pods Running per second: running / (last Running seen − first create sent). */
  runPerSec: number;
  /** Create sent → first watch event with spec.nodeName / with status.phase Running, ms. */
  toBound: Summary;
  toRunning: Summary;
  /** The scheduler's counters over the run (deltas) and the longest round seen by sampling. */
  rounds: number;
  schedulerBound: number;
  bindFailures: number;
  unschedulable: number;
  maxRoundMs: number;
  /**
   * The longest time no pod got bound while more pods were created than bound (beyond the creates
   * in flight), and the longest time no pod turned Running while some were bound and not Running, s.
   */
  bindStallS: number;
  runStallS: number;
  /** The scheduler's queue (pending) at most, sampled during the bind stalls longer than 2 s. */
  pendingInStall: number;
  /** Times the bench's own pod watch was cut and resumed. */
  watchResumes: number;
  /** The node lifecycle controller's writes over the run: Ready conditions set Unknown, taints changed, pods evicted. */
  lifecycle: { statusUpdates: number; taintUpdates: number; evictions: number };
  /** Seconds from the first create to the last pod Running (or to the timeout). */
  wallS: number;
  /** Set when not every pod was Running before the timeout. */
  timedOut?: string;
}

export interface LifecycleCounters {
  passes: number;
  statusUpdates: number;
  taintUpdates: number;
  evictions: number;
}

export async function schedulerCounters(http: HttpClient): Promise<SchedulerCounters> {
  return (await controllerCounters(http)).scheduler;
}

/** GET /debug/scheduler: the scheduler's and the node lifecycle controller's counters. */
export async function controllerCounters(http: HttpClient): Promise<{ scheduler: SchedulerCounters; nodeLifecycle: LifecycleCounters }> {
  return (await http.json("GET", "/debug/scheduler")).value;
}

/** A pod as a user would create a bare one: one container, requests, no grace period. */
export function benchPod(ns: string, name: string, cpu: string, memory: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: { app: "sched-bench" } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu, memory } } }],
    },
  };
}

export interface StartupOptions {
  ns: string;
  pods: number;
  concurrency: number;
  cpu: string;
  memory: string;
  timeoutMs: number;
  log: (s: string) => void;
}

/** Creates the pods with `concurrency` in flight and waits until every one is Running (or the timeout). */
export async function podStartup(http: HttpClient, o: StartupOptions): Promise<StartupResult> {
  const { ns } = o;
  await http.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, [201, 409]);
  const { value: list } = await http.json("GET", `/api/v1/namespaces/${ns}/pods?limit=1`);
  const sent = new Map<string, number>();
  const boundAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  let lastBind = NaN;
  let lastRun = NaN;
  // The pod watch; if the stream is cut (wrangler dev's proxy under load), it resumes from the last event seen.
  let lastRv = list.metadata.resourceVersion as string;
  let watching = true;
  let watchResumes = 0;
  let stream: LineStream | undefined;
  const onLine = (line: string) => {
    const t = now();
    const ev = JSON.parse(line) as { type: string; object: any };
    if (ev.type !== "ADDED" && ev.type !== "MODIFIED") return;
    lastRv = ev.object.metadata.resourceVersion;
    const name = ev.object?.metadata?.name as string;
    if (ev.object.spec?.nodeName && !boundAt.has(name)) {
      boundAt.set(name, t);
      lastBind = t;
    }
    if (ev.object.status?.phase === "Running" && !runningAt.has(name)) {
      runningAt.set(name, t);
      lastRun = t;
    }
  };
  const openWatch = async (): Promise<void> => {
    const s = await http.stream("GET", `/api/v1/namespaces/${ns}/pods?watch=true&allowWatchBookmarks=false&resourceVersion=${lastRv}`, onLine);
    if (s.status !== 200) throw new Error(`pod watch on ${ns}: HTTP ${s.status}`);
    stream = s;
    void s.ended.then(async () => {
      while (watching) {
        watchResumes++;
        await new Promise((r) => setTimeout(r, 200));
        try {
          if (watching) await openWatch();
          return;
        } catch {
          // not yet: try again
        }
      }
    });
  };
  await openWatch();

  const both0 = await controllerCounters(http);
  const c0 = both0.scheduler;
  let lifecycle = both0.nodeLifecycle;
  let maxRoundMs = 0;
  let counters = c0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        ({ scheduler: counters, nodeLifecycle: lifecycle } = await controllerCounters(http));
        maxRoundMs = Math.max(maxRoundMs, counters.lastRoundMs);
      } catch {
        // a slow answer under load: the next poll tells
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const start = now();
  const stall = { bound: 0, boundAt: start, bindS: 0, running: 0, runningAt: start, runS: 0, pending: NaN };
  const stallTimer = setInterval(() => {
    const t = now();
    if (boundAt.size !== stall.bound) [stall.bound, stall.boundAt] = [boundAt.size, t];
    else if (sent.size - boundAt.size > o.concurrency) {
      stall.bindS = Math.max(stall.bindS, (t - stall.boundAt) / 1000);
      if (t - stall.boundAt > 2_000) stall.pending = Math.max(Number.isNaN(stall.pending) ? 0 : stall.pending, counters.pending);
    }
    if (runningAt.size !== stall.running) [stall.running, stall.runningAt] = [runningAt.size, t];
    else if (boundAt.size > runningAt.size) stall.runS = Math.max(stall.runS, (t - stall.runningAt) / 1000);
  }, 250);
  const progress = setInterval(() => {
    o.log(
      `    ${((now() - start) / 1000).toFixed(0).padStart(3)} s: created ${sent.size}/${o.pods}, bound ${boundAt.size}, Running ${runningAt.size}; ` +
        `scheduler rounds ${counters.rounds - c0.rounds}, last round ${counters.lastRoundMs} ms, pending ${counters.pending}` +
        (lifecycle.statusUpdates + lifecycle.taintUpdates > both0.nodeLifecycle.statusUpdates + both0.nodeLifecycle.taintUpdates
          ? `; node lifecycle: ${lifecycle.statusUpdates - both0.nodeLifecycle.statusUpdates} nodes set Unknown, ${lifecycle.taintUpdates - both0.nodeLifecycle.taintUpdates} taint updates`
          : ""),
    );
  }, 5_000);
  try {
    const width = String(o.pods - 1).length;
    const create = await runOps(o.pods, o.concurrency, async (i) => {
      const name = `pod-${String(i).padStart(width, "0")}`;
      sent.set(name, now());
      await http.json("POST", `/api/v1/namespaces/${ns}/pods`, benchPod(ns, name, o.cpu, o.memory));
    });
    if (create.errors) o.log(`    ${create.errors} creates failed; the first: ${create.firstError}`);
    const created = create.n;
    const deadline = start + o.timeoutMs;
    while (runningAt.size < created && now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const wallS = (now() - start) / 1000;
    polling = false;
    await poller;
    const both1 = await controllerCounters(http);
    const c1 = both1.scheduler;
    const l0 = both0.nodeLifecycle;
    const l1 = both1.nodeLifecycle;
    maxRoundMs = Math.max(maxRoundMs, c1.lastRoundMs);
    const first = Math.min(...sent.values());
    const latencies = (at: Map<string, number>) => [...at].flatMap(([name, t]) => (sent.has(name) ? [t - sent.get(name)!] : []));
    const span = (last: number) => (last - first) / 1000;
    const timedOut =
      runningAt.size < created
        ? `${runningAt.size} of ${created} pods Running (${boundAt.size} bound) after ${(o.timeoutMs / 1000).toFixed(0)} s`
        : undefined;
    return {
      pods: o.pods,
      create,
      bound: boundAt.size,
      running: runningAt.size,
      bindPerSec: boundAt.size / span(lastBind),
      runPerSec: runningAt.size / span(lastRun),
      toBound: summarize(latencies(boundAt), 0),
      toRunning: summarize(latencies(runningAt), 0),
      rounds: c1.rounds - c0.rounds,
      schedulerBound: c1.bound - c0.bound,
      bindFailures: c1.bindFailures - c0.bindFailures,
      unschedulable: c1.unschedulable - c0.unschedulable,
      maxRoundMs,
      bindStallS: stall.bindS,
      runStallS: stall.runS,
      pendingInStall: stall.pending,
      watchResumes,
      lifecycle: { statusUpdates: l1.statusUpdates - l0.statusUpdates, taintUpdates: l1.taintUpdates - l0.taintUpdates, evictions: l1.evictions - l0.evictions },
      wallS,
      timedOut,
    };
  } finally {
    polling = false;
    clearInterval(progress);
    clearInterval(stallTimer);
    watching = false;
    stream?.close();
  }
}
