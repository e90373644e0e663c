// One probe of one container of one pod, run every periodSeconds (upstream's prober worker):
// waits initialDelaySeconds after the container started, lets startup gate liveness and
// readiness, turns successThreshold/failureThreshold runs into a result, and puts itself on
// hold after a liveness or startup failure until the container is replaced.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import type { ProbeResult, ProbeType } from "../pod-actions.js";
import type { ProbeOutcome } from "./http.js";
import { ProbeError, type Probe } from "./prober.js";

type PodStatus = NonNullable<Pod["status"]>;
type ApiContainerStatus = NonNullable<PodStatus["containerStatuses"]>[number];

/** What a worker needs from its manager. */
export interface WorkerHost {
  now(): number;
  /** The pod as the kubelet last saw it, and the status it last computed. */
  podOf(uid: string): { pod: Pod; status?: PodStatus } | undefined;
  setResult(type: ProbeType, containerId: string, result: ProbeResult, pod: Pod): void;
  removeResult(type: ProbeType, containerId: string): void;
  probe(type: ProbeType, spec: Probe, pod: Pod, container: Container, containerId: string, podIP: string | undefined): Promise<ProbeOutcome>;
  event(pod: Pod, container: Container, reason: string, message: string): void;
  workerDone(w: ProbeWorker): void;
}

const INITIAL: Record<ProbeType, ProbeResult> = { readiness: "Failure", liveness: "Success", startup: "Unknown" };
const TITLE: Record<ProbeType, string> = { readiness: "Readiness", liveness: "Liveness", startup: "Startup" };

const rawId = (containerID: string) => containerID.slice(containerID.indexOf("://") + 3);

export class ProbeWorker {
  private containerId = "";
  private lastResult?: ProbeResult;
  private resultRun = 0;
  private onHold = false;
  private timer?: NodeJS.Timeout;
  private probing = false;
  private triggered = false;
  private stopped = false;

  constructor(
    private readonly host: WorkerHost,
    readonly podUid: string,
    readonly container: Container,
    readonly type: ProbeType,
    private readonly spec: Probe,
  ) {}

  /** The first attempt runs at once (it usually finds no container yet), then every period. */
  start(): void {
    this.schedule(0);
  }

  /** Probe now rather than at the next tick (a readiness probe with no result yet). */
  trigger(): void {
    if (this.stopped) return;
    if (this.probing) {
      this.triggered = true;
      return;
    }
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.containerId) this.host.removeResult(this.type, this.containerId);
  }

  get currentContainerId(): string {
    return this.containerId;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    this.probing = true;
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch {
      keepGoing = true;
    }
    this.probing = false;
    if (this.stopped) return;
    if (!keepGoing) {
      this.stopped = true;
      this.host.workerDone(this);
      return;
    }
    const again = this.triggered;
    this.triggered = false;
    this.schedule(again ? 0 : (this.spec.periodSeconds || 10) * 1000);
  }

  /** upstream's worker.doProbe; false ends the worker. */
  private async doProbe(): Promise<boolean> {
    const seen = this.host.podOf(this.podUid);
    if (!seen?.status) return true; // not synced yet
    const { pod, status } = seen;
    if (status.phase === "Failed" || status.phase === "Succeeded") return false;
    const c = findStatus(status, this.container.name);
    if (!c?.containerID) return true; // not created yet

    const id = rawId(c.containerID);
    if (id !== this.containerId) {
      if (this.containerId) this.host.removeResult(this.type, this.containerId);
      this.containerId = id;
      this.host.setResult(this.type, id, INITIAL[this.type], pod);
      this.onHold = false; // a new container: probe it
      this.lastResult = undefined;
      this.resultRun = 0;
    }
    if (this.onHold) return true;

    if (!c.state?.running) {
      this.host.setResult(this.type, id, "Failure", pod);
      // Keep watching unless the container is done for good.
      return !c.state?.terminated || (pod.spec.restartPolicy ?? "Always") !== "Never";
    }
    // A pod being deleted is not restarted for liveness or startup: stop quietly.
    if (pod.metadata.deletionTimestamp && (this.type === "liveness" || this.type === "startup")) {
      this.host.setResult(this.type, id, "Success", pod);
      return false;
    }
    const startedAt = Date.parse(c.state.running.startedAt ?? "");
    if (Number.isFinite(startedAt) && Math.floor((this.host.now() - startedAt) / 1000) < (this.spec.initialDelaySeconds ?? 0)) return true;
    if (c.started) {
      if (this.type === "startup") return true; // started: the startup probe has done its job
    } else if (this.type !== "startup") return true; // not started: liveness and readiness wait

    let outcome: ProbeOutcome;
    try {
      outcome = await this.host.probe(this.type, this.spec, pod, this.container, id, status.podIP);
    } catch (err) {
      // A probe that cannot run says so, and its result is thrown away.
      const why = err instanceof ProbeError ? err.message : String((err as Error)?.message ?? err);
      this.host.event(pod, this.container, "Unhealthy", `${TITLE[this.type]} probe errored and resulted in unknown state: ${why}`);
      return true;
    }
    if (this.stopped || this.containerId !== id) return true;
    let result: ProbeResult = "Success";
    if (outcome.result === "Failure") {
      result = "Failure";
      this.host.event(pod, this.container, "Unhealthy", `${TITLE[this.type]} probe failed: ${outcome.output}`);
    } else if (outcome.result === "Warning") {
      this.host.event(pod, this.container, "ProbeWarning", `${TITLE[this.type]} probe warning: ${outcome.output}`);
    }

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === "Failure" && this.resultRun < (this.spec.failureThreshold || 3)) || (result === "Success" && this.resultRun < (this.spec.successThreshold || 1))) return true;

    this.host.setResult(this.type, id, result, pod);
    if ((this.type === "liveness" || this.type === "startup") && result === "Failure") {
      // The container will be restarted: stop probing it until a new one replaces it.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

function findStatus(status: PodStatus, name: string): ApiContainerStatus | undefined {
  const regular = (status.containerStatuses ?? []).find((s) => s.name === name);
  if (regular?.containerID) return regular;
  return (status.initContainerStatuses ?? []).find((s) => s.name === name) ?? regular;
}
