// Why: the services bench's figures as the terminal table and as the "Services: the proxy and
// Ready → traffic" section of docs/benchmarks.md, replaced on its own by BENCH_ONLY=services.
import { replaceSection } from "./scheduling-report.js";
import { LATENCY_REQUESTS, LOAD, READY_SAMPLES, type ServicesResult, type TargetLoad } from "./services.js";
import { Table } from "./table.js";

const HEADING = "Services: the proxy and Ready → traffic";
const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "n/a");
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");

function loadTable(r: ServicesResult): Table {
  // Each mode's rounds have their own pod IP rounds: ratios compare within one phase of the run.
  const directOf = (l: TargetLoad) => r.load.find((d) => d.target === "pod IP" && d.mode === l.mode);
  const ratio = (v: number, base: number | undefined) => (base ? `${(v / base).toFixed(2)}×` : "n/a");
  const t = new Table(["to the pod through", "--proxy-mode", "req/s, 10 connections (median round)", "vs pod IP", "one at a time: p50 ms", "p99 ms", "requests", "errors"]);
  for (const l of r.load) {
    const d = directOf(l);
    const mode = l.target === "pod IP" ? `(${l.mode} phase)` : l.mode;
    t.add([l.target, mode, f0(l.requestsPerSecond), ratio(l.requestsPerSecond, d?.requestsPerSecond), `${f1(l.p50Ms)} (${ratio(l.p50Ms, d?.p50Ms)})`, `${f1(l.p99Ms)} (${ratio(l.p99Ms, d?.p99Ms)})`, String(l.requests), String(l.errors)]);
  }
  return t;
}

function readyTable(r: ServicesResult): Table {
  const s = r.readyToTraffic;
  const t = new Table(["pod Ready → its first answer through the ClusterIP", "n", "p50 ms", "max ms", "missed"]);
  t.add([`${READY_SAMPLES} pods added one at a time`, String(s.n), f0(s.p50), f0(s.max), String(r.missed)]);
  return t;
}

export function servicesText(r: ServicesResult): string {
  return `== Services (${r.engine}) ==\n${loadTable(r).text()}\n\n${readyTable(r).text()}`;
}

export function servicesDocs(r: ServicesResult): string {
  return `## ${HEADING}

The agent's userspace service proxy against going straight to the pod: a fresh control plane,
Podman (${r.engine}, runc) and one \`edgeplane agent --runtime docker\`. One busybox httpd pod behind a
NodePort Service is loaded with autocannon (${LOAD.connections} connections, ${LOAD.seconds} s a round) at its pod IP, its ClusterIP
and its NodePort, alternating, ${LOAD.rounds} rounds each in one run (the median round is shown); after each
round ${LATENCY_REQUESTS} requests are sent one at a time and timed by the bench, for the latency columns (autocannon's
own latencies are not usable against a server that closes every connection). busybox httpd closes
every connection after one answer, so each request is a new connection: through the proxy that is
one more accept, connect and copy per request. Then the agent is restarted with \`--proxy-mode
iptables\` and the three targets are loaded again, with their own pod IP rounds: NAT rules, no copy
through the agent. Re-run this section alone with
\`BENCH_ONLY=services npm run bench\`.

${loadTable(r).markdown()}

Then ${READY_SAMPLES} pods join the Service one at a time, each turning Ready 3 s after it starts; a client asks the
ClusterIP all along, one request after another, and each pod is timed from the watch event showing
it Ready to its first answer. On the way: the Ready status write, the EndpointSlice controller
(the namespace store's alarm), the agent's watch of EndpointSlices and the proxy's sync.

${readyTable(r).markdown()}
`;
}

export function replaceServicesSection(page: string, section: string): string {
  return replaceSection(page, HEADING, section);
}
