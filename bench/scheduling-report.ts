// Why: the scheduling bench's figures as tables (console and Markdown) and its section of
// docs/benchmarks.md, with the upstream figures it is compared to quoted as such.
import { SCHEDULING } from "./config.js";
import { mib, type SchedulingResult, type SizeRun } from "./scheduling.js";
import { Table } from "./table.js";

/** Quoted, not measured here. */
const UPSTREAM_KUBE_SCHEDULER = { low: 680, high: 810 };
const UPSTREAM_NOMAD_C1M = 3_750;
const ISOLATE_LIMIT_MB = 128;

const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");
const pct = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? `${f0(a)} / ${f0(b)}` : "n/a");
const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(0)} KiB` : "n/a");
const label = (s: SizeRun) => `${s.name} ${s.pods.toLocaleString("en-US")} pods, ${s.nodes.toLocaleString("en-US")} nodes`;

export function startupTable(r: SchedulingResult): Table {
  const t = new Table(["size", "result", "nodes joined", "pods bound/s", "pods Running/s", "create → bound p50 / p99 ms", "create → Running p50 / p99 ms", "creates/s (p50 ms)"]);
  for (const s of r.sizes) {
    const u = s.startup;
    if (!u) {
      t.add([label(s), `failed: ${s.error ?? "?"}`, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]);
      continue;
    }
    const failed = u.create.errors ? `, ${u.create.errors} creates failed` : "";
    const result = u.timedOut ? `incomplete: ${u.timedOut}` : `${u.running}/${u.pods} Running${failed}`;
    t.add([
      label(s),
      result + (s.disturbed.length ? " (see notes)" : ""),
      `${f1(s.agentJoinS)} s`,
      f0(u.bindPerSec),
      f0(u.runPerSec),
      pct(u.toBound.p50, u.toBound.p99),
      pct(u.toRunning.p50, u.toRunning.p99),
      `${f0(u.create.opsPerSec)} (${f0(u.create.p50)})`,
    ]);
  }
  return t;
}

export function costTable(r: SchedulingResult): Table {
  const t = new Table(["size", "scheduler rounds", "pods / round", "longest round ms", "bind failures", "longest stall s: binds / Running", "node lifecycle: Unknown / taints / evictions", "namespace writes / pod", "CPU s: workerd / wrangler / agent / bench", "wall s"]);
  for (const s of r.sizes) {
    const u = s.startup;
    if (!u) continue;
    t.add([
      label(s),
      String(u.rounds),
      f0(u.schedulerBound / Math.max(1, u.rounds)),
      f0(u.maxRoundMs),
      String(u.bindFailures),
      `${f1(u.bindStallS)} / ${f1(u.runStallS)}`,
      `${u.lifecycle.statusUpdates} / ${u.lifecycle.taintUpdates} / ${u.lifecycle.evictions}`,
      f1(s.writesPerPod),
      `${f0(s.cpu.workerd)} / ${f0(s.cpu.wrangler)} / ${f0(s.cpu.agent)} / ${f0(s.cpu.bench)}`,
      f0(u.wallS),
    ]);
  }
  return t;
}

const perNode = (total: number, base: number, nodes: number) => (Number.isFinite(total) && Number.isFinite(base) && nodes > 1 ? (total - base) / (nodes - 1) : NaN);

export function memoryTable(r: SchedulingResult): Table {
  const t = new Table(["measure", "when", "value"]);
  const h = r.heap;
  if (h) {
    const share = (b: number) => `${mib(b)} (${((b / 2 ** 20 / ISOLATE_LIMIT_MB) * 100).toFixed(0)}% of the ${ISOLATE_LIMIT_MB} MB isolate limit)`;
    const what = `${h.nodes.toLocaleString("en-US")} Nodes, ${h.pods.toLocaleString("en-US")} bound Pods`;
    t.add(["scheduler heap: SchedulerCache", what, share(h.cacheBytes)]);
    t.add(["scheduler heap: whole ClusterControllers state", `${what}, ${h.nodes.toLocaleString("en-US")} Leases`, share(h.instanceBytes)]);
    t.add(["scheduler decisions alone (filter, score, assume)", `${h.decided.toLocaleString("en-US")} more bare pods onto that cache, one core`, `${f0(h.decided / (h.decideMs / 1000))} pods/s (${((h.decideMs * 1000) / h.decided).toFixed(0)} µs each${h.decideFailed ? `, ${h.decideFailed} fit nowhere` : ""})`]);
  } else t.add(["scheduler heap", "not measured", r.heapError ?? "?"]);
  for (const s of r.sizes) {
    t.add([`workerd RSS ${s.name}`, "idle → nodes registered → pods Running", `${mib(s.workerdRss.idle)} → ${mib(s.workerdRss.registered)} → ${mib(s.workerdRss.running)}`]);
  }
  t.add(["agent RSS (live heap)", "1 node (tainted, no pods): the baseline", `${mib(r.baselineRss)} (${mib(r.baselineHeap)})`]);
  for (const s of r.sizes) {
    const reg = perNode(s.agentRss.registered, r.baselineRss, s.nodes);
    const run = perNode(s.agentRss.running, r.baselineRss, s.nodes);
    const perPod = s.startup?.running ? (s.agentRss.running - s.agentRss.registered) / s.startup.running : NaN;
    const hReg = perNode(s.agentHeap.registered, r.baselineHeap, s.nodes);
    const hRun = perNode(s.agentHeap.running, r.baselineHeap, s.nodes);
    const hPod = s.startup?.running ? (s.agentHeap.running - s.agentHeap.registered) / s.startup.running : NaN;
    const n = s.nodes.toLocaleString("en-US");
    t.add([`agent RSS (live heap), ${n} nodes`, "registered → pods Running", `${mib(s.agentRss.registered)} → ${mib(s.agentRss.running)} (${mib(s.agentHeap.registered)} → ${mib(s.agentHeap.running)})`]);
    t.add([`agent RSS per node, ${n} nodes`, "(RSS − baseline) / (nodes − 1): registered → Running", `${kib(reg)} → ${kib(run)} (${kib(perPod)} per pod Running)`]);
    t.add([`agent live heap per node, ${n} nodes`, "the same from the heap after forced GC", `${kib(hReg)} → ${kib(hRun)} (${kib(hPod)} per pod Running)`]);
  }
  return t;
}

export function schedulingText(r: SchedulingResult): string {
  return [
    `== Scheduling: pod startup on simulated nodes ==\n${startupTable(r).text()}`,
    `\n== Scheduling: what it cost ==\n${costTable(r).text()}`,
    `\n== Scheduling: memory ==\n${memoryTable(r).text()}`,
    ...notes(r).map((n) => `\nNote: ${n}`),
  ].join("\n");
}

function notes(r: SchedulingResult): string[] {
  const out: string[] = [];
  for (const s of r.sizes) for (const d of s.disturbed) out.push(`${s.name}: ${d}`);
  for (const s of r.sizes) {
    const u = s.startup;
    if (!u || Math.max(u.bindStallS, u.runStallS) < 5) continue;
    const queue = Number.isNaN(u.pendingInStall)
      ? ""
      : u.pendingInStall === 0
        ? "; the scheduler's queue stayed empty meanwhile (\`/debug/scheduler\` pending 0): the new pods had not reached the scheduler"
        : `; the scheduler's queue held up to ${u.pendingInStall} pods meanwhile`;
    out.push(
      `${s.name}: for ${f1(u.bindStallS)} s no pod was bound although more had been created${queue}. For ${f1(u.runStallS)} s no bound pod turned Running. ` +
        "These stalls drive the p99 latencies. Not measured by this bench: two trial runs of 4,000 and 5,000 pods on 1,000 nodes with the Worker " +
        "variable BOOKMARK_INTERVAL_SECONDS=0 (no periodic bookmarks) had none (longest 0.5 s and 3.3 s), which points at the bookmark timers of the new " +
        `namespace's store: the cluster-wide pod watch of each of the ${s.nodes.toLocaleString("en-US")} nodes opens its watch on that store when the ` +
        "namespace appears, so their 60 s bookmark intervals start, and fire, together.",
    );
  }
  for (const s of r.sizes) {
    if (!s.agentProblems.size) continue;
    const top = [...s.agentProblems].sort((a, b) => b[1] - a[1]).slice(0, 3);
    out.push(`${s.name}: the agent printed ${[...s.agentProblems.values()].reduce((a, b) => a + b, 0)} problem lines, most often: ${top.map(([k, n]) => `${n}× \`${k}\``).join("; ")}.`);
  }
  for (const s of r.sizes) {
    if (!s.warnings.size) continue;
    const top = [...s.warnings].sort((a, b) => b[1] - a[1]).slice(0, 3);
    out.push(`${s.name}: the control plane printed ${[...s.warnings.values()].reduce((a, b) => a + b, 0)} warning or error lines, most often: ${top.map(([k, n]) => `${n}× \`${k}\``).join("; ")}.`);
  }
  const full = r.sizes.find((s) => s.nodes === 1_000 && s.pods === 10_000);
  if (!full) {
    out.push(
      "The issue's size (b) is 10,000 pods on 1,000 nodes. On this 2-core machine it did not finish within 5 minutes " +
        "(8,740 of 9,679 pods Running after 300 s in a trial run), so (b) keeps the 1,000 nodes with fewer pods; " +
        "BENCH_SCHEDULING_FULL=1 runs the full size.",
    );
  }
  return out;
}

function upstreamComparison(r: SchedulingResult, cores: number): string {
  const best = Math.max(...r.sizes.map((s) => s.startup?.bindPerSec ?? NaN).filter(Number.isFinite));
  if (!Number.isFinite(best)) return "";
  const ratio = (x: number) => (best / x < 0.1 ? (best / x).toFixed(3) : (best / x).toFixed(2));
  const h = r.heap;
  const decide = h ? h.decided / (h.decideMs / 1000) : NaN;
  return (
    `For scale, quoted and not measured here: kube-scheduler's scheduler_perf reports ${UPSTREAM_KUBE_SCHEDULER.low}–${UPSTREAM_KUBE_SCHEDULER.high} pods/s ` +
    `on 5,000 nodes, and HashiCorp's C1M (Nomad) placed ${UPSTREAM_NOMAD_C1M.toLocaleString("en-US")} containers/s. The best rate here, ` +
    `${f0(best)} pods bound/s, is ${ratio(UPSTREAM_KUBE_SCHEDULER.low)}× the first and ${ratio(UPSTREAM_NOMAD_C1M)}× the second. Those come from ` +
    "other setups (scheduler_perf drives kube-scheduler against an API server whose nodes are plain objects, with no kubelets; C1M ran " +
    `on thousands of cloud machines); here one workerd, wrangler's dev proxy, the agent process and the bench share ${cores} cores ` +
    "(with other work on this shared machine: see the load average), and every pod costs several writes in one namespace's " +
    "Durable Object (*namespace writes / pod* below)." +
    (Number.isFinite(decide)
      ? ` The scheduler's decisions alone run at ${f0(decide)} pods/s in this process on one core (memory table), ${(decide / best).toFixed(0)}× the ` +
        "end-to-end rate: the time goes to the writes and the watches around the scheduler, not to filtering and scoring."
      : "")
  );
}

export function schedulingDocs(r: SchedulingResult, cores: number): string {
  const c = SCHEDULING;
  return `## Scheduling

The scheduler, end to end, with nodes as users get them: for each size a fresh control plane
(\`startControlPlane\`) and **one** \`edgeplane agent --runtime simulated --nodes N --capacity ${c.nodeCapacity}\`
child process, joined with a bootstrap token made by the code of \`edgeplane token create\`. Once the
scheduler has every node (\`GET /debug/scheduler\`), ${c.concurrency} creates in flight put bare pods
(one container requesting ${c.podCpu} cpu and ${c.podMemory}, \`terminationGracePeriodSeconds: 0\`) into one
namespace. A pod watch on the namespace, opened before the first create, times each pod from the
moment its create request is sent to the first event showing \`spec.nodeName\` (*bound*) and the
first showing \`status.phase: Running\` (the agent's status write). Throughput is pods bound (or
Running) / (the last such event − the first create sent). The section took ${f0(r.totalS)} s.

${startupTable(r).markdown()}

${upstreamComparison(r, cores)}

- *scheduler rounds*, *pods / round*, *longest round*: from \`/debug/scheduler\` (a round decides up
  to 500 pods and then writes their bindings, one RPC per namespace; *longest round* is the largest
  \`lastRoundMs\` seen polling every 0.5 s, decide and write together).
- *longest stall*: the longest time no pod was bound while more pods had been created than bound
  (beyond the ${c.concurrency} creates in flight), and the longest time no pod turned Running while some
  were bound and not Running (sampled every 250 ms).
- *node lifecycle*: writes of the node lifecycle controller over the run (\`/debug/scheduler\`):
  nodes whose conditions it set Unknown because their Lease looked stale, taint updates, pod
  evictions. Healthy simulated nodes should see none.
- *namespace writes / pod*: the namespace store's revision delta over the run, per pod created:
  the create, the binding, the \`Scheduled\` Event, the agent's status write and its \`Started\` Event.
- *CPU s*: user + system seconds over the run of the workerd processes, of wrangler dev's own
  processes (its dev proxy sees every request), of the agent and of the bench.

${costTable(r).markdown()}

### Memory

- **Scheduler heap.** The ClusterControllers Durable Object's heap cannot be read from outside
  workerd, so the bench feeds the same classes in its own process: the Nodes, node Leases and bound
  Pods listed from the control plane after the last size (${r.heap ? `${r.heap.listedNodes} Nodes and ${r.heap.listedPods} Pods listed; beyond those, copies under new names` : "none"}),
  without \`managedFields\` as the change feed sends them, into a \`SchedulerCache\` alone, and into
  the whole instance state (\`ClusterInformer\` → \`SchedulerRunner\` + \`NodeLifecycleRunner\`,
  wired as \`durable-objects/cluster-controllers.ts\` wires them). The figure is the V8 heap used
  after forced collections minus before (median of 3)${r.heap && !r.heap.forcedGc ? "; collections could not be forced in this run, so it is noisy" : ""}.
  A Worker isolate may use 128 MB.
- **workerd RSS** is the whole local control plane (every Durable Object and the Worker in one
  process), so it is an upper bound that includes garbage not yet collected.
- **Agent per node.** The agent's RSS minus that of an agent running 1 node (tainted, so it runs
  no pods), divided by the other nodes, after registration settled (3 s after the scheduler had
  every node) and 3 s after its pods ran. RSS includes V8 garbage not yet collected, so the bench
  also reads the agent's live heap: \`bench/agent-heap-probe.mjs\`, loaded into the agent through
  \`NODE_OPTIONS=--import\`, forces collections on SIGUSR2 and prints \`process.memoryUsage()\`
  (read after the RSS, which a collection would lower).

${memoryTable(r).markdown()}

${notes(r).map((n) => `> **Note.** ${n}\n`).join("\n")}
`;
}

/** The page with its "## Scheduling" section replaced by `section` (or added before "## Reproduce"). */
export function replaceSchedulingSection(page: string, section: string): string {
  return replaceSection(page, "Scheduling", section);
}

/** The page with its "## HEADING" section replaced by `section`, or, without one, added before "## Reproduce". */
export function replaceSection(page: string, heading: string, section: string): string {
  const start = page.search(new RegExp(`^## ${heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  if (start >= 0) {
    const rest = page.slice(start + 1);
    const next = rest.search(/^## /m);
    return page.slice(0, start) + section + (next >= 0 ? `\n${rest.slice(next)}` : "");
  }
  const reproduce = page.search(/^## Reproduce$/m);
  return reproduce >= 0 ? `${page.slice(0, reproduce)}${section}\n${page.slice(reproduce)}` : `${page}\n${section}`;
}
