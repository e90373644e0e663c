// Why: the controllers' benchmark — a Deployment scaled from 0 to N replicas and then rolled out
// to a new image (maxSurge 25%), with the bench playing the kubelet: it watches the namespace's
// pods and marks each new one Running and Ready through pods/status. Reports the time until
// status.readyReplicas is N, the time until the rollout completes, and what it cost: reconciles
// (from /debug/controllers) and API writes (the store's revision delta, less the bench's own).
import type { HttpClient, LineStream } from "./client.js";
import { Table } from "./table.js";
import { now } from "./stats.js";

export interface PhaseResult {
  ms: number;
  reconciles: Record<string, number>;
  /** Writes the controllers made (revision delta minus the bench's writes). */
  controllerWrites: number;
  /** Status writes the bench made as the kubelet. */
  kubeletWrites: number;
  /** Pods created in the phase. */
  podsCreated: number;
}

export interface DeploymentBenchResult {
  replicas: number;
  scaleUp: PhaseResult;
  rollout: PhaseResult;
}

const deployment = (ns: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "bench", namespace: ns },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: "bench" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: { metadata: { labels: { app: "bench" } }, spec: { containers: [{ name: "c", image: "bench:v1" }] } },
  },
});

/** The bench's kubelet: marks each pod Ready once, with at most `concurrency` writes in flight. */
class BenchKubelet {
  writes = 0;
  created = 0;
  private readonly done = new Set<string>();
  private readonly pending: any[] = [];
  private inFlight = 0;
  private stream?: LineStream;

  constructor(
    private readonly http: HttpClient,
    private readonly ns: string,
    private readonly concurrency = 16,
  ) {}

  async start(): Promise<void> {
    const { value } = await this.http.json("GET", `/api/v1/namespaces/${this.ns}/pods?limit=1`);
    const path = `/api/v1/namespaces/${this.ns}/pods?watch=true&allowWatchBookmarks=false&resourceVersion=${value.metadata.resourceVersion}`;
    this.stream = await this.http.stream("GET", path, (line) => {
      const ev = JSON.parse(line) as { type: string; object: any };
      if (ev.type === "ADDED") this.created++;
      const p = ev.object;
      if ((ev.type !== "ADDED" && ev.type !== "MODIFIED") || p.metadata.deletionTimestamp || this.done.has(p.metadata.uid)) return;
      this.done.add(p.metadata.uid);
      this.pending.push(p);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.pending.length) {
      const p = this.pending.shift();
      this.inFlight++;
      const t = new Date().toISOString();
      const status = { phase: "Running", startTime: t, conditions: [{ type: "Ready", status: "True", lastTransitionTime: t }] };
      void this.http
        .json("PUT", `/api/v1/namespaces/${this.ns}/pods/${p.metadata.name}/status`, { ...p, status }, [200, 404, 409])
        .then((r) => {
          if (r.status === 200) this.writes++;
          else if (r.status === 409) this.done.delete(p.metadata.uid); // a newer version follows on the watch
        })
        .catch(() => this.done.delete(p.metadata.uid))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  stop(): void {
    this.stream?.close();
  }
}

async function revision(http: HttpClient, ns: string): Promise<number> {
  const { value } = await http.json("GET", `/api/v1/namespaces/${ns}/configmaps?limit=1`);
  return Number(value.metadata.resourceVersion);
}

async function reconciles(http: HttpClient, ns: string): Promise<Record<string, number>> {
  return (await http.json("GET", `/debug/controllers/namespaces/${ns}`)).value.reconciles;
}

async function until(http: HttpClient, ns: string, done: (d: any) => boolean, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const { value } = await http.json("GET", `/apis/apps/v1/namespaces/${ns}/deployments/bench`);
    if (done(value)) return;
    if (now() > deadline) throw new Error(`deployment did not converge within ${timeoutMs / 1000} s: ${JSON.stringify(value.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function phase(http: HttpClient, ns: string, kubelet: BenchKubelet, change: () => Promise<void>, done: (d: any) => boolean): Promise<PhaseResult> {
  const rev0 = await revision(http, ns);
  const rec0 = await reconciles(http, ns);
  const writes0 = kubelet.writes;
  const created0 = kubelet.created;
  const t0 = now();
  await change();
  await until(http, ns, done, 600_000);
  const ms = now() - t0;
  // Let the last status writes land before counting.
  await new Promise((r) => setTimeout(r, 500));
  const rec1 = await reconciles(http, ns);
  const kubeletWrites = kubelet.writes - writes0;
  const delta: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec1)) delta[k] = v - (rec0[k] ?? 0);
  return {
    ms,
    reconciles: delta,
    controllerWrites: (await revision(http, ns)) - rev0 - kubeletWrites - 1, // -1: the bench's own spec write
    kubeletWrites,
    podsCreated: kubelet.created - created0,
  };
}

export async function deploymentBench(http: HttpClient, ns: string, replicas: number, log: (s: string) => void): Promise<DeploymentBenchResult> {
  await http.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, [201, 409]);
  await http.json("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment(ns));
  await new Promise((r) => setTimeout(r, 500)); // the controllers' first sync of the empty Deployment
  const kubelet = new BenchKubelet(http, ns);
  await kubelet.start();
  try {
    const merge = (body: unknown) => http.request("PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/bench`, JSON.stringify(body), { "content-type": "application/merge-patch+json" }).then(() => undefined);
    log(`  scaling a Deployment from 0 to ${replicas} replicas (the bench marks pods Ready)…`);
    const scaleUp = await phase(http, ns, kubelet, () => merge({ spec: { replicas } }), (d) => d.status?.readyReplicas === replicas);
    log(`    ${replicas} ready after ${(scaleUp.ms / 1000).toFixed(1)} s`);
    log(`  rolling update to a new image (maxSurge 25%, maxUnavailable 25%)…`);
    const rollout = await phase(
      http,
      ns,
      kubelet,
      () => merge({ spec: { template: { spec: { containers: [{ name: "c", image: "bench:v2" }] } } } }),
      (d) => {
        const s = d.status ?? {};
        return s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
      },
    );
    log(`    complete after ${(rollout.ms / 1000).toFixed(1)} s`);
    return { replicas, scaleUp, rollout };
  } finally {
    kubelet.stop();
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perPod = (n: number, pods: number) => (pods > 0 ? (n / pods).toFixed(2) : "n/a");
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const split = (r: Record<string, number>) =>
  Object.entries(r)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export function deploymentTable(r: DeploymentBenchResult): Table {
  const t = new Table(["phase", "until", "time", "pods created", "reconciles", "controller writes", "writes / pod", "kubelet writes"]);
  const row = (name: string, until: string, p: PhaseResult) =>
    t.add([name, until, secs(p.ms), String(p.podsCreated), `${sum(p.reconciles)} (${split(p.reconciles)})`, String(p.controllerWrites), perPod(p.controllerWrites, p.podsCreated), String(p.kubeletWrites)]);
  row(`scale 0 → ${r.replicas}`, `readyReplicas = ${r.replicas}`, r.scaleUp);
  row("rolling update", "complete", r.rollout);
  return t;
}

export function deploymentDocs(r: DeploymentBenchResult, t: Table): string {
  return `## Controllers: a Deployment of ${r.replicas} replicas

A Deployment (maxSurge 25%, maxUnavailable 25%) is created with 0 replicas, then scaled to
${r.replicas}; the bench plays the kubelet, watching the namespace's pods and marking each new one
Running and Ready through \`pods/status\` (16 writes in flight). *scale* runs until
\`status.readyReplicas\` is ${r.replicas}; *rolling update* changes the image and runs until the
rollout is complete (every replica updated and available, the old ReplicaSet at 0). The
ReplicaSet, Deployment and garbage-collector controllers run in the namespace's Durable Object,
woken by its alarm ~20 ms after writes.

- *reconciles*: syncs run per controller (\`GET /debug/controllers/namespaces/<ns>\`).
- *controller writes*: the namespace store's revision delta over the phase, less the bench's
  own writes (its status writes and the one spec change): pod creates and deletes, ReplicaSet and
  Deployment updates and status writes, and Events.

${t.markdown()}
`;
}
