// Why: `npm run bench` — starts edgeplane (startControlPlane) and etcd on loopback, runs the same
// workloads on both, prints side-by-side tables and writes docs/benchmarks.md with the machine it ran on.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlPlane, type ControlPlane } from "../src/cli/up.js";
import { HttpClient } from "./client.js";
import { ETCD_BINARY, EtcdTarget, etcdInstalled, startEtcd, type Etcd } from "./etcd.js";
import { KubeTarget } from "./kube.js";
import { configMap, pod } from "./objects.js";
import { now, summarize } from "./stats.js";
import {
  commandLine,
  descendantsNamed,
  filesUnder,
  freePort,
  loadAverage,
  machine,
  resetHighWater,
  rss,
  rssHighWater,
  rssPeak,
  type Machine,
} from "./system.js";
import { Table } from "./table.js";
import { CAVEAT, CRUD, DEPLOYMENT_REPLICAS, FILL_CONCURRENCY, FILL_CONFIGMAPS, FILL_PODS, LIST_ALL_REPEATS, WATCHERS, WATCH_WRITES } from "./config.js";
import { docs } from "./report.js";
import { deploymentBench, deploymentDocs, deploymentTable, type DeploymentBenchResult } from "./deployments.js";
import { schedulingBench } from "./scheduling.js";
import { CONTAINER_PODS, containersBench } from "./containers.js";
import { containersDocs, containersText, replaceContainersSection } from "./containers-report.js";
import { servicesBench } from "./services.js";
import { replaceServicesSection, servicesDocs, servicesText } from "./services-report.js";
import { replaceSchedulingSection, schedulingDocs, schedulingText } from "./scheduling-report.js";
import { crudSuite, runOps, watchLatency, type CrudConfig, type OpResult, type Row, type Target, type WatchRow } from "./workloads.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const docsPath = join(root, "docs", "benchmarks.md");
const log = (s = "") => process.stdout.write(`${s}\n`);

interface Resources {
  work?: string;
  cp?: ControlPlane;
  etcd?: Etcd;
  clients: HttpClient[];
}
const res: Resources = { clients: [] };

async function cleanup(): Promise<void> {
  for (const c of res.clients) c.close();
  const cp = res.cp;
  const etcd = res.etcd;
  res.cp = res.etcd = undefined;
  await Promise.allSettled([cp?.stop(), etcd?.stop()]);
  if (res.work) rmSync(res.work, { recursive: true, force: true });
  res.work = undefined;
}

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`\n${sig}: stopping edgeplane and etcd…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- memory ----

export interface MemoryReport {
  workerdPids: number[];
  /** "pid (command, RSS)" at idle and at the end. */
  processesIdle: string[];
  processesEnd: string[];
  rssIdle: number;
  /** RSS after the edgeplane CRUD runs and after the watch runs (filled in by main). */
  rssAfterCrud?: number;
  rssAfterWatch?: number;
  rssBeforeFill: number;
  cmFill: OpResult;
  rssAfterConfigMaps: number;
  cmStore: DoFile;
  podFill: OpResult;
  rssAfterPods: number;
  podStore: DoFile;
  lists: { ms: number; bytes: number; items: number; rssBefore: number; rssPeak: number; rssAfter: number }[];
}

interface DoFile {
  name: string;
  db: number;
  wal: number;
}

/** The Durable Object SQLite files (main file and WAL), by object id. */
function doFiles(stateDir: string): Map<string, DoFile> {
  const out = new Map<string, DoFile>();
  for (const f of filesUnder(join(stateDir, "workerd"))) {
    if (!f.path.includes("/do/")) continue;
    const m = /^([0-9a-f]{64})\.sqlite(-wal)?$/.exec(basename(f.path));
    if (!m) continue;
    const e = out.get(m[1]) ?? { name: m[1], db: 0, wal: 0 };
    if (m[2]) e.wal = f.bytes;
    else e.db = f.bytes;
    out.set(m[1], e);
  }
  return out;
}

/** The object whose files grew most between two snapshots: the namespace just filled. */
function grewMost(before: Map<string, DoFile>, after: Map<string, DoFile>): DoFile {
  let best: DoFile = { name: "?", db: NaN, wal: NaN };
  let growth = -Infinity;
  for (const [id, f] of after) {
    const b = before.get(id);
    const g = f.db + f.wal - (b ? b.db + b.wal : 0);
    if (g > growth) {
      growth = g;
      best = f;
    }
  }
  return best;
}

function workerdRss(pids: number[]): number {
  return pids.reduce((a, p) => a + (rss(p) || 0), 0);
}

const describe = (pids: number[]) => pids.map((p) => `${p} (${commandLine(p)}): ${mib(rss(p))}`);

async function memorySuite(
  cp: ControlPlane,
  http: HttpClient,
  kube: KubeTarget,
  workerdPids: number[],
  rssIdle: number,
  processesIdle: string[],
): Promise<MemoryReport> {
  const settle = () => new Promise((r) => setTimeout(r, 1_000));
  await settle();
  const rssBeforeFill = workerdRss(workerdPids);
  log(`  workerd RSS before the fill: ${mib(rssBeforeFill)}`);

  const cmNs = "mem-configmaps";
  await kube.prepareNamespace(cmNs);
  let files = doFiles(cp.stateDir);
  const cmFill = await runOps(FILL_CONFIGMAPS, FILL_CONCURRENCY, (i) => kube.create(cmNs, `cm-${i}`, i));
  await settle();
  const rssAfterConfigMaps = workerdRss(workerdPids);
  let after = doFiles(cp.stateDir);
  const cmStore = grewMost(files, after);
  log(`  ${FILL_CONFIGMAPS} ConfigMaps: ${cmFill.opsPerSec.toFixed(0)} creates/s, ${cmFill.errors} errors; SQLite ${mib(cmStore.db)} + WAL ${mib(cmStore.wal)}; workerd RSS ${mib(rssAfterConfigMaps)}`);

  const podNs = "mem-pods";
  await kube.prepareNamespace(podNs);
  files = doFiles(cp.stateDir);
  const podFill = await runOps(FILL_PODS, FILL_CONCURRENCY, (i) => kube.createPod(podNs, pod(podNs, `web-7c9d8f6b5d-${i}`, i)));
  await settle();
  const rssAfterPods = workerdRss(workerdPids);
  after = doFiles(cp.stateDir);
  const podStore = grewMost(files, after);
  log(`  ${FILL_PODS} Pods: ${podFill.opsPerSec.toFixed(0)} creates/s, ${podFill.errors} errors; SQLite ${mib(podStore.db)} + WAL ${mib(podStore.wal)}; workerd RSS ${mib(rssAfterPods)}`);

  const lists: MemoryReport["lists"] = [];
  for (let k = 0; k < LIST_ALL_REPEATS; k++) {
    const rssBefore = workerdRss(workerdPids);
    // The kernel's high-water mark catches a peak that 10 ms sampling could miss.
    const hwm = workerdPids.map((p) => resetHighWater(p));
    const peaks = workerdPids.map((p) => rssPeak(p));
    const t = now();
    const r = await http.request("GET", `/api/v1/namespaces/${cmNs}/configmaps`);
    const ms = now() - t;
    const peak = peaks.reduce((a, p, k) => a + Math.max(p.stop() || 0, hwm[k] ? rssHighWater(workerdPids[k]) || 0 : 0), 0);
    if (r.status !== 200) throw new Error(`list of ${cmNs}: HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
    const items = (JSON.parse(r.body.toString("utf8")) as { items: unknown[] }).items.length;
    await settle();
    const entry = { ms, bytes: r.body.length, items, rssBefore, rssPeak: peak, rssAfter: workerdRss(workerdPids) };
    lists.push(entry);
    log(`  list of ${items} ConfigMaps (#${k + 1}): ${ms.toFixed(0)} ms, ${mib(entry.bytes)}; workerd RSS ${mib(rssBefore)} → peak ${mib(peak)} → ${mib(entry.rssAfter)}`);
  }
  return { workerdPids, processesIdle, processesEnd: describe(workerdPids), rssIdle, rssBeforeFill, cmFill, rssAfterConfigMaps, cmStore, podFill, rssAfterPods, podStore, lists };
}

interface EtcdMemory {
  rssBefore: number;
  fill: OpResult;
  rssAfter: number;
  dbBytes: number;
  listMs: number;
  listBytes: number;
}

async function etcdMemory(etcd: Etcd, target: EtcdTarget): Promise<EtcdMemory> {
  const rssBefore = rss(etcd.pid);
  const fill = await runOps(FILL_CONFIGMAPS, FILL_CONCURRENCY, (i) =>
    target.putRaw(`/registry/configmaps/mem-configmaps/cm-${i}`, JSON.stringify(configMap("mem-configmaps", `cm-${i}`, i))),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const rssAfter = rss(etcd.pid);
  const dbBytes = filesUnder(etcd.dataDir).find((f) => f.path.endsWith("/member/snap/db"))?.bytes ?? NaN;
  const t = now();
  const listBytes = await target.list("mem-configmaps");
  const listMs = now() - t;
  log(`  etcd ${FILL_CONFIGMAPS} values: ${fill.opsPerSec.toFixed(0)} puts/s; bbolt db ${mib(dbBytes)}; RSS ${mib(rssBefore)} → ${mib(rssAfter)}; range of all: ${listMs.toFixed(0)} ms, ${mib(listBytes)}`);
  return { rssBefore, fill, rssAfter, dbBytes, listMs, listBytes };
}

// ---- formatting ----

function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : "n/a";
}
function delta(bytes: number): string {
  return Number.isFinite(bytes) ? `${bytes < 0 ? "−" : "+"}${mib(Math.abs(bytes))}` : "n/a";
}
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "n/a");
const ops = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : "n/a");


function crudTable(ep: Row[], et: Row[] | undefined): Table {
  const head = ["workload", "op", "edgeplane p50 ms", "p99 ms", "ops/s"];
  if (et) head.push("etcd p50 ms", "p99 ms", "ops/s", "p50 ratio", "ops/s ratio");
  const t = new Table(head);
  for (const r of ep) {
    const e = et?.find((x) => x.op === r.op && x.scenario.replace(/\d+ objects/, "") === r.scenario.replace(/\d+ objects/, ""));
    const row = [r.scenario, r.op + (r.result.errors ? ` (${r.result.errors} errors)` : ""), ms(r.result.p50), ms(r.result.p99), ops(r.result.opsPerSec)];
    if (et) {
      row.push(
        e ? ms(e.result.p50) : "n/a",
        e ? ms(e.result.p99) : "n/a",
        e ? ops(e.result.opsPerSec) : "n/a",
        e ? ratio(r.result.p50, e.result.p50) : "n/a",
        e ? ratio(r.result.opsPerSec, e.result.opsPerSec) : "n/a",
      );
    }
    t.add(row);
  }
  return t;
}

function watchTable(ep: WatchRow[], et: WatchRow[] | undefined): Table {
  const head = ["watchers", "events", "edgeplane p50 ms", "p99 ms"];
  if (et) head.push("etcd p50 ms", "p99 ms", "p50 ratio", "p99 ratio");
  const t = new Table(head);
  for (const r of ep) {
    const e = et?.find((x) => x.watchers === r.watchers);
    const events = (x: WatchRow) => (x.error ? `failed (${x.error})` : `${x.received}/${x.expected}`);
    const row = [String(r.watchers), `${events(r)}${e ? ` · ${events(e)}` : ""}`, ms(r.result.p50), ms(r.result.p99)];
    if (et) row.push(e ? ms(e.result.p50) : "n/a", e ? ms(e.result.p99) : "n/a", e ? ratio(r.result.p50, e.result.p50) : "n/a", e ? ratio(r.result.p99, e.result.p99) : "n/a");
    t.add(row);
  }
  return t;
}

function memoryTable(m: MemoryReport, em: EtcdMemory | undefined): Table {
  const t = new Table(["measure", "when", "value"]);
  t.add(["workerd RSS", "idle, just started", mib(m.rssIdle)]);
  if (m.rssAfterCrud !== undefined) t.add(["workerd RSS", "after the CRUD runs", mib(m.rssAfterCrud)]);
  if (m.rssAfterWatch !== undefined) t.add(["workerd RSS", "after the watch runs (streams closed)", mib(m.rssAfterWatch)]);
  t.add(["workerd RSS", "before the fill", mib(m.rssBeforeFill)]);
  t.add(["create ConfigMap (~1 KB), 16 in flight", `${FILL_CONFIGMAPS} objects`, `${ops(m.cmFill.opsPerSec)} ops/s, p50 ${ms(m.cmFill.p50)} ms, p99 ${ms(m.cmFill.p99)} ms`]);
  t.add(["workerd RSS", `after ${FILL_CONFIGMAPS} ConfigMaps`, `${mib(m.rssAfterConfigMaps)} (${delta(m.rssAfterConfigMaps - m.rssBeforeFill)})`]);
  t.add(["namespace SQLite (file + WAL)", `${FILL_CONFIGMAPS} ConfigMaps`, `${mib(m.cmStore.db)} + ${mib(m.cmStore.wal)}`]);
  t.add(["create Pod, 16 in flight", `${FILL_PODS} objects`, `${ops(m.podFill.opsPerSec)} ops/s, p50 ${ms(m.podFill.p50)} ms, p99 ${ms(m.podFill.p99)} ms`]);
  t.add(["workerd RSS", `after ${FILL_PODS} Pods`, `${mib(m.rssAfterPods)} (${delta(m.rssAfterPods - m.rssAfterConfigMaps)})`]);
  t.add(["namespace SQLite (file + WAL)", `${FILL_PODS} Pods`, `${mib(m.podStore.db)} + ${mib(m.podStore.wal)}`]);
  m.lists.forEach((l, k) => {
    t.add([`list all ${l.items} ConfigMaps, one request (#${k + 1})`, "time / size", `${l.ms.toFixed(0)} ms / ${mib(l.bytes)}`]);
    t.add([`workerd RSS during list #${k + 1}`, "before → peak → after", `${mib(l.rssBefore)} → ${mib(l.rssPeak)} → ${mib(l.rssAfter)}`]);
  });
  if (em) {
    t.add(["etcd: put the same ConfigMap JSON, 16 in flight", `${FILL_CONFIGMAPS} values`, `${ops(em.fill.opsPerSec)} ops/s, p50 ${ms(em.fill.p50)} ms, p99 ${ms(em.fill.p99)} ms`]);
    t.add(["etcd RSS", `before → after ${FILL_CONFIGMAPS} values`, `${mib(em.rssBefore)} → ${mib(em.rssAfter)}`]);
    t.add(["etcd bbolt db file", `${FILL_CONFIGMAPS} values (+ the CRUD runs)`, mib(em.dbBytes)]);
    t.add(["etcd: range all, one request", "time / size (base64 JSON)", `${em.listMs.toFixed(0)} ms / ${mib(em.listBytes)}`]);
  }
  return t;
}

// ---- the run ----


async function main(): Promise<void> {
  const started = now();
  const m = machine();
  log(`edgeplane benchmarks — ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}`);
  log(`Note: ${CAVEAT}\n`);
  // BENCH_ONLY=scheduling: only the scheduling section (it starts its own control planes), and only
  // that section of docs/benchmarks.md is replaced.
  if (process.env.BENCH_ONLY === "containers") {
    const c = await containersBench(log);
    log(`\n${containersText(c)}`);
    writeFileSync(docsPath, replaceContainersSection(readFileSync(docsPath, "utf8"), containersDocs(c)));
    log(`\nWrote the real-container section of ${docsPath}`);
    return;
  }
  if (process.env.BENCH_ONLY === "services") {
    const sv = await servicesBench(log);
    log(`\n${servicesText(sv)}`);
    writeFileSync(docsPath, replaceServicesSection(readFileSync(docsPath, "utf8"), servicesDocs(sv)));
    log(`\nWrote the services section of ${docsPath}`);
    return;
  }
  if (process.env.BENCH_ONLY === "scheduling") {
    const sched = await schedulingBench(log);
    log(`\n${schedulingText(sched)}`);
    writeFileSync(docsPath, replaceSchedulingSection(readFileSync(docsPath, "utf8"), schedulingDocs(sched, m.cores)));
    log(`\nWrote the Scheduling section of ${docsPath} (it took ${sched.totalS.toFixed(0)} s)`);
    return;
  }
  res.work = mkdtempSync(join(tmpdir(), "edgeplane-bench-"));

  // edgeplane
  const port = await freePort();
  log(`Starting edgeplane (startControlPlane) on 127.0.0.1:${port}…`);
  const cp = await startControlPlane({
    port,
    stateDir: join(res.work, "state"),
    kubeconfigPath: join(res.work, "kubeconfig"),
    scheduledIntervalMs: 0,
    readyTimeoutMs: 90_000,
  });
  res.cp = cp;
  const ca = caOf(cp);
  log(`  ready at ${cp.url} in ${(cp.startupMs / 1000).toFixed(1)} s${ca ? " (TLS, local CA)" : ""}`);
  const http = new HttpClient(cp.url, { token: cp.token, ca, maxSockets: 64 });
  res.clients.push(http);
  const kube = new KubeTarget(http);
  await new Promise((r) => setTimeout(r, 1_000));
  const workerdPids = descendantsNamed(cp.pid, "workerd");
  const rssIdle = workerdRss(workerdPids);
  const workerdProcs = describe(workerdPids);
  log(`  workerd processes: ${workerdProcs.join("; ") || "not found"}; RSS in all ${mib(rssIdle)}`);

  // etcd
  let etcd: Etcd | undefined;
  let etcdTarget: EtcdTarget | undefined;
  let etcdHttp: HttpClient | undefined;
  let etcdNote: string | undefined;
  if (!etcdInstalled()) {
    etcdNote = `etcd is not installed (${ETCD_BINARY} is missing): the etcd columns are skipped. Install it with: apt-get install -y etcd-server`;
    log(`\n${etcdNote}\n`);
  } else {
    etcd = await startEtcd(res.work, await freePort(), await freePort());
    res.etcd = etcd;
    etcdHttp = new HttpClient(etcd.url, { maxSockets: 64 });
    res.clients.push(etcdHttp);
    etcdTarget = new EtcdTarget(etcdHttp);
    log(`Started etcd ${etcd.version} at ${etcd.url} (data in ${etcd.dataDir})`);
  }

  log(`\nCRUD (ConfigMaps of ~1 KB)`);
  const epRows = await crudSuite(kube, CRUD, "crud", log);
  const rssAfterCrud = workerdRss(workerdPids);
  const etRows = etcdTarget ? await crudSuite(etcdTarget, CRUD, "crud", log) : undefined;

  log(`\nWatch delivery (write sent → event received), ${WATCH_WRITES} writes per row`);
  const epWatch: WatchRow[] = [];
  const etWatch: WatchRow[] = [];
  const targets: [Target, WatchRow[]][] = [[kube, epWatch]];
  if (etcdTarget) targets.push([etcdTarget, etWatch]);
  for (const w of WATCHERS) {
    for (const [t, out] of targets) {
      let r: WatchRow;
      try {
        r = await watchLatency(t, `watch-${w}`, w, WATCH_WRITES);
      } catch (e) {
        // One failed row (a server restart cutting the streams) should not lose the rest of the run.
        r = { watchers: w, writes: WATCH_WRITES, expected: w * WATCH_WRITES, received: 0, result: summarize([], 0), error: (e as Error).message };
        log(`  ${t.label.padEnd(9)} ${String(w).padStart(3)} watchers: FAILED: ${r.error}`);
        out.push(r);
        continue;
      }
      out.push(r);
      log(`  ${t.label.padEnd(9)} ${String(w).padStart(3)} watchers: p50 ${ms(r.result.p50)} ms, p99 ${ms(r.result.p99)} ms (${r.received}/${r.expected} events)`);
    }
  }

  const rssAfterWatch = workerdRss(workerdPids);

  log(`\nMemory and storage`);
  const mem = await memorySuite(cp, http, kube, workerdPids, rssIdle, workerdProcs);
  mem.rssAfterCrud = rssAfterCrud;
  mem.rssAfterWatch = rssAfterWatch;
  const etMem = etcd && etcdTarget ? await etcdMemory(etcd, etcdTarget) : undefined;

  log(`\nControllers: a Deployment of ${DEPLOYMENT_REPLICAS} replicas`);
  const deploy: DeploymentBenchResult = await deploymentBench(http, "bench-deploy", DEPLOYMENT_REPLICAS, log);

  // wrangler dev reloads the Worker when files under src/ change: a new workerd makes RSS figures incomparable.
  const workerdNow = descendantsNamed(cp.pid, "workerd").filter((p) => !Number.isNaN(rss(p)));
  const restarted = workerdNow.join(",") !== workerdPids.join(",");
  const restartNote = restarted
    ? `workerd was restarted during the run (its processes went from ${workerdPids.join(", ")} to ${workerdNow.join(", ") || "none"}; ` +
      "wrangler dev reloads the Worker when a source file changes): requests in flight then fail, and RSS figures after that point are from a fresh process. Run again on a quiet tree."
    : undefined;
  if (restartNote) log(`\nWARNING: ${restartNote}`);

  const crud = crudTable(epRows, etRows);
  const watch = watchTable(epWatch, etcdTarget ? etWatch : undefined);
  const memory = memoryTable(mem, etMem);

  log(`\n== CRUD, ConfigMaps of ~1 KB ==\n${crud.text()}`);
  log(`\n== Watch delivery latency, ${WATCH_WRITES} writes per row ==\n${watch.text()}`);
  log(`\n== Memory and storage ==\n${memory.text()}`);
  const deployTable = deploymentTable(deploy);
  log(`\n== Controllers: Deployment of ${DEPLOYMENT_REPLICAS} replicas ==\n${deployTable.text()}`);
  if (etRows) log(`\nRatios are edgeplane / etcd measured in this run: p50 ratio above 1× means edgeplane is slower; ops/s ratio below 1× means edgeplane does fewer per second.`);
  log(`\nNote: ${CAVEAT}`);
  if (etcdNote) log(`\n${etcdNote}`);
  const notes = [etcdNote, restartNote].filter((n): n is string => !!n);

  await cleanup();
  log(`\nScheduling: bare pods on simulated nodes (a fresh control plane and one agent process per size)`);
  const sched = await schedulingBench(log);
  log(`\n${schedulingText(sched)}`);
  log(`\nPod startup with real containers: ${CONTAINER_PODS} pods through the docker runtime on Podman`);
  const containers = await containersBench(log);
  log(`\n${containersText(containers)}`);
  log(`\nServices: the service proxy against the pod IP, and Ready → traffic`);
  const services = await servicesBench(log);
  log(`\n${servicesText(services)}`);
  const totalS = (now() - started) / 1000;
  m.loadEnd = loadAverage();
  const schedDocs = schedulingDocs(sched, m.cores);
  const page = replaceContainersSection(docs(m, cp, etcd?.version, crud, watch, memory, notes, totalS, mem, deploymentDocs(deploy, deployTable), schedDocs), containersDocs(containers));
  writeFileSync(docsPath, replaceServicesSection(page, servicesDocs(services)));
  log(`\nWrote ${docsPath} (run took ${totalS.toFixed(0)} s)`);
}

function caOf(cp: ControlPlane): string | undefined {
  if (!cp.url.startsWith("https:")) return undefined;
  const c = cp as ControlPlane & { caPem?: string; caPath?: string };
  if (c.caPem) return c.caPem;
  const path = c.caPath ?? join(cp.stateDir, "tls", "ca.crt");
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  const out = res.cp?.recentOutput?.();
  if (out?.length) process.stderr.write(`wrangler's last lines:\n${out.slice(-20).join("\n")}\n`);
  await cleanup();
  process.exit(1);
});
