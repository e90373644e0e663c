// What the kubelet does for one pod (upstream's SyncPod, SyncTerminatingPod and the status
// manager): drive a bound pod to running through the runtime and report its status when it
// changes; stop a deleted pod's containers within its grace period and then remove it from the
// API; tear down what the runtime holds for a pod the API no longer has.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../client/api-client.js";
import { ApiError, describe } from "../client/errors.js";
import type { Logger } from "../log.js";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type ContainerConfig, type ContainerRuntime, type ContainerStatus } from "../runtimes/runtime.js";
import type { EventRecorder } from "./events.js";
import { computePodStatus, isSidecar, podStatusDigest, type PodRuntimeView } from "./pod-status.js";
import type { SyncResult } from "./pod-workers.js";

/** What the kubelet remembers of a pod it runs (the runtime holds the rest). */
interface PodRecord {
  uid: string;
  sandboxId?: string;
  attempt: number;
  /** The last status written, and the resourceVersion the pod had then (so an echo is not rewritten). */
  posted?: { digest: string; resourceVersion: string };
  /** While its containers stop: the grace period they were given, and their ids. */
  stopping?: { graceSeconds: number; containerIds: string[] };
  /** The API was asked to remove the pod; nothing more to do until it is gone. */
  deleteSent?: boolean;
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
}

const podPath = (ns: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
const keyOf = (ns: string, name: string) => `${ns}/${name}`;

/** The newest runtime container of each name. */
function newestByName(list: ContainerStatus[]): Map<string, ContainerStatus> {
  const out = new Map<string, ContainerStatus>();
  for (const c of list) {
    const name = c.labels[LABEL_CONTAINER_NAME] ?? c.name;
    const cur = out.get(name);
    if (!cur || c.createdAt >= cur.createdAt) out.set(name, c);
  }
  return out;
}

export class PodSyncer {
  private readonly records = new Map<string, PodRecord>();

  constructor(private readonly d: PodSyncDeps) {}

  /** Pod keys the kubelet holds something for. */
  keys(): string[] {
    return [...this.records.keys()];
  }

  /** Takes over the sandboxes a runtime still has (after an agent restart), by their pod labels. */
  async adopt(): Promise<number> {
    for (const s of await this.d.runtime.listPodSandboxes()) {
      const ns = s.config.labels[LABEL_POD_NAMESPACE] ?? s.config.namespace;
      const name = s.config.labels[LABEL_POD_NAME] ?? s.config.name;
      const uid = s.config.labels[LABEL_POD_UID] ?? s.config.uid;
      const key = keyOf(ns, name);
      const cur = this.records.get(key);
      if (!cur || (s.state === "SANDBOX_READY" && cur.uid === uid)) this.records.set(key, { uid, sandboxId: s.id, attempt: s.config.attempt + 1 });
    }
    return this.records.size;
  }

  async sync(key: string): Promise<SyncResult | void> {
    const pod = this.d.podFor(key);
    const rec = this.records.get(key);
    if (rec && (!pod || pod.metadata.uid !== rec.uid)) {
      // The pod is gone from the API (or replaced by another of the same name): kill what is left.
      if (rec.sandboxId) await this.teardown(rec.sandboxId);
      this.records.delete(key);
      if (!pod) return;
    }
    if (!pod) return;
    if (pod.metadata.deletionTimestamp) return this.terminate(key, pod);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
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
    for (const id of stopping.containerIds) void this.d.runtime.stopContainer(id, grace).catch(() => {});
  }

  private async run(key: string, pod: Pod): Promise<SyncResult | void> {
    const { runtime } = this.d;
    const { namespace = "", name, uid = "" } = pod.metadata as { namespace?: string; name: string; uid?: string };
    let rec = this.records.get(key);
    if (!rec) this.records.set(key, (rec = { uid, attempt: 0 }));
    const labels = { [LABEL_POD_NAME]: name, [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_UID]: uid };

    let sandbox = rec.sandboxId ? await runtime.podSandboxStatus(rec.sandboxId).catch(() => undefined) : undefined;
    if (!sandbox || sandbox.state !== "SANDBOX_READY") {
      if (rec.sandboxId) await this.teardown(rec.sandboxId);
      rec.sandboxId = await runtime.runPodSandbox({
        name,
        namespace,
        uid,
        attempt: rec.attempt++,
        hostname: pod.spec.hostname ?? name,
        hostNetwork: !!pod.spec.hostNetwork,
        labels: { ...pod.metadata.labels, ...labels },
        annotations: { ...pod.metadata.annotations },
      });
      sandbox = await runtime.podSandboxStatus(rec.sandboxId);
    }
    const sandboxId = sandbox.id;
    const containers = newestByName(await runtime.listContainers({ sandboxId }));
    let requeueAfterMs: number | undefined;

    const start = async (c: { name: string; image?: string; command?: string[]; args?: string[]; env?: Array<{ name: string; value?: string }>; workingDir?: string }, kind: ContainerConfig["kind"], field: string) => {
      await runtime.pullImage(c.image ?? "");
      const id = await runtime.createContainer(sandboxId, {
        name: c.name,
        image: c.image ?? "",
        command: c.command,
        args: c.args,
        // Values from ConfigMaps, Secrets and the downward API come with the runtimes that run processes.
        env: (c.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value as string })),
        workingDir: c.workingDir,
        kind,
        labels: { ...labels, [LABEL_CONTAINER_NAME]: c.name },
        annotations: {},
      });
      await runtime.startContainer(id);
      this.d.events.containerEvent({ namespace, name, uid }, `${field}{${c.name}}`, "Started", `Started container ${c.name}`);
      const status = await runtime.containerStatus(id);
      containers.set(c.name, status);
      return status;
    };

    // Init containers one after the other; sidecars (restartPolicy Always) keep running beside the rest.
    let initialized = true;
    for (const c of pod.spec.initContainers ?? []) {
      const cur = containers.get(c.name) ?? (await start(c, isSidecar(c) ? "sidecar" : "init", "spec.initContainers"));
      if (isSidecar(c)) continue;
      if (cur.state === "CONTAINER_EXITED" && cur.exitCode === 0) continue;
      initialized = false;
      // Still running: look again shortly. (Restart policies and CrashLoopBackOff come with the runtimes that run processes.)
      if (cur.state !== "CONTAINER_EXITED") requeueAfterMs = 1000;
      break;
    }
    if (initialized) {
      for (const c of pod.spec.containers ?? []) if (!containers.has(c.name)) await start(c, "regular", "spec.containers");
    }

    const view: PodRuntimeView = { sandbox: { ready: sandbox.state === "SANDBOX_READY", ip: sandbox.ip }, containers };
    await this.writeStatus(pod, rec, view);
    return { requeueAfterMs };
  }

  /** PATCH pods/NAME/status when what the kubelet would report differs from what the API has. */
  private async writeStatus(pod: Pod, rec: PodRecord, view: PodRuntimeView): Promise<void> {
    const status = computePodStatus(pod, view, { hostIP: this.d.hostIP, runtimeName: this.d.runtimeName, now: Date.now() });
    const digest = podStatusDigest(status);
    const rv = pod.metadata.resourceVersion ?? "";
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

  /** Graceful deletion: stop the containers within the pod's grace period, then remove the pod. */
  private async terminate(key: string, pod: Pod): Promise<void> {
    let rec = this.records.get(key);
    if (!rec) this.records.set(key, (rec = { uid: pod.metadata.uid ?? "", attempt: 0 }));
    if (rec.deleteSent) return;
    if (rec.sandboxId) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      const running = (await this.d.runtime.listContainers({ sandboxId: rec.sandboxId })).filter((c) => c.state === "CONTAINER_RUNNING");
      rec.stopping = { graceSeconds: grace, containerIds: running.map((c) => c.id) };
      await Promise.all(running.map((c) => this.d.runtime.stopContainer(c.id, rec!.stopping!.graceSeconds)));
      await this.teardown(rec.sandboxId);
      rec.sandboxId = undefined;
      rec.stopping = undefined;
    }
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

  private async teardown(sandboxId: string): Promise<void> {
    await this.d.runtime.stopPodSandbox(sandboxId);
    await this.d.runtime.removePodSandbox(sandboxId);
  }
}
