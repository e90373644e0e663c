// What the kubelet does for one pod (upstream's SyncPod, SyncTerminatingPod and the status
// manager): carry out computePodActions (sandbox, init containers in order, sidecars, restarts
// with CrashLoopBackOff, liveness kills), pull images, run lifecycle hooks, report the status
// when it changes; stop a deleted pod's containers within its grace period (preStop first),
// then remove it from the API; tear down what the runtime holds for a pod the API no longer has.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Container } from "../../src/apis/core/v1/podspec.js";
import type { ApiClient } from "../client/api-client.js";
import { ApiError, describe } from "../client/errors.js";
import type { Logger } from "../log.js";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, RuntimeNotFoundError, type ContainerRuntime, type ContainerStatus, type PodSandbox } from "../runtimes/runtime.js";
import { collectGarbage, planContainerGC } from "./container-gc.js";
import type { EventRecorder, InvolvedPod } from "./events.js";
import { ContainerRunner, type StopHandle } from "./container-runner.js";
import { literalPreparer, type PodPreparer } from "./pod-preparer.js";
import { computePodActions, NO_PROBES, type ContainerKind, type ContainerToStart, type ProbeResults } from "./pod-actions.js";
import { buildRuntimeView, computePodStatus, podStatusDigest, restartCountOf, type PodRuntimeView, type ProbeStatus } from "./pod-status.js";
import type { SyncResult } from "./pod-workers.js";
import { containerBackoffKey, INITIAL_BACKOFF_MS } from "./restart-backoff.js";
import { sandboxConfig } from "./runtime-config.js";

type PodStatus = NonNullable<Pod["status"]>;

/** What the kubelet needs of its prober (prober/manager.ts's ProbeManager). */
export interface PodProber extends ProbeResults, ProbeStatus {
  addPod(pod: Pod): void;
  removePod(uid: string): void;
  updatePodStatus(pod: Pod, status: PodStatus): void;
}

export interface PodSyncDeps {
  nodeName: string;
  hostIP: string;
  runtimeName: string;
  runtime: ContainerRuntime;
  client: ApiClient;
  events: EventRecorder;
  log: Logger;
  /** The informer's copy of the pod with this namespace/name key. */
  podFor(key: string): Pod | undefined;
  /** Volumes, env and mounts (pod-preparer.ts); literal env only without one. */
  preparer?: PodPreparer;
  /** Probes; without one every running container is started, ready and alive (the simulated runtime). */
  prober?: PodProber;
  /** Static pods: their status goes to their mirror pods. */
  staticPods?: { get(key: string): Pod | undefined; reportStatus(key: string, status: PodStatus): Promise<void> };
  now?: () => number;
}

/** What the kubelet remembers of a pod it runs (the runtime holds the rest). */
interface PodRecord {
  uid: string;
  /** The pod's sandboxes, newest last (kept until the container GC removes them). */
  sandboxIds: string[];
  /** The last status written, and the resourceVersion the pod had then (so an echo is not rewritten). */
  posted?: { digest: string; resourceVersion: string };
  /** Why containers that should run do not (upstream's reasonCache). */
  waiting: Map<string, { reason: string; message?: string }>;
  /** Consecutive preparation failures, for the retry delay. */
  prepareFailures: number;
  /** While its containers stop: the grace period they were given, and how to shorten it. */
  stopping?: { graceSeconds: number; handles: Map<string, StopHandle> };
  /** The pod finished (Succeeded or Failed): its containers are stopped, nothing more to do until it is deleted. */
  finished?: boolean;
  /** The API was asked to remove the pod; nothing more to do until it is gone. */
  deleteSent?: boolean;
}

const podPath = (ns: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
const keyOf = (ns: string, name: string) => `${ns}/${name}`;
const refOf = (pod: Pod): InvolvedPod => ({ namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" });
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const minDefined = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

export class PodSyncer {
  private readonly records = new Map<string, PodRecord>();
  /** Messages read from the output of failed containers (FallbackToLogsOnError), by container id. */
  private readonly fallbackMessages = new Map<string, string>();
  private readonly runner: ContainerRunner;
  private readonly preparer: PodPreparer;
  private readonly now: () => number;

  constructor(private readonly d: PodSyncDeps) {
    this.now = d.now ?? Date.now;
    this.preparer = d.preparer ?? literalPreparer;
    this.runner = new ContainerRunner({ nodeName: d.nodeName, runtime: d.runtime, events: d.events, log: d.log, preparer: this.preparer, now: this.now });
  }

  /** Pod keys the kubelet holds something for. */
  keys(): string[] {
    return [...this.records.keys()];
  }

  /**
   * Takes over the sandboxes a runtime still has (after an agent restart), by their pod labels,
   * and rebuilds CrashLoopBackOff from the restart counts of containers that have exited.
   */
  async adopt(): Promise<number> {
    const sandboxes = [...(await this.d.runtime.listPodSandboxes())].sort((a, b) => a.createdAt - b.createdAt);
    for (const s of sandboxes) {
      const ns = s.config.labels[LABEL_POD_NAMESPACE] ?? s.config.namespace;
      const name = s.config.labels[LABEL_POD_NAME] ?? s.config.name;
      const uid = s.config.labels[LABEL_POD_UID] ?? s.config.uid;
      const key = keyOf(ns, name);
      const cur = this.records.get(key);
      if (cur && cur.uid === uid) cur.sandboxIds.push(s.id);
      else if (!cur || s.state === "SANDBOX_READY") this.records.set(key, { uid, sandboxIds: [s.id], waiting: new Map(), prepareFailures: 0 });
    }
    for (const [key, rec] of this.records) {
      const [namespace, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
      const { view } = await this.observe(rec);
      for (const [cname, c] of view.containers) {
        const restarts = restartCountOf(c);
        if (c.state !== "CONTAINER_EXITED" || restarts === 0) continue;
        this.runner.backoff.restore(containerBackoffKey({ name, namespace, uid: rec.uid }, cname), INITIAL_BACKOFF_MS * 2 ** Math.min(restarts - 1, 10), c.startedAt || c.createdAt);
      }
    }
    return this.records.size;
  }

  async sync(key: string): Promise<SyncResult | void> {
    const pod = this.d.podFor(key);
    const rec = this.records.get(key);
    if (rec && (!pod || pod.metadata.uid !== rec.uid)) {
      // The pod is gone from the API (or replaced by another of the same name): kill what is left.
      await this.teardown(key, rec);
      this.records.delete(key);
      if (!pod) return;
    }
    if (!pod) return;
    if (pod.metadata.deletionTimestamp) return this.terminate(key, pod);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      // Finished: make sure nothing of it runs (a restarted agent, a phase set elsewhere), then leave it be.
      if (rec && !rec.finished) await this.finish(pod, rec);
      return;
    }
    return this.run(key, pod);
  }

  /** A newer version of a pod whose sync is running: bring a shortened grace period forward. */
  shortenGrace(key: string): void {
    const pod = this.d.podFor(key);
    const stopping = this.records.get(key)?.stopping;
    if (!pod?.metadata.deletionTimestamp || !stopping) return;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
    if (grace >= stopping.graceSeconds) return;
    stopping.graceSeconds = grace;
    for (const h of stopping.handles.values()) h.shorten(grace);
  }

  private record(key: string, pod: Pod): PodRecord {
    let rec = this.records.get(key);
    if (!rec) this.records.set(key, (rec = { uid: pod.metadata.uid ?? "", sandboxIds: [], waiting: new Map(), prepareFailures: 0 }));
    return rec;
  }

  /** The pod's sandboxes and containers as the runtime reports them now. */
  private async observe(rec: PodRecord): Promise<{ view: PodRuntimeView; sandboxes: PodSandbox[]; containers: ContainerStatus[] }> {
    const sandboxes: PodSandbox[] = [];
    for (const id of rec.sandboxIds) {
      // A sandbox the runtime no longer has is forgotten; any other failure fails the sync (it is retried).
      const s = await this.d.runtime.podSandboxStatus(id).catch((err) => {
        if (err instanceof RuntimeNotFoundError) return undefined;
        throw err;
      });
      if (s) sandboxes.push(s);
    }
    rec.sandboxIds = sandboxes.map((s) => s.id);
    const containers = (await Promise.all(sandboxes.map((s) => this.d.runtime.listContainers({ sandboxId: s.id })))).flat();
    return { view: buildRuntimeView(sandboxes, containers), sandboxes, containers };
  }

  private async run(key: string, pod: Pod): Promise<SyncResult> {
    const rec = this.record(key, pod);
    const ref = refOf(pod);
    const probes = this.d.prober ?? NO_PROBES;
    const regularInitRunning = (v: PodRuntimeView) => (pod.spec.initContainers ?? []).some((c) => c.restartPolicy !== "Always" && v.containers.get(c.name)?.state === "CONTAINER_RUNNING");
    let requeueAfterMs: number | undefined;
    let observed = await this.observe(rec);
    let view = observed.view;
    this.d.prober?.addPod(pod);

    // One pass, and another while init containers make progress at once (the simulated runtime finishes them as they start).
    for (let round = 0; round <= (pod.spec.initContainers ?? []).length; round++) {
      let stale = false;
      const actions = computePodActions(pod, view, this.runner.backoff, probes, this.now());
      if (actions.createSandbox && actions.sandboxId) this.d.events.event(ref, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
      if (actions.killPod) {
        await this.killPod(pod, rec, view);
        stale = true;
      } else {
        for (const k of actions.containersToKill) await this.runner.kill(pod, k.id, k.spec, k.kind, k.message, k.reason);
        stale = actions.containersToKill.length > 0;
      }

      let sandboxId = view.sandbox?.id;
      let podIP = pod.spec.hostNetwork ? this.d.hostIP : view.sandbox?.ip;
      if (actions.createSandbox) {
        try {
          sandboxId = await this.d.runtime.runPodSandbox(sandboxConfig(pod, actions.attempt));
        } catch (err) {
          this.d.events.event(ref, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${message(err)}`);
          throw err;
        }
        rec.sandboxIds.push(sandboxId);
        if (!pod.spec.hostNetwork) podIP = (await this.d.runtime.podSandboxStatus(sandboxId)).ip;
        stale = true;
      }
      const starts = [...actions.initContainersToStart, ...actions.containersToStart];
      const runnable = !!sandboxId && !(actions.killPod && !actions.createSandbox);
      if (runnable && round === 0 && !(await this.prepare(pod, rec, starts, podIP))) {
        requeueAfterMs = Math.min(1000 * 2 ** Math.min(rec.prepareFailures - 1, 5), 30_000);
      } else if (runnable) {
        let initStarted = false;
        for (const s of actions.initContainersToStart) {
          const r = await this.runner.start(pod, sandboxId!, s, podIP, rec.waiting);
          requeueAfterMs = minDefined(requeueAfterMs, r.retryInMs);
          stale ||= r.started;
          initStarted ||= r.started;
          if (s.kind === "init" && !r.started) break; // the pod cannot initialize further now
        }
        for (const s of actions.containersToStart) {
          const r = await this.runner.start(pod, sandboxId!, s, podIP, rec.waiting);
          requeueAfterMs = minDefined(requeueAfterMs, r.retryInMs);
          stale ||= r.started;
        }
        if (stale) view = (observed = await this.observe(rec)).view;
        if (initStarted && !regularInitRunning(view)) continue;
        break;
      }
      if (stale) view = (observed = await this.observe(rec)).view;
      break;
    }

    await this.fallBackToLogs(pod, view);
    // A regular init container still running: look again (a runtime without events does not say when it ends).
    if (regularInitRunning(view)) requeueAfterMs = minDefined(requeueAfterMs, 1000);

    const status = computePodStatus(pod, view, { hostIP: this.d.hostIP, runtimeName: this.d.runtimeName, now: this.now(), waiting: rec.waiting, probes: this.d.prober });
    this.d.prober?.updatePodStatus(pod, status);
    await this.writeStatus(key, pod, rec, status);
    if (status.phase === "Succeeded" || status.phase === "Failed") await this.finish(pod, rec);
    else await this.collect(rec, observed);
    this.runner.backoff.gc();
    return { requeueAfterMs };
  }

  /**
   * terminationMessagePolicy FallbackToLogsOnError: a container that failed without writing a
   * message gets the end of its output instead (upstream: the last 80 lines, at most 2 KiB).
   */
  private async fallBackToLogs(pod: Pod, view: PodRuntimeView): Promise<void> {
    const specs = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as Container[];
    for (const [name, rc] of [...view.containers, ...(view.previous ?? [])]) {
      if (rc.state !== "CONTAINER_EXITED" || rc.exitCode === 0 || rc.message) continue;
      if (specs.find((c) => c.name === name)?.terminationMessagePolicy !== "FallbackToLogsOnError") continue;
      let text = this.fallbackMessages.get(rc.id);
      if (text === undefined) {
        text = await readTail(this.d.runtime, rc.id).catch(() => "");
        // An exited container's output is final; only right after the exit may a runtime still be writing it.
        if (text || this.now() - rc.finishedAt > 2000) this.fallbackMessages.set(rc.id, text);
        if (this.fallbackMessages.size > 1000) this.fallbackMessages.delete(this.fallbackMessages.keys().next().value as string);
      }
      if (text) rc.message = text;
    }
  }

  /** The pod-wide preparation (volumes…); false when it failed (said by an event, and for config errors by the containers' waiting reason). */
  private async prepare(pod: Pod, rec: PodRecord, starts: ContainerToStart[], podIP: string | undefined): Promise<boolean> {
    try {
      await this.preparer.setUpPod(pod, podIP);
      rec.prepareFailures = 0;
      return true;
    } catch (err) {
      rec.prepareFailures++;
      const reason = (err as { reason?: string }).reason ?? "FailedMount";
      this.d.events.event(refOf(pod), "Warning", reason, message(err));
      if (reason === "CreateContainerConfigError") for (const s of starts) rec.waiting.set(s.name, { reason, message: message(err) });
      return false;
    }
  }

  /** Every running container of the pod, at once, then its sandboxes (upstream's killPodWithSyncResult). */
  private async killPod(pod: Pod, rec: PodRecord, view: PodRuntimeView, graceOverride?: number): Promise<void> {
    const specs = new Map<string, [Container, ContainerKind]>();
    for (const c of pod.spec.initContainers ?? []) specs.set(c.name, [c as Container, c.restartPolicy === "Always" ? "sidecar" : "init"]);
    for (const c of pod.spec.containers ?? []) specs.set(c.name, [c, "regular"]);
    const running = [...view.containers.values()].filter((c) => c.state === "CONTAINER_RUNNING");
    await Promise.all(
      running.map((c) => {
        const [spec, kind] = specs.get(c.labels[LABEL_CONTAINER_NAME] ?? c.name) ?? [undefined, "regular" as const];
        return this.runner.kill(pod, c.id, spec, kind, "", "", { graceOverride, handles: rec.stopping?.handles });
      }),
    );
    for (const id of rec.sandboxIds) await this.d.runtime.stopPodSandbox(id).catch(() => {});
  }

  /** A pod that finished: nothing of it runs any more; its exited containers stay for `kubectl logs`. */
  private async finish(pod: Pod, rec: PodRecord): Promise<void> {
    const { view } = await this.observe(rec);
    if ([...view.containers.values()].some((c) => c.state === "CONTAINER_RUNNING")) await this.killPod(pod, rec, view);
    else for (const id of rec.sandboxIds) await this.d.runtime.stopPodSandbox(id).catch(() => {});
    this.d.prober?.removePod(rec.uid);
    await this.preparer.tearDownPod(rec.uid).catch((err) => this.d.log.error(`✗ node ${this.d.nodeName}: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message(err)}`));
    await this.collect(rec, await this.observe(rec));
    rec.finished = true;
  }

  /** Removes older exited instances (and sandboxes nothing is kept in). */
  private async collect(rec: PodRecord, { sandboxes, containers }: { sandboxes: PodSandbox[]; containers: ContainerStatus[] }): Promise<void> {
    const plan = planContainerGC(sandboxes, containers);
    if (plan.containers.length === 0 && plan.sandboxes.length === 0) return;
    await collectGarbage(this.d.runtime, plan);
    rec.sandboxIds = rec.sandboxIds.filter((id) => !plan.sandboxes.includes(id));
  }

  /** PATCH pods/NAME/status when what the kubelet would report differs from what the API has. */
  private async writeStatus(key: string, pod: Pod, rec: PodRecord, status: PodStatus): Promise<void> {
    const digest = podStatusDigest(status);
    const rv = pod.metadata.resourceVersion ?? "";
    if (this.d.staticPods?.get(key)) {
      // A static pod: the API has only its mirror pod, which gets the status (only when it changed).
      if (rec.posted?.digest === digest) return;
      await this.d.staticPods.reportStatus(key, status);
      rec.posted = { digest, resourceVersion: rv };
      return;
    }
    if (digest === podStatusDigest(pod.status)) return;
    if (rec.posted?.digest === digest && rec.posted.resourceVersion === rv) return; // written; the watch has not echoed it yet
    try {
      await this.d.client.mergePatch(`${podPath(pod.metadata.namespace ?? "", pod.metadata.name ?? "")}/status`, { metadata: { uid: pod.metadata.uid }, status });
      rec.posted = { digest, resourceVersion: rv };
    } catch (err) {
      // Gone, or replaced by a pod of the same name (uid mismatch): the informer will say what is there now.
      if (err instanceof ApiError && (err.status === 404 || err.status === 409 || err.status === 422)) return;
      throw err;
    }
  }

  /** Graceful deletion: preStop hooks and SIGTERM within the pod's grace period, then remove the pod. */
  private async terminate(key: string, pod: Pod): Promise<void> {
    const rec = this.record(key, pod);
    if (rec.deleteSent) return;
    if (rec.sandboxIds.length) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      rec.stopping = { graceSeconds: grace, handles: new Map() };
      const { view } = await this.observe(rec);
      await this.killPod(pod, rec, view, grace);
      rec.stopping = undefined;
      // As upstream's kubelet: the containers' terminated states and a final phase, before the pod goes
      // (a pod a finalizer keeps would otherwise show Running forever).
      const stopped = (await this.observe(rec)).view;
      const status = computePodStatus(pod, stopped, { hostIP: this.d.hostIP, runtimeName: this.d.runtimeName, now: this.now(), probes: this.d.prober, terminal: true });
      await this.writeStatus(key, pod, rec, status);
    }
    await this.teardown(key, rec);
    // Everything has stopped: the API may drop the pod now (the uid precondition spares a namesake).
    try {
      await this.d.client.delete(podPath(pod.metadata.namespace ?? "", pod.metadata.name ?? ""), {
        apiVersion: "v1",
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 409))) {
        if (err instanceof ApiError) this.d.log.error(`✗ node ${this.d.nodeName}: cannot remove pod ${key}: ${describe(err)}`);
        throw err;
      }
    }
    rec.deleteSent = true;
  }

  /** Stops and removes everything the runtime holds for the pod, and forgets its probes and backoffs. */
  private async teardown(key: string, rec: PodRecord): Promise<void> {
    for (const id of rec.sandboxIds) {
      await this.d.runtime.stopPodSandbox(id);
      await this.d.runtime.removePodSandbox(id);
    }
    rec.sandboxIds = [];
    this.d.prober?.removePod(rec.uid);
    await this.preparer.tearDownPod(rec.uid).catch((err) => this.d.log.error(`✗ node ${this.d.nodeName}: pod ${key}: ${message(err)}`));
    const [namespace, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
    this.runner.forgetPod({ namespace, name, uid: rec.uid });
  }
}

/** The last 80 lines of a container's output, at most its last 2 KiB (upstream's fallback message). */
async function readTail(runtime: ContainerRuntime, id: string): Promise<string> {
  const read = async (opts: { tailLines?: number }) => {
    const chunks: Buffer[] = [];
    for await (const c of await runtime.containerLogs(id, opts)) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
    return Buffer.concat(chunks);
  };
  // Podman's tail leaves out a last line without a newline ("echo -n DONE"): then read it all and cut here.
  let out = await read({ tailLines: 80 });
  if (out.length === 0) {
    const all = await read({});
    const lines = all.toString("utf8").split("\n");
    out = Buffer.from(lines.slice(-81).join("\n"));
  }
  return out.subarray(Math.max(0, out.length - 2048)).toString("utf8");
}
