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
import { crudSuite, runOps, watchLatency, type CrudConfig, type OpResult, type Row, type Target, type WatchRow } from "./workloads.js";

// ---- sizes: bounded; about 2 minutes in all on 2 cores ----
const CRUD: CrudConfig = {
  sequentialOps: 500,
  concurrentOps: 1000,
  concurrency: 16,
  listObjects: 1000,
  listRepeats: 30,
  namespaces: 8,
  perNamespaceOps: 250,
  perNamespaceConcurrency: 4,
};
const WATCHERS = [1, 10, 100];
const WATCH_WRITES = 200;
const FILL_CONFIGMAPS = 10_000;
const FILL_PODS = 3_000;
const FILL_CONCURRENCY = 16;
const LIST_ALL_REPEATS = 3;

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

interface MemoryReport {
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

/** A table printed both as aligned text (console) and as Markdown (docs). */
class Table {
  constructor(readonly head: string[], readonly rows: string[][] = []) {}
  add(row: string[]) {
    this.rows.push(row);
  }
  text(): string {
    const w = this.head.map((h, i) => Math.max(h.length, ...this.rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
    return [line(this.head), w.map((n) => "-".repeat(n)).join("  "), ...this.rows.map(line)].join("\n");
  }
  markdown(): string {
    const line = (r: string[]) => `| ${r.join(" | ")} |`;
    return [line(this.head), line(this.head.map((_, i) => (i < 2 ? "---" : "---:"))), ...this.rows.map(line)].join("\n");
  }
}

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

const CAVEAT =
  "edgeplane does more per request than a raw etcd put: bearer-token authn, namespace admission, " +
  "decoding, defaulting and validation of full Kubernetes objects, JSON (de)serialization, and a " +
  "Worker → Durable Object hop, over HTTPS. etcd here is a bare key-value put over plain HTTP. The fair " +
  "comparison is kube-apiserver + etcd, which is not installed on these machines; the ratios show " +
  "what the whole edgeplane request costs against etcd's storage step alone.";

async function main(): Promise<void> {
  const started = now();
  const m = machine();
  log(`edgeplane benchmarks — ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}`);
  log(`Note: ${CAVEAT}\n`);
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
  const totalS = (now() - started) / 1000;
  m.loadEnd = loadAverage();

  log(`\n== CRUD, ConfigMaps of ~1 KB ==\n${crud.text()}`);
  log(`\n== Watch delivery latency, ${WATCH_WRITES} writes per row ==\n${watch.text()}`);
  log(`\n== Memory and storage ==\n${memory.text()}`);
  if (etRows) log(`\nRatios are edgeplane / etcd measured in this run: p50 ratio above 1× means edgeplane is slower; ops/s ratio below 1× means edgeplane does fewer per second.`);
  log(`\nNote: ${CAVEAT}`);
  if (etcdNote) log(`\n${etcdNote}`);
  const notes = [etcdNote, restartNote].filter((n): n is string => !!n);

  await cleanup();
  writeFileSync(docsPath, docs(m, cp, etcd?.version, crud, watch, memory, notes, totalS, mem));
  log(`\nWrote ${docsPath} (run took ${totalS.toFixed(0)} s)`);
}

function caOf(cp: ControlPlane): string | undefined {
  if (!cp.url.startsWith("https:")) return undefined;
  const c = cp as ControlPlane & { caPem?: string; caPath?: string };
  if (c.caPem) return c.caPem;
  const path = c.caPath ?? join(cp.stateDir, "tls", "ca.crt");
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function docs(
  m: Machine,
  cp: ControlPlane,
  etcdVersion: string | undefined,
  crud: Table,
  watch: Table,
  memory: Table,
  notes: string[],
  totalS: number,
  mem: MemoryReport,
): string {
  const c = CRUD;
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) on ${m.date.slice(0, 10)}; the whole run took ${totalS.toFixed(0)} s.
Run it again to refresh this page: it is overwritten on every run.

## Machine

| | |
| --- | --- |
| CPU | ${m.cpu} |
| Cores | ${m.cores} |
| Memory | ${m.memoryGiB.toFixed(1)} GiB |
| OS | ${m.os} |
| Node.js | ${m.node} |
| edgeplane | local runtime: \`startControlPlane\` → wrangler dev → workerd, ${cp.url.startsWith("https:") ? "HTTPS" : "HTTP"} on 127.0.0.1 |
| etcd | ${etcdVersion ? `${etcdVersion} (Debian's etcd-server), one member on 127.0.0.1, plain HTTP JSON gateway` : "not run"} |
| Load average | ${m.loadStart} at the start, ${m.loadEnd ?? "?"} at the end (1, 5, 15 min; other work on the machine moves the figures) |
| Date | ${m.date} |

> **Read the ratios with care.** ${CAVEAT}

${notes.map((n) => `> **Note.** ${n}\n\n`).join("")}The client is the benchmark itself (Node.js, node:http/node:https with keep-alive sockets) on the
same ${m.cores} cores as the servers, so every figure includes client time and CPU contention. Other work on
the machine (see the load average) moves the figures by a factor of up to about 2 between runs; compare
ratios taken in one run rather than absolute figures across runs.

## CRUD

ConfigMaps of about 1 KB (labels, a small config file and ~760 bytes of filler); etcd stores
the same JSON as the value under \`/registry/configmaps/<namespace>/<name>\`, as kube-apiserver
lays out keys. Latency runs from request sent to the whole answer read.

- *1 ns, sequential*: ${c.sequentialOps} creates, then ${c.sequentialOps} gets, then ${c.sequentialOps} updates, one at a time.
- *1 ns, ${c.concurrency} in flight*: ${c.concurrentOps} of each with ${c.concurrency} requests outstanding.
- *list*: the namespace of the previous row, holding ${c.listObjects} objects, listed whole ${c.listRepeats} times
  (no \`limit\`; for etcd one range request over the prefix).
- *${c.namespaces} ns × ${c.perNamespaceConcurrency} in flight*: ${c.namespaces} namespaces driven at once, ${c.perNamespaceOps} of each op per namespace
  (${c.namespaces * c.perNamespaceOps} in all, ${c.namespaces * c.perNamespaceConcurrency} in flight); ops/s is the sum.
- edgeplane updates are \`PUT\`s carrying the resourceVersion of the last write (optimistic
  concurrency); etcd updates are plain puts.

${crud.markdown()}

${etcdVersion ? `p50/p99 ratio = edgeplane / etcd latency (above 1× means edgeplane is slower); ops/s ratio =
edgeplane / etcd throughput (below 1× means edgeplane does fewer per second), both from this run.\n` : ""}
**Scale by namespace.** Locally every Durable Object lives in one workerd process on the same
2 cores, so spreading the load over ${c.namespaces} namespaces cannot add CPU here; the row shows that
independent namespaces do not serialize behind each other. On Cloudflare each namespace's
Durable Object is placed and scheduled on its own (about 1,000 requests/s each), which is where
throughput grows with the number of namespaces.

## Watch delivery

${WATCHERS.join(", ")} concurrent watchers on one namespace
(\`GET /api/v1/namespaces/<ns>/configmaps?watch=true&resourceVersion=<rv>\`, chunked NDJSON; for etcd
\`POST /v3/watch\` on the key prefix). ${WATCH_WRITES} creates are made one at a time, each only after every
watcher received the previous one; latency runs from the moment the create request is sent to the
moment each watcher has parsed the event (matched by object name), so it includes the write itself.
The events column reads received/expected (edgeplane · etcd).

${watch.markdown()}

## Memory and storage (edgeplane)

One namespace filled with ${FILL_CONFIGMAPS} ConfigMaps of ~1 KB, another with ${FILL_PODS} Pods (two containers,
probes, env, resources, volumes, owner reference: about 2.5 KB once defaulted), ${FILL_CONCURRENCY} creates in flight.
Then the ${FILL_CONFIGMAPS} ConfigMaps are listed whole in one request, ${LIST_ALL_REPEATS} times.

- **RSS** is the sum over the workerd processes under wrangler's process group, read from
  \`/proc/<pid>/status\` a second after each step; the peak during a list is the kernel's high-water
  mark (\`VmHWM\`, reset through \`/proc/<pid>/clear_refs\` just before the request) or 10 ms sampling,
  whichever is higher. workerd's V8 heaps grow and are collected on their own schedule, so an RSS
  figure is a snapshot that includes garbage not yet collected, and can fall between two steps.
  Processes at idle: ${mem.processesIdle.join("; ")}. At the end: ${mem.processesEnd.join("; ")}.
- **SQLite size** is the namespace Durable Object's database file and its write-ahead log on disk
  (\`<state>/workerd/v3/do/edgeplane-NamespaceStore/<id>.sqlite\`, the object whose files grew during
  the fill). It holds the objects and the watch log, which keeps a copy of every write (the newest
  10,000 rows, and anything younger than 300 s): right after a fill, each object is stored twice.
  The store's \`stats()\` RPC (\`databaseBytes\`) has no HTTP route, so the bench reads the files.
${etcdVersion ? `- etcd's figures (same ${FILL_CONFIGMAPS} ConfigMap JSON values, put raw) are there for scale: etcd's bbolt file
  and its RSS, with its MVCC history of the CRUD runs of this page as well.\n` : ""}
${memory.markdown()}

## Reproduce

\`\`\`sh
apt-get install -y etcd-server   # optional: without it the etcd columns are skipped
npm run bench
\`\`\`

The run uses only 127.0.0.1, free ports and temporary state and data directories, which it removes
at the end (also on Ctrl-C). Sizes are constants at the top of \`bench/run.ts\`.
`;
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  const out = res.cp?.recentOutput?.();
  if (out?.length) process.stderr.write(`wrangler's last lines:\n${out.slice(-20).join("\n")}\n`);
  await cleanup();
  process.exit(1);
});
