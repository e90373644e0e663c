// The pod sync end to end against runtimes: the simulated one (pods run at once) and a small
// in-test runtime whose containers exit when told, honour SIGTERM and run exec commands through
// a function. The API is an in-memory stand-in that applies status patches as the server would.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../client/api-client.js";
import { silentLogger } from "../log.js";
import {
  LABEL_CONTAINER_NAME,
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecResult,
  type PodSandbox,
  type PodSandboxConfig,
} from "../runtimes/runtime.js";
import { SimulatedRuntime } from "../runtimes/simulated.js";
import { EventRecorder } from "./events.js";
import type { PodPreparer } from "./pod-preparer.js";
import { PodSyncer } from "./pod-sync.js";
import { ProbeManager } from "./prober/manager.js";

const T0 = Date.parse("2026-04-01T12:00:00Z");
afterEach(() => vi.useRealTimers());

/** Containers that run until told to exit (crash), exit on SIGTERM at once, and run exec commands through `execAnswer`. */
class TestRuntime implements ContainerRuntime {
  readonly sandboxes = new Map<string, PodSandbox>();
  readonly containers = new Map<string, { status: ContainerStatus; config: ContainerConfig }>();
  readonly stops: Array<[string, number]> = [];
  execAnswer: (id: string, cmd: string[]) => Promise<ExecResult> = async () => ({ exitCode: 0, output: "", timedOut: false });
  /** Containers by name that exit with this code as soon as they start. */
  readonly exitAtStart = new Map<string, number>();
  private n = 0;

  async version() {
    return { runtimeName: "test", runtimeVersion: "1", runtimeApiVersion: "v1" };
  }
  async imageStatus(image: string) {
    return `sha256:${image}`;
  }
  async pullImage(image: string) {
    return `sha256:${image}`;
  }
  async runPodSandbox(config: PodSandboxConfig) {
    const id = `sb${++this.n}`;
    this.sandboxes.set(id, { id, config, state: "SANDBOX_READY", createdAt: Date.now() + this.n, ip: `10.88.0.${this.n}` });
    return id;
  }
  async stopPodSandbox(id: string) {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of this.containers.values()) if (c.status.sandboxId === id) this.exit(c.status.id, 137, "Error");
    s.state = "SANDBOX_NOTREADY";
  }
  async removePodSandbox(id: string) {
    for (const [cid, c] of this.containers) if (c.status.sandboxId === id) this.containers.delete(cid);
    this.sandboxes.delete(id);
  }
  async podSandboxStatus(id: string) {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeNotFoundError("pod sandbox", id);
    return { ...s };
  }
  async listPodSandboxes() {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }
  async createContainer(sandboxId: string, config: ContainerConfig) {
    const id = `c${++this.n}`;
    const status: ContainerStatus = { id, sandboxId, name: config.name, image: config.image, imageRef: `sha256:${config.image}`, state: "CONTAINER_CREATED", createdAt: Date.now() * 1000 + this.n, startedAt: 0, finishedAt: 0, exitCode: 0, labels: config.labels };
    this.containers.set(id, { status, config });
    return id;
  }
  async startContainer(id: string) {
    const c = this.containers.get(id)!;
    c.status.state = "CONTAINER_RUNNING";
    c.status.startedAt = Date.now();
    const code = this.exitAtStart.get(c.config.name) ?? (c.config.kind === "init" ? 0 : undefined);
    if (code !== undefined) this.exit(id, code, code === 0 ? "Completed" : "Error");
  }
  async stopContainer(id: string, timeoutSeconds: number) {
    this.stops.push([id, timeoutSeconds]);
    this.exit(id, 143, "Error");
  }
  async removeContainer(id: string) {
    this.containers.delete(id);
  }
  async containerStatus(id: string) {
    return { ...this.containers.get(id)!.status };
  }
  async listContainers(filter: { sandboxId?: string } = {}) {
    return [...this.containers.values()].filter((c) => !filter.sandboxId || c.status.sandboxId === filter.sandboxId).map((c) => ({ ...c.status }));
  }
  async containerLogs(): Promise<never> {
    throw new Error("no logs");
  }
  async exec(id: string, cmd: string[]) {
    return this.execAnswer(id, cmd);
  }
  async close() {}

  exit(id: string, exitCode: number, reason = exitCode === 0 ? "Completed" : "Error") {
    const c = this.containers.get(id)?.status;
    if (!c || c.state === "CONTAINER_EXITED") return;
    Object.assign(c, { state: "CONTAINER_EXITED", exitCode, reason, finishedAt: Date.now() });
  }
  /** The newest instance of a container. */
  newest(name: string) {
    return [...this.containers.values()].filter((c) => c.config.name === name).sort((a, b) => b.status.createdAt - a.status.createdAt)[0];
  }
  crash(name: string, code = 1) {
    this.exit(this.newest(name).status.id, code);
  }
  instances(name: string) {
    return [...this.containers.values()].filter((c) => c.status.labels[LABEL_CONTAINER_NAME] === name);
  }
}

/** The API as far as the kubelet uses it: pod status patches applied in place, deletes and events recorded. */
function fakeApi(pod: Pod) {
  const state = { pod: pod as Pod | undefined, patches: [] as any[], deletes: [] as any[], events: [] as any[], rv: 1 };
  const client = {
    transport: { connectivity: { reachable: true } },
    mergePatch: async (_path: string, body: any) => {
      state.patches.push(body.status);
      if (state.pod) state.pod = { ...state.pod, status: structuredClone(body.status), metadata: { ...state.pod.metadata, resourceVersion: String(++state.rv) } } as Pod;
    },
    delete: async (_path: string, opts: any) => {
      state.deletes.push(opts);
      state.pod = undefined;
    },
    post: async (_p: string, e: any) => void state.events.push(e),
    put: async (_p: string, e: any) => {
      const i = state.events.findIndex((x) => x.metadata.name === e.metadata.name);
      if (i >= 0) state.events[i] = e;
    },
  } as unknown as ApiClient;
  return { state, client, reasons: () => state.events.map((e) => `${e.reason}: ${e.message}`) };
}

function newPod(spec: any, meta: any = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "1", ...meta },
    spec: { restartPolicy: "Always", terminationGracePeriodSeconds: 30, containers: [{ name: "app", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" }], ...spec },
    status: { phase: "Pending", qosClass: "BestEffort" },
  } as unknown as Pod;
}

function setup(pod: Pod, runtime: ContainerRuntime = new TestRuntime(), extra: { preparer?: PodPreparer; probes?: boolean } = {}) {
  const api = fakeApi(pod);
  const events = new EventRecorder(api.client, "node-1");
  const synced: string[] = [];
  const prober = extra.probes ? new ProbeManager({ runtime, events, onResult: (k) => synced.push(k) }) : undefined;
  const deps = { nodeName: "node-1", hostIP: "192.168.1.10", runtimeName: "test", runtime, client: api.client, events, log: silentLogger, podFor: () => api.state.pod, preparer: extra.preparer, prober };
  const syncer = new PodSyncer(deps);
  return { api, syncer, runtime, prober, synced, deps, sync: () => syncer.sync("default/web"), status: () => api.state.pod!.status!, app: () => api.state.pod!.status!.containerStatuses![0] };
}

describe("PodSyncer with the simulated runtime", () => {
  it("runs init containers then the containers in one sync, with upstream's events, and writes the status once", async () => {
    const pod = newPod({ initContainers: [{ name: "setup", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }], containers: [{ name: "app", image: "nginx:1.27", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }] }] });
    const t = setup(pod, new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.1.0/24" }));
    expect(await t.sync()).toEqual({ requeueAfterMs: undefined });
    const st = t.status();
    expect(st.phase).toBe("Running");
    expect(st.podIP).toMatch(/^10\.244\.1\./);
    expect(st.initContainerStatuses![0]).toMatchObject({ name: "setup", ready: true, state: { terminated: { exitCode: 0, reason: "Completed" } } });
    expect(st.containerStatuses![0]).toMatchObject({ name: "app", ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(t.api.reasons()).toEqual([
      'Pulled: Container image "busybox:1.36" already present on machine',
      "Created: Created container: setup",
      "Started: Started container setup",
      'Pulled: Container image "nginx:1.27" already present on machine',
      "Created: Created container: app",
      "Started: Started container app",
    ]);
    expect(t.api.state.events.find((e) => e.reason === "Started").involvedObject).toMatchObject({ kind: "Pod", name: "web", uid: "u1", fieldPath: "spec.initContainers{setup}" });
    await t.sync();
    expect(t.api.state.patches).toHaveLength(1);
  });

  it("deletes gracefully: stops the containers, tears the sandbox down, removes the pod with grace 0", async () => {
    const runtime = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.1.0/24" });
    const t = setup(newPod({}), runtime);
    await t.sync();
    t.api.state.pod = { ...t.api.state.pod!, metadata: { ...t.api.state.pod!.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 } } as Pod;
    await t.sync();
    expect(t.api.state.deletes).toEqual([expect.objectContaining({ gracePeriodSeconds: 0, preconditions: { uid: "u1" } })]);
    expect(await runtime.listPodSandboxes()).toEqual([]);
    expect(t.api.reasons()).toContain("Killing: Stopping container app");
    // Before the delete, a last status: the container terminated and the pod in a final phase.
    const last = t.api.state.patches.at(-1);
    expect(last.phase).toBe("Failed");
    expect(last.containerStatuses[0]).toMatchObject({ ready: false, state: { terminated: { exitCode: 137 } } });
  });
});

describe("PodSyncer with containers that exit", () => {
  it("restarts a crashing container at once, then with CrashLoopBackOff of 10 s, 20 s…, counting restarts", async () => {
    vi.useFakeTimers({ now: T0 });
    const t = setup(newPod({}));
    const rt = t.runtime as TestRuntime;
    await t.sync();
    expect(t.app()).toMatchObject({ restartCount: 0, state: { running: {} } });

    rt.crash("app", 1);
    vi.advanceTimersByTime(1000);
    await t.sync(); // the first crash restarts at once
    expect(t.app()).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: "Error" } } });

    rt.crash("app", 1);
    vi.advanceTimersByTime(1000);
    const r = await t.sync();
    expect(t.app().state).toEqual({ waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=app pod=web_default(u1)" } });
    expect(t.app()).toMatchObject({ restartCount: 1, ready: false, lastState: { terminated: { exitCode: 1 } } });
    expect(t.status().phase).toBe("Running");
    expect(r?.requeueAfterMs).toBe(9_000); // 10 s from the exit, a second ago
    expect(t.api.reasons()).toContain("BackOff: Back-off restarting failed container app in pod web_default(u1)");
    expect(rt.instances("app")).toHaveLength(1); // the older exit was collected

    vi.advanceTimersByTime(10_000);
    await t.sync();
    expect(t.app()).toMatchObject({ restartCount: 2, state: { running: {} } });
    rt.crash("app", 2);
    vi.advanceTimersByTime(1000);
    expect((await t.sync())?.requeueAfterMs).toBe(19_000);
    expect(t.app().state?.waiting?.message).toBe("back-off 20s restarting failed container=app pod=web_default(u1)");
    // The container GC keeps the newest exited instance only (for lastState and --previous).
    expect(rt.instances("app").map((c) => c.status.state)).toEqual(["CONTAINER_EXITED"]);
  });

  it("a failing init container is restarted with CrashLoopBackOff, counting its restarts, and nothing after it starts", async () => {
    vi.useFakeTimers({ now: T0 });
    const t = setup(newPod({ initContainers: [{ name: "init1", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }, { name: "init2", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }] }));
    const rt = t.runtime as TestRuntime;
    const init1 = () => t.status().initContainerStatuses![0];
    rt.exitAtStart.set("init1", 1);
    await t.sync(); // it fails, is restarted at once, fails again: back-off
    expect(init1()).toMatchObject({ restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1 } } });
    for (const [wait, count] of [[10_000, 2], [20_000, 3], [40_000, 4]]) {
      vi.advanceTimersByTime(wait);
      await t.sync();
      expect(init1()).toMatchObject({ restartCount: count, state: { waiting: { reason: "CrashLoopBackOff" } } });
    }
    expect(rt.instances("init2")).toHaveLength(0);
    expect(rt.instances("app")).toHaveLength(0);
  });

  it("restartPolicy Never: a failed container makes the pod Failed, and nothing more happens", async () => {
    const t = setup(newPod({ restartPolicy: "Never" }));
    const rt = t.runtime as TestRuntime;
    await t.sync();
    rt.crash("app", 3);
    await t.sync();
    expect(t.status().phase).toBe("Failed");
    expect(t.app().state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(t.status().conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodFailed" });
    expect([...rt.sandboxes.values()][0].state).toBe("SANDBOX_NOTREADY");
    const writes = t.api.state.patches.length;
    await t.sync();
    expect(t.api.state.patches).toHaveLength(writes);
    expect(rt.instances("app")).toHaveLength(1); // kept for logs
  });

  it("restartPolicy OnFailure: exit 0 makes the pod Succeeded, a failure restarts", async () => {
    const t = setup(newPod({ restartPolicy: "OnFailure", containers: [{ name: "a", image: "x:1" }, { name: "b", image: "x:1" }] }));
    const rt = t.runtime as TestRuntime;
    await t.sync();
    rt.crash("a", 1);
    await t.sync();
    expect(t.status().containerStatuses![0]).toMatchObject({ name: "a", restartCount: 1, state: { running: {} } });
    rt.crash("a", 0);
    rt.crash("b", 0);
    await t.sync();
    expect(t.status().phase).toBe("Succeeded");
    expect(t.status().conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
  });

  it("a failed liveness probe kills the container (Killing event) and restarts it, counting the restart", async () => {
    vi.useFakeTimers({ now: T0 });
    const pod = newPod({ containers: [{ name: "app", image: "x:1", livenessProbe: { exec: { command: ["check"] }, periodSeconds: 1, failureThreshold: 2, successThreshold: 1, timeoutSeconds: 1 } }] });
    const t = setup(pod, new TestRuntime(), { probes: true });
    const rt = t.runtime as TestRuntime;
    let healthy = true;
    rt.execAnswer = async () => ({ exitCode: healthy ? 0 : 1, output: healthy ? "" : "dead", timedOut: false });
    await t.sync();
    const first = t.app().containerID;
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.prober!.get("liveness", first!.replace("test://", ""))).toBe("Success");
    healthy = false;
    t.synced.length = 0;
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.synced).toContain("default/web"); // the prober asked for a sync
    await t.sync();
    expect(t.api.reasons()).toContain("Unhealthy: Liveness probe failed: dead");
    expect(t.api.reasons()).toContain("Killing: Container app failed liveness probe, will be restarted");
    expect(t.app()).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 143 } } });
    expect(t.app().containerID).not.toBe(first);
    expect(rt.stops.at(-1)).toEqual([first!.replace("test://", ""), 30]);
    t.prober!.stop();
  });

  it("a readiness probe decides ready, and the pod's Ready condition follows", async () => {
    vi.useFakeTimers({ now: T0 });
    const pod = newPod({ containers: [{ name: "app", image: "x:1", readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 5, failureThreshold: 1, successThreshold: 1, timeoutSeconds: 1 } }] });
    const t = setup(pod, new TestRuntime(), { probes: true });
    let ready = false;
    (t.runtime as TestRuntime).execAnswer = async () => ({ exitCode: ready ? 0 : 1, output: "", timedOut: false });
    await t.sync();
    expect(t.app()).toMatchObject({ started: true, ready: false });
    ready = true;
    await vi.advanceTimersByTimeAsync(5000);
    await t.sync();
    expect(t.app().ready).toBe(true);
    expect(t.status().conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    t.prober!.stop();
  });

  it("ErrImagePull, then ImagePullBackOff, as the container's waiting reason", async () => {
    vi.useFakeTimers({ now: T0 });
    const rt = new TestRuntime();
    rt.pullImage = async () => Promise.reject(new Error("manifest unknown"));
    const t = setup(newPod({ containers: [{ name: "app", image: "ghost" }] }), rt);
    const r = await t.sync();
    expect(t.app().state).toEqual({ waiting: { reason: "ErrImagePull", message: "manifest unknown" } });
    expect(r?.requeueAfterMs).toBe(10_000);
    vi.advanceTimersByTime(2000);
    await t.sync();
    expect(t.app().state).toEqual({ waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "ghost"' } });
    expect(t.status().phase).toBe("Pending");
    expect(t.api.reasons()).toEqual(expect.arrayContaining(['Pulling: Pulling image "ghost"', 'Failed: Failed to pull image "ghost": manifest unknown', "Failed: Error: ErrImagePull", 'BackOff: Back-off pulling image "ghost"', "Failed: Error: ImagePullBackOff"]));
  });

  it("a container whose config cannot be made waits with CreateContainerConfigError", async () => {
    const preparer: PodPreparer = {
      setUpPod: async () => {},
      containerConfig: async () => Promise.reject(new Error('configmap "x" not found')),
      tearDownPod: async () => {},
      podUids: async () => [],
    };
    const t = setup(newPod({}), new TestRuntime(), { preparer });
    const r = await t.sync();
    expect(t.app().state).toEqual({ waiting: { reason: "CreateContainerConfigError", message: 'configmap "x" not found' } });
    expect(t.api.reasons()).toContain('Failed: Error: configmap "x" not found');
    expect(r?.requeueAfterMs).toBeGreaterThan(0);
  });

  it("a pod preparation failure is an event with its reason, and blocks the containers", async () => {
    const preparer: PodPreparer = {
      setUpPod: async () => Promise.reject(Object.assign(new Error('MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found'), { reason: "FailedMount" })),
      containerConfig: async () => ({ env: [], mounts: [] }),
      tearDownPod: async () => {},
      podUids: async () => [],
    };
    const t = setup(newPod({}), new TestRuntime(), { preparer });
    const r = await t.sync();
    expect(t.app().state).toEqual({ waiting: { reason: "ContainerCreating" } });
    expect(t.api.reasons()).toContain('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found');
    expect(r?.requeueAfterMs).toBe(1000);
  });

  it("passes resources, user, env, host ports and the termination message path to the runtime", async () => {
    const pod = newPod({
      securityContext: { runAsUser: 1000, runAsGroup: 3000 },
      containers: [
        {
          name: "app",
          image: "x:1",
          env: [{ name: "A", value: "1" }, { name: "B", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
          securityContext: { runAsUser: 2000 },
          resources: { limits: { cpu: "500m", memory: "64Mi" }, requests: { cpu: "250m" } },
          ports: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }, { containerPort: 53, hostPort: 5353, protocol: "UDP", hostIP: "127.0.0.1" }, { containerPort: 9000 }],
          terminationMessagePath: "/tmp/msg",
        },
      ],
    });
    const t = setup(pod);
    await t.sync();
    const rt = t.runtime as TestRuntime;
    const cfg = rt.newest("app").config;
    expect(cfg).toMatchObject({ env: [{ name: "A", value: "1" }], resources: { cpuLimitMillis: 500, cpuRequestMillis: 250, memoryLimitBytes: 64 * 1024 * 1024 }, user: { uid: 2000, gid: 3000 }, terminationMessagePath: "/tmp/msg", kind: "regular" });
    expect(cfg.labels).toMatchObject({ "io.kubernetes.pod.uid": "u1", "io.kubernetes.container.name": "app", "io.kubernetes.container.restartCount": "0" });
    expect([...rt.sandboxes.values()][0].config.portMappings).toEqual([
      { protocol: "TCP", containerPort: 80, hostPort: 8080 },
      { protocol: "UDP", containerPort: 53, hostPort: 5353, hostIP: "127.0.0.1" },
    ]);
  });

  it("runs preStop before SIGTERM, and gives SIGTERM what is left of the grace period", async () => {
    vi.useFakeTimers({ now: T0 });
    const pod = newPod({ containers: [{ name: "app", image: "x:1", lifecycle: { preStop: { exec: { command: ["drain"] } } } }] });
    const t = setup(pod);
    const rt = t.runtime as TestRuntime;
    const ran: string[][] = [];
    rt.execAnswer = async (_id, cmd) => {
      ran.push(cmd);
      await new Promise((r) => setTimeout(r, 4000));
      return { exitCode: 0, output: "", timedOut: false };
    };
    await t.sync();
    t.api.state.pod = { ...t.api.state.pod!, metadata: { ...t.api.state.pod!.metadata, deletionTimestamp: new Date(T0).toISOString(), deletionGracePeriodSeconds: 10 } } as Pod;
    const done = t.sync();
    await vi.advanceTimersByTimeAsync(4000);
    await done;
    expect(ran).toEqual([["drain"]]);
    expect(rt.stops).toEqual([[expect.any(String), 6]]);
    expect(t.api.state.deletes).toHaveLength(1);
  });

  it("a preStop that outlasts the grace period is cut short; a shorter grace brings the kill forward", async () => {
    vi.useFakeTimers({ now: T0 });
    const pod = newPod({ containers: [{ name: "app", image: "x:1", lifecycle: { preStop: { sleep: { seconds: 100 } } } }] });
    const t = setup(pod);
    const rt = t.runtime as TestRuntime;
    await t.sync();
    t.api.state.pod = { ...t.api.state.pod!, metadata: { ...t.api.state.pod!.metadata, deletionTimestamp: new Date(T0).toISOString(), deletionGracePeriodSeconds: 30 } } as Pod;
    const done = t.sync();
    await vi.advanceTimersByTimeAsync(5000);
    t.api.state.pod = { ...t.api.state.pod!, metadata: { ...t.api.state.pod!.metadata, deletionGracePeriodSeconds: 1 } } as Pod;
    t.syncer.shortenGrace("default/web");
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(rt.stops).toEqual([[expect.any(String), 1]]);
    expect(Date.now() - T0).toBeLessThan(6000);
  });

  it("a failing postStart hook kills the container (FailedPostStartHook) and it is restarted later", async () => {
    const pod = newPod({ containers: [{ name: "app", image: "x:1", lifecycle: { postStart: { exec: { command: ["init"] } } } }] });
    const t = setup(pod);
    const rt = t.runtime as TestRuntime;
    rt.execAnswer = async () => ({ exitCode: 1, output: "nope", timedOut: false });
    await t.sync();
    expect(t.api.reasons()).toEqual(expect.arrayContaining(["FailedPostStartHook: PostStartHook failed", "Killing: FailedPostStartHook"]));
    expect(t.app().state?.waiting?.reason).toBe("PostStartHookError");
    expect(t.app().state?.waiting?.message).toContain('Exec lifecycle hook ([init]) for Container "app" in Pod "web_default(u1)" failed - error: command \'init\' exited with 1: nope');
  });

  it("after an agent restart, adopts running containers without recreating them and keeps restart counts and CrashLoopBackOff", async () => {
    vi.useFakeTimers({ now: T0 });
    const pod = newPod({ containers: [{ name: "a", image: "x:1" }, { name: "b", image: "x:1" }] });
    const t = setup(pod);
    const rt = t.runtime as TestRuntime;
    await t.sync();
    for (let i = 0; i < 3; i++) {
      rt.crash("b", 1);
      vi.advanceTimersByTime(60_000);
      await t.sync();
    }
    expect(t.status().containerStatuses![1]).toMatchObject({ name: "b", restartCount: 3, state: { running: {} } });
    rt.crash("b", 1);
    const aID = rt.newest("a").status.id;
    const before = new Set(rt.containers.keys());

    // A new kubelet on the same runtime.
    const again = new PodSyncer({ ...t.deps });
    expect(await again.adopt()).toBe(1);
    vi.advanceTimersByTime(1000);
    const r = await again.sync("default/web");
    expect([...rt.containers.keys()].every((id) => before.has(id))).toBe(true); // nothing new: a still runs, b is backing off
    expect(rt.newest("a").status.id).toBe(aID);
    const b = t.api.state.pod!.status!.containerStatuses![1];
    expect(b).toMatchObject({ restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=b pod=web_default(u1)" } } });
    expect(r?.requeueAfterMs).toBe(39_000);
  });

  it("makes a new sandbox when the old one died, restarting the containers with their restart count", async () => {
    const t = setup(newPod({}));
    const rt = t.runtime as TestRuntime;
    await t.sync();
    const first = [...rt.sandboxes.keys()][0];
    await rt.stopPodSandbox(first);
    await t.sync();
    expect(t.api.reasons()).toContain("SandboxChanged: Pod sandbox changed, it will be killed and re-created.");
    expect(t.app()).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 137 } } });
    expect(t.status().podIP).toBe("10.88.0.3");
    expect([...rt.sandboxes.values()].find((s) => s.id !== first)?.config.attempt).toBe(1);
  });
});
