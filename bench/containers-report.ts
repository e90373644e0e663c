// Why: the real-container bench's figures as the terminal table and as the "Pod startup with
// real containers" section of docs/benchmarks.md, replaced on its own by BENCH_ONLY=containers.
import { CONTAINER_PODS, PACE_MS, type ContainersResult, type StartupRun } from "./containers.js";
import { replaceSection } from "./scheduling-report.js";
import { Table } from "./table.js";

/** The Kubernetes pod startup SLO: p99 of create → Running, stateless pods, image present, ≤ 5 s. */
export const STARTUP_SLO_MS = 5_000;
/** What k3s' agent is said to use idle (the issue's yardstick; not measured here). */
const K3S_AGENT_IDLE_MB = "200–500 MB";

const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");
const mb = (b: number) => (Number.isFinite(b) ? `${(b / 2 ** 20).toFixed(1)} MiB` : "n/a");

const runName = (u: StartupRun) => (u.spacingMs ? `${CONTAINER_PODS} pods, one every ${u.spacingMs / 1000} s` : `${CONTAINER_PODS} pods at once`);
const slo = (u: StartupRun) => (u.toRunning.n < CONTAINER_PODS ? "missed (not all Running)" : u.toRunning.p99 <= STARTUP_SLO_MS ? "met" : "missed");

function latencyTable(r: ContainersResult): Table {
  const t = new Table(["pods created", "measure", "n", "p50 ms", "p99 ms", "max ms", "SLO p99 ≤ 5,000 ms"]);
  for (const u of [r.paced, r.burst]) {
    t.add([runName(u), "create → Running", String(u.toRunning.n), f0(u.toRunning.p50), f0(u.toRunning.p99), f0(u.toRunning.max), slo(u)]);
    t.add([runName(u), "create → Ready", String(u.toReady.n), f0(u.toReady.p50), f0(u.toReady.p99), f0(u.toReady.max), "(not part of the SLO)"]);
  }
  return t;
}

function costTable(r: ContainersResult): Table {
  const t = new Table(["agent", "RSS", "CPU (% of one core)"]);
  t.add(["idle (node registered, no pods)", mb(r.idle.rssBytes), f1(r.idle.cpuPercent)]);
  t.add([`with ${r.pods} pods running (readiness probes every 1 s)`, mb(r.busy.rssBytes), f1(r.busy.cpuPercent)]);
  t.add(["for reference: node with the TypeScript loader (tsx) alone", mb(r.loaderRssBytes), ""]);
  return t;
}

export function containersText(r: ContainersResult): string {
  const late = [r.paced, r.burst].filter((u) => u.timedOut).map((u) => `\nNote: ${runName(u)}: ${u.timedOut}`);
  return [`== Pod startup with real containers (${r.engine}) ==\n${latencyTable(r).text()}`, `\n== The agent's cost ==\n${costTable(r).text()}`, ...late].join("\n");
}

export function containersDocs(r: ContainersResult): string {
  return `## Pod startup with real containers

The node agent with real containers: a fresh control plane (\`startControlPlane\`), Podman's
Docker-compatible service (${r.engine}, runc) and one \`edgeplane agent --runtime docker\` child
process. ${CONTAINER_PODS} bare pods of busybox httpd (image present locally, an HTTP readiness probe every
second) are created one every ${PACE_MS / 1000} s, as the SLO's latency pods are, then ${CONTAINER_PODS} more at once; each is timed
from its create request to the first pod watch event showing it Running, and showing it Ready.
The agent's RSS and CPU are sampled for 10 s idle and for 10 s with the pods running. Re-run this
section alone with \`BENCH_ONLY=containers npm run bench\`.

${latencyTable(r).markdown()}

Kubernetes' pod startup SLO is p99 create → Running ≤ 5 s for such pods (measured on pods created
at a steady rate): **${slo(r.paced)}** here (p99 ${f0(r.paced.toRunning.p99)} ms). All at once, p99 is ${f0(r.burst.toRunning.p99)} ms (${slo(r.burst)}):
Podman sets up one pod network at a time, so twenty sandboxes queue behind each other. Every pod
went through the scheduler, the agent's watch, Podman (an infra container holding the network
namespace, then the app container) and a status write.
${[r.paced, r.burst].filter((u) => u.timedOut).map((u) => `\n${runName(u)}: ${u.timedOut}.\n`).join("")}
${costTable(r).markdown()}

k3s' agent is criticised for using ${K3S_AGENT_IDLE_MB} idle (a figure quoted, not measured here); this
agent's idle RSS is ${mb(r.idle.rssBytes)}. Of that, ${mb(r.loaderRssBytes)} is Node.js with the TypeScript loader the
\`edgeplane\` command registers (tsx runs the sources without a build step, on a loader thread of its
own) before any agent code loads; the agent's own objects are a small part. A prebuilt JavaScript
agent would not pay for the loader.
`;
}

export function replaceContainersSection(page: string, section: string): string {
  return replaceSection(page, "Pod startup with real containers", section);
}
