// A pod's status as the kubelet reports it, from the runtime's view of its containers.
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { ContainerStatus } from "../runtimes/runtime.js";
import { rfc3339 } from "./node-status.js";
import { LABEL_CONTAINER_NAME } from "../runtimes/runtime.js";
import { buildRuntimeView, computePodStatus, LABEL_CONTAINER_RESTART_COUNT, podStatusDigest, qosClassOf, type PodRuntimeView, type ProbeStatus } from "./pod-status.js";

const T0 = Date.parse("2026-01-02T15:04:05Z");
const T1 = T0 + 5000;
const ctx = { hostIP: "10.200.0.2", runtimeName: "simulated", now: T1 };

function pod(spec: any, status?: any, meta: any = {}): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", uid: "u1", ...meta }, spec: { restartPolicy: "Always", ...spec }, status } as unknown as Pod;
}

function running(name: string, id = `${name}-id`, image = "nginx"): ContainerStatus {
  return { id, sandboxId: "sb", name, image, imageRef: `sha256:${name}`, state: "CONTAINER_RUNNING", createdAt: T0, startedAt: T0, finishedAt: 0, exitCode: 0, labels: {} };
}

function exited(name: string, exitCode = 0): ContainerStatus {
  return { ...running(name), state: "CONTAINER_EXITED", finishedAt: T0 + 1000, exitCode, reason: exitCode === 0 ? "Completed" : "Error" };
}

const view = (containers: ContainerStatus[], ip = "10.244.1.2"): PodRuntimeView => ({ sandbox: { ready: true, ip }, containers: new Map(containers.map((c) => [c.name, c])) });

describe("QoS class", () => {
  const res = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ name: "c", image: "i", resources: { requests, limits } });

  it("is BestEffort without requests or limits", () => {
    expect(qosClassOf(pod({ containers: [{ name: "c", image: "i" }] }))).toBe("BestEffort");
  });

  it("is Guaranteed when every container's cpu and memory limits equal its requests", () => {
    expect(qosClassOf(pod({ containers: [res({ cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" }), res({ cpu: "500m", memory: "1Mi" }, { cpu: "0.5", memory: "1Mi" })] }))).toBe("Guaranteed");
  });

  it("is Burstable when a request differs from its limit, a limit is missing, or an init container has none", () => {
    expect(qosClassOf(pod({ containers: [res({ cpu: "500m", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })] }))).toBe("Burstable");
    expect(qosClassOf(pod({ containers: [res({ cpu: "1" }, { cpu: "1" })] }))).toBe("Burstable");
    expect(qosClassOf(pod({ containers: [res({ memory: "1Gi" })] }))).toBe("Burstable");
    expect(qosClassOf(pod({ initContainers: [{ name: "init", image: "i" }], containers: [res({ cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })] }))).toBe("Burstable");
  });

  it("keeps the class the API computed at creation", () => {
    expect(qosClassOf(pod({ containers: [{ name: "c", image: "i" }] }, { qosClass: "Guaranteed" }))).toBe("Guaranteed");
  });
});

describe("computePodStatus", () => {
  it("reports a running pod: phase, five True conditions, addresses, start time and its containers", () => {
    const p = pod({ containers: [{ name: "app", image: "nginx" }, { name: "side", image: "envoy" }] });
    const s = computePodStatus(p, view([running("app"), running("side", "side-id", "envoy")]), ctx);
    const ts = rfc3339(T1);
    expect(s.phase).toBe("Running");
    expect(s.conditions).toEqual(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastTransitionTime: ts })));
    expect(s).toMatchObject({ hostIP: "10.200.0.2", hostIPs: [{ ip: "10.200.0.2" }], podIP: "10.244.1.2", podIPs: [{ ip: "10.244.1.2" }], startTime: ts, qosClass: "BestEffort" });
    expect(s.containerStatuses).toEqual([
      { name: "app", image: "nginx", imageID: "sha256:app", containerID: "simulated://app-id", ready: true, started: true, restartCount: 0, state: { running: { startedAt: rfc3339(T0) } }, lastState: {} },
      { name: "side", image: "envoy", imageID: "sha256:side", containerID: "simulated://side-id", ready: true, started: true, restartCount: 0, state: { running: { startedAt: rfc3339(T0) } }, lastState: {} },
    ]);
    expect(s).not.toHaveProperty("initContainerStatuses");
  });

  it("lists containers in spec order whatever order the runtime reports them in", () => {
    const p = pod({ containers: [{ name: "b", image: "x" }, { name: "a", image: "x" }] });
    expect(computePodStatus(p, view([running("a"), running("b")]), ctx).containerStatuses?.map((c) => c.name)).toEqual(["b", "a"]);
  });

  it("reports completed init containers as terminated with reason Completed, and a sidecar as running", () => {
    const p = pod({ initContainers: [{ name: "setup", image: "busybox" }, { name: "proxy", image: "envoy", restartPolicy: "Always" }], containers: [{ name: "app", image: "nginx" }] });
    const s = computePodStatus(p, view([exited("setup"), running("proxy"), running("app")]), ctx);
    expect(s.phase).toBe("Running");
    expect(s.initContainerStatuses).toEqual([
      {
        name: "setup",
        image: "busybox",
        imageID: "sha256:setup",
        containerID: "simulated://setup-id",
        ready: true,
        started: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: "Completed", startedAt: rfc3339(T0), finishedAt: rfc3339(T0 + 1000), containerID: "simulated://setup-id" } },
        lastState: {},
      },
      expect.objectContaining({ name: "proxy", ready: true, started: true, state: { running: { startedAt: rfc3339(T0) } } }),
    ]);
  });

  it("is Pending with Initialized False while an init container has not completed", () => {
    const p = pod({ initContainers: [{ name: "setup", image: "busybox" }], containers: [{ name: "app", image: "nginx" }] });
    const s = computePodStatus(p, view([running("setup")]), ctx);
    expect(s.phase).toBe("Pending");
    expect(s.conditions?.find((c) => c.type === "Initialized")).toMatchObject({ status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [setup]" });
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });
    // As upstream: a pod with init containers reports its waiting containers as PodInitializing.
    expect(s.containerStatuses?.[0]).toMatchObject({ name: "app", ready: false, started: false, state: { waiting: { reason: "PodInitializing" } } });
    expect(computePodStatus(pod({ containers: [{ name: "app", image: "nginx" }] }), view([]), ctx).containerStatuses?.[0].state).toEqual({ waiting: { reason: "ContainerCreating" } });
  });

  it("has no pod IP and PodReadyToStartContainers False before the sandbox is ready", () => {
    const s = computePodStatus(pod({ containers: [{ name: "app", image: "nginx" }] }), { containers: new Map() }, ctx);
    expect(s.phase).toBe("Pending");
    expect(s).not.toHaveProperty("podIP");
    expect(s.conditions?.[0]).toMatchObject({ type: "PodReadyToStartContainers", status: "False" });
  });

  it("uses the host's address for a hostNetwork pod", () => {
    const s = computePodStatus(pod({ hostNetwork: true, containers: [{ name: "app", image: "nginx" }] }), { sandbox: { ready: true }, containers: new Map([["app", running("app")]]) }, ctx);
    expect(s.podIP).toBe("10.200.0.2");
  });

  it("keeps startTime, each unchanged condition's lastTransitionTime, and conditions it does not own", () => {
    const old = rfc3339(T0 - 60_000);
    const previous = {
      startTime: old,
      qosClass: "Burstable",
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: old },
        { type: "Ready", status: "False", lastTransitionTime: old, reason: "ContainersNotReady" },
        { type: "example.com/gate", status: "True", lastTransitionTime: old },
      ],
    };
    const s = computePodStatus(pod({ containers: [{ name: "app", image: "nginx" }], readinessGates: [{ conditionType: "example.com/gate" }] }, previous), view([running("app")]), ctx);
    expect(s.startTime).toBe(old);
    expect(s.qosClass).toBe("Burstable");
    expect(s.conditions?.find((c) => c.type === "PodScheduled")?.lastTransitionTime).toBe(old);
    expect(s.conditions?.find((c) => c.type === "Ready")).toEqual({ type: "Ready", status: "True", lastTransitionTime: rfc3339(T1) });
    expect(s.conditions?.at(-1)).toEqual({ type: "example.com/gate", status: "True", lastTransitionTime: old });
  });

  it("is not Ready while a readiness gate's condition is not True", () => {
    const s = computePodStatus(pod({ containers: [{ name: "app", image: "nginx" }], readinessGates: [{ conditionType: "example.com/gate" }] }), view([running("app")]), ctx);
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ReadinessGatesNotReady" });
    expect(s.conditions?.find((c) => c.type === "ContainersReady")?.status).toBe("True");
  });

  it("follows restartPolicy once every container has exited", () => {
    const spec = (restartPolicy: string) => pod({ restartPolicy, containers: [{ name: "a", image: "x" }, { name: "b", image: "x" }] });
    expect(computePodStatus(spec("Never"), view([exited("a"), exited("b")]), ctx).phase).toBe("Succeeded");
    expect(computePodStatus(spec("Never"), view([exited("a"), exited("b", 1)]), ctx).phase).toBe("Failed");
    expect(computePodStatus(spec("OnFailure"), view([exited("a"), exited("b")]), ctx).phase).toBe("Succeeded");
    expect(computePodStatus(spec("OnFailure"), view([exited("a"), exited("b", 1)]), ctx).phase).toBe("Running");
    expect(computePodStatus(spec("Always"), view([exited("a"), exited("b")]), ctx).phase).toBe("Running");
    expect(computePodStatus(spec("Never"), view([running("a"), exited("b", 1)]), ctx).phase).toBe("Running");
  });
});

describe("podStatusDigest", () => {
  const p = pod({ containers: [{ name: "app", image: "nginx" }] });
  const s = computePodStatus(p, view([running("app")]), ctx);

  it("is equal for the same status however the server orders and decorates it", () => {
    const echoed = JSON.parse(JSON.stringify({ ...s, conditions: [...(s.conditions ?? [])].reverse().map((c) => ({ ...c, lastProbeTime: null })) }));
    expect(podStatusDigest(echoed)).toBe(podStatusDigest(s));
    expect(podStatusDigest(computePodStatus(p, view([running("app")]), { ...ctx, now: T1 + 1000 }))).not.toBe(podStatusDigest(s)); // startTime differs: first report
    expect(podStatusDigest(computePodStatus({ ...p, status: s } as Pod, view([running("app")]), { ...ctx, now: T1 + 60_000 }))).toBe(podStatusDigest(s));
  });

  it("differs when something a reader relies on changed", () => {
    expect(podStatusDigest(computePodStatus(p, view([running("app", "new-id")]), ctx))).not.toBe(podStatusDigest(s));
    expect(podStatusDigest(computePodStatus(p, view([running("app")], "10.244.1.9"), ctx))).not.toBe(podStatusDigest(s));
    expect(podStatusDigest({ ...s, phase: "Pending" })).not.toBe(podStatusDigest(s));
    expect(podStatusDigest(undefined)).not.toBe(podStatusDigest(s));
  });
});

describe("container restarts", () => {
  const p = pod({ containers: [{ name: "app", image: "busybox" }] });
  const withCount = (c: ContainerStatus, n: number): ContainerStatus => ({ ...c, labels: { ...c.labels, [LABEL_CONTAINER_RESTART_COUNT]: String(n) } });

  it("counts restarts from the runtime instance's label and reports the previous instance as lastState", () => {
    const before = { ...exited("app", 1), id: "old", finishedAt: T0 + 2000, message: "boom" };
    const v: PodRuntimeView = { ...view([withCount(running("app", "new"), 3)]), previous: new Map([["app", before]]) };
    const st = computePodStatus(p, v, ctx).containerStatuses![0];
    expect(st.restartCount).toBe(3);
    expect(st.state).toEqual({ running: { startedAt: rfc3339(T0) } });
    expect(st.lastState).toEqual({ terminated: { exitCode: 1, reason: "Error", message: "boom", startedAt: rfc3339(T0), finishedAt: rfc3339(T0 + 2000), containerID: "simulated://old" } });
  });

  it("shows a container the kubelet is backing off as waiting with the reason, its exit as lastState, and the pod Running", () => {
    const crashed = withCount({ ...exited("app", 2), reason: "Error" }, 4);
    const waiting = new Map([["app", { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=web_default(u1)" }]]);
    const s = computePodStatus(p, view([crashed]), { ...ctx, waiting });
    const st = s.containerStatuses![0];
    expect(st.state).toEqual({ waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=web_default(u1)" } });
    expect(st.lastState?.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
    expect(st).toMatchObject({ restartCount: 4, ready: false, started: false });
    expect(s.phase).toBe("Running");
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });
  });

  it("does not show a waiting reason for a container that will not be started again", () => {
    const never = pod({ restartPolicy: "Never", containers: [{ name: "app", image: "busybox" }] });
    const waiting = new Map([["app", { reason: "CrashLoopBackOff" }]]);
    const s = computePodStatus(never, view([exited("app", 1)]), { ...ctx, waiting });
    expect(s.containerStatuses![0].state?.terminated?.exitCode).toBe(1);
    expect(s.phase).toBe("Failed");
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodFailed" });
  });

  it("shows image pull and config errors as waiting reasons of containers that never ran", () => {
    const waiting = new Map([["app", { reason: "ErrImagePull", message: "no such image" }]]);
    const s = computePodStatus(p, view([]), { ...ctx, waiting });
    expect(s.containerStatuses![0].state).toEqual({ waiting: { reason: "ErrImagePull", message: "no such image" } });
    expect(s.phase).toBe("Pending");
  });

  it("keeps restartCount and reports ContainerStatusUnknown when a running container vanished from the runtime", () => {
    const old = computePodStatus(p, view([withCount(running("app"), 2)]), ctx);
    const s = computePodStatus({ ...p, status: old } as Pod, view([]), ctx);
    expect(s.containerStatuses![0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: "ContainerCreating" } }, lastState: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown" } } });
    expect(s.phase).toBe("Running"); // it ran: a restart, not Pending again
  });

  it("reports Succeeded with PodCompleted conditions, and keeps a terminal phase", () => {
    const job = pod({ restartPolicy: "OnFailure", initContainers: [{ name: "init", image: "x" }], containers: [{ name: "app", image: "busybox" }] });
    const s = computePodStatus(job, view([exited("init"), exited("app")]), ctx);
    expect(s.phase).toBe("Succeeded");
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(s.conditions?.find((c) => c.type === "Initialized")).toMatchObject({ status: "True" });
    // Whatever the runtime says later, a finished pod stays finished.
    expect(computePodStatus({ ...job, status: s } as Pod, view([running("app")]), ctx).phase).toBe("Succeeded");
  });

  it("is Failed when an init container fails with restartPolicy Never, and Pending while it would be retried", () => {
    const spec = (restartPolicy: string) => pod({ restartPolicy, initContainers: [{ name: "init", image: "x" }], containers: [{ name: "app", image: "busybox" }] });
    expect(computePodStatus(spec("Never"), view([exited("init", 1)]), ctx).phase).toBe("Failed");
    expect(computePodStatus(spec("OnFailure"), view([exited("init", 1)]), ctx).phase).toBe("Pending");
  });

  it("gives the terminal phase from the exits once the pod will not run again, whatever its restartPolicy", () => {
    expect(computePodStatus(p, view([exited("app", 137)]), { ...ctx, terminal: true }).phase).toBe("Failed");
    expect(computePodStatus(p, view([exited("app", 0)]), { ...ctx, terminal: true }).phase).toBe("Succeeded");
  });

  it("reports a created container that did not start as waiting", () => {
    const created: ContainerStatus = { ...running("app"), state: "CONTAINER_CREATED", startedAt: 0 };
    expect(computePodStatus(p, view([created]), ctx).containerStatuses![0]).toMatchObject({ state: { waiting: {} }, ready: false, started: false });
  });
});

describe("probes", () => {
  const p = pod({ initContainers: [{ name: "proxy", image: "envoy", restartPolicy: "Always" }], containers: [{ name: "app", image: "nginx" }] });
  const probes = (started: Record<string, boolean>, ready: Record<string, boolean>): ProbeStatus => ({
    isStarted: (_uid, name) => started[name] ?? true,
    isReady: (_uid, name) => ready[name] ?? true,
  });

  it("is started after the startup probe, ready after the readiness probe", () => {
    const s = computePodStatus(p, view([running("proxy"), running("app")]), { ...ctx, probes: probes({ app: false }, {}) });
    expect(s.containerStatuses![0]).toMatchObject({ started: false, ready: false });
    const r = computePodStatus(p, view([running("proxy"), running("app")]), { ...ctx, probes: probes({}, { app: false }) });
    expect(r.containerStatuses![0]).toMatchObject({ started: true, ready: false });
    expect(r.phase).toBe("Running");
    expect(r.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", message: "containers with unready status: [app]" });
  });

  it("keeps the pod initializing until a sidecar has started, and counts an unready sidecar against Ready", () => {
    const s = computePodStatus(p, view([running("proxy")]), { ...ctx, probes: probes({ proxy: false }, {}) });
    expect(s.phase).toBe("Pending");
    expect(s.conditions?.find((c) => c.type === "Initialized")).toMatchObject({ status: "False", message: "containers with incomplete status: [proxy]" });
    const r = computePodStatus(p, view([running("proxy"), running("app")]), { ...ctx, probes: probes({}, { proxy: false }) });
    expect(r.conditions?.find((c) => c.type === "ContainersReady")).toMatchObject({ status: "False", message: "containers with unready status: [proxy]" });
  });
});

describe("buildRuntimeView", () => {
  it("picks the newest sandbox and the newest two instances of each container", () => {
    const sb = (id: string, createdAt: number, ready: boolean, attempt: number) => ({ id, createdAt, state: ready ? "SANDBOX_READY" : "SANDBOX_NOTREADY", ip: `10.0.0.${attempt}`, config: { attempt } }) as any;
    const inst = (id: string, createdAt: number): ContainerStatus => ({ ...running("ignored", id), createdAt, labels: { [LABEL_CONTAINER_NAME]: "app" } });
    const v = buildRuntimeView([sb("a", 1, false, 0), sb("b", 2, true, 1)], [inst("c1", 1), inst("c3", 3), inst("c2", 2)]);
    expect(v.sandbox).toEqual({ id: "b", ready: true, ip: "10.0.0.1", attempt: 1 });
    expect(v.readySandboxes).toBe(1);
    expect(v.containers.get("app")?.id).toBe("c3");
    expect(v.previous?.get("app")?.id).toBe("c2");
  });
});

describe("podStatusDigest of the new fields", () => {
  const p = pod({ containers: [{ name: "app", image: "nginx" }] });
  it("differs when a waiting reason or the last state changes", () => {
    const a = computePodStatus(p, view([]), { ...ctx, waiting: new Map([["app", { reason: "ErrImagePull" }]]) });
    const b = computePodStatus(p, view([]), { ...ctx, waiting: new Map([["app", { reason: "ImagePullBackOff" }]]) });
    expect(podStatusDigest(a)).not.toBe(podStatusDigest(b));
    const c = computePodStatus(p, { ...view([running("app", "n")]), previous: new Map([["app", exited("app", 1)]]) }, ctx);
    const d = computePodStatus(p, { ...view([running("app", "n")]), previous: new Map([["app", exited("app", 2)]]) }, ctx);
    expect(podStatusDigest(c)).not.toBe(podStatusDigest(d));
  });
});
