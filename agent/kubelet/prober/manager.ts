// The kubelet's probe manager (upstream's prober.Manager and its results managers): one worker
// per pod, container and probe type; results kept by container id; a changed result asks for a
// sync of the pod (onResult), which restarts an unhealthy container or rewrites readiness.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import type { ContainerRuntime } from "../../runtimes/runtime.js";
import type { EventRecorder } from "../events.js";
import type { ProbeResult, ProbeResults, ProbeType } from "../pod-actions.js";
import { isSidecar, type ProbeStatus } from "../pod-status.js";
import { runProbe, type Probe } from "./prober.js";
import { ProbeWorker, type WorkerHost } from "./worker.js";

type PodStatus = NonNullable<Pod["status"]>;

export interface ProbeManagerOptions {
  runtime: ContainerRuntime;
  events: EventRecorder;
  /** A result changed: the kubelet syncs the pod (namespace/name) again. */
  onResult(podKey: string): void;
  now?: () => number;
}

const TYPES: Array<[ProbeType, "startupProbe" | "readinessProbe" | "livenessProbe"]> = [
  ["startup", "startupProbe"],
  ["readiness", "readinessProbe"],
  ["liveness", "livenessProbe"],
];

const keyOf = (pod: Pod) => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
const workerKey = (uid: string, name: string, type: ProbeType) => `${uid}\u0000${name}\u0000${type}`;

export class ProbeManager implements ProbeResults, ProbeStatus {
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly results: Record<ProbeType, Map<string, ProbeResult>> = { liveness: new Map(), readiness: new Map(), startup: new Map() };
  private readonly pods = new Map<string, { pod: Pod; status?: PodStatus }>();
  private readonly now: () => number;
  private readonly host: WorkerHost;

  constructor(private readonly o: ProbeManagerOptions) {
    this.now = o.now ?? Date.now;
    this.host = {
      now: this.now,
      podOf: (uid) => this.pods.get(uid),
      setResult: (type, id, result, pod) => this.set(type, id, result, pod),
      removeResult: (type, id) => this.results[type].delete(id),
      probe: (_type, spec: Probe, _pod, container: Container, containerId, podIP) => runProbe(spec, { runtime: o.runtime, container, containerId, podIP }),
      event: (pod, container, reason, message) => {
        const field = (pod.spec.initContainers ?? []).some((c) => c.name === container.name) ? "initContainers" : "containers";
        o.events.event({ namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" }, "Warning", reason, message, `spec.${field}{${container.name}}`);
      },
      workerDone: (w) => {
        const k = workerKey(w.podUid, w.container.name, w.type);
        if (this.workers.get(k) === w) this.workers.delete(k);
      },
    };
  }

  /** Starts the workers of a pod's probes (sidecars' and containers'); idempotent, and keeps the pod's latest version. */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const seen = this.pods.get(uid);
    this.pods.set(uid, { pod, status: seen?.status });
    const containers = [...(pod.spec.initContainers ?? []).filter(isSidecar), ...(pod.spec.containers ?? [])] as Container[];
    for (const c of containers) {
      for (const [type, field] of TYPES) {
        const spec = c[field];
        const k = workerKey(uid, c.name, type);
        if (!spec || this.workers.has(k)) continue;
        const w = new ProbeWorker(this.host, uid, c, type, spec);
        this.workers.set(k, w);
        w.start();
      }
    }
  }

  /** Stops a pod's workers and forgets their results. */
  removePod(uid: string): void {
    for (const [k, w] of this.workers) {
      if (w.podUid !== uid) continue;
      w.stop();
      this.workers.delete(k);
    }
    this.pods.delete(uid);
  }

  /** The status the kubelet computed for the pod: what the workers look at; a readiness probe without a success runs at once. */
  updatePodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? "";
    this.pods.set(uid, { pod, status });
    for (const c of [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])]) {
      if (!c.state?.running || !c.started || c.ready) continue;
      this.workers.get(workerKey(uid, c.name, "readiness"))?.trigger();
    }
  }

  get(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.results[type].get(containerId);
  }

  isStarted(podUid: string, containerName: string, containerId: string): boolean {
    const r = this.results.startup.get(containerId);
    if (r !== undefined) return r === "Success";
    return !this.workers.has(workerKey(podUid, containerName, "startup"));
  }

  isReady(podUid: string, containerName: string, containerId: string): boolean {
    if (this.results.readiness.get(containerId) === "Success") return true;
    return !this.workers.has(workerKey(podUid, containerName, "readiness"));
  }

  /** Workers running (for tests and metrics). */
  get workerCount(): number {
    return this.workers.size;
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
    this.pods.clear();
  }

  private set(type: ProbeType, id: string, result: ProbeResult, pod: Pod): void {
    if (this.results[type].get(id) === result) return;
    this.results[type].set(id, result);
    this.o.onResult(keyOf(pod));
  }
}
