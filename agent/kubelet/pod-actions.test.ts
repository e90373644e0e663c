// computePodActions against the cases of upstream's kuberuntime_manager_test (TestComputePodActions,
// TestComputePodActionsWithInitContainers, …WithRestartableInitContainers), reduced to names.
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { LABEL_CONTAINER_NAME, type ContainerStatus } from "../runtimes/runtime.js";
import { computePodActions, containerHash, NO_PROBES, type PodActions, type ProbeResults, type ProbeType } from "./pod-actions.js";
import { LABEL_CONTAINER_HASH, LABEL_CONTAINER_RESTART_COUNT, type PodRuntimeView } from "./pod-status.js";
import { Backoff } from "./restart-backoff.js";

const NOW = 1_000_000;

function pod(spec: any, meta: any = {}): Pod {
  return { metadata: { name: "p", namespace: "ns", uid: "u", ...meta }, spec: { restartPolicy: "Always", containers: [{ name: "a", image: "img" }, { name: "b", image: "img" }], ...spec } } as unknown as Pod;
}

type State = "running" | "exited0" | "exited1" | "created" | "unknown";
function rc(name: string, state: State, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  const map = { running: "CONTAINER_RUNNING", exited0: "CONTAINER_EXITED", exited1: "CONTAINER_EXITED", created: "CONTAINER_CREATED", unknown: "CONTAINER_UNKNOWN" } as const;
  return {
    id: `${name}-id`,
    sandboxId: "sb",
    name,
    image: "img",
    imageRef: "sha256:x",
    state: map[state],
    createdAt: NOW - 10_000,
    startedAt: NOW - 10_000,
    finishedAt: state.startsWith("exited") ? NOW - 1000 : 0,
    exitCode: state === "exited1" ? 1 : 0,
    labels: { [LABEL_CONTAINER_NAME]: name, [LABEL_CONTAINER_HASH]: containerHash({ name, image: "img" } as any) },
    ...extra,
  };
}

function view(containers: Record<string, State>, sandbox: PodRuntimeView["sandbox"] | null = { id: "sb", ready: true, attempt: 0 }): PodRuntimeView {
  return { sandbox: sandbox ?? undefined, readySandboxes: sandbox?.ready ? 1 : 0, containers: new Map(Object.entries(containers).map(([n, s]) => [n, rc(n, s)])) };
}

const probes = (results: Record<string, Partial<Record<ProbeType, "Success" | "Failure" | "Unknown">>>): ProbeResults => ({
  get: (type, id) => results[id.replace(/-id$/, "")]?.[type] ?? (type === "startup" ? undefined : "Success"),
});

const names = (a: PodActions) => ({
  createSandbox: a.createSandbox,
  killPod: a.killPod,
  init: a.initContainersToStart.map((c) => c.name),
  start: a.containersToStart.map((c) => c.name),
  kill: a.containersToKill.map((c) => c.name),
});

const noBackoff = new Backoff(() => NOW);

describe("computePodActions: regular containers", () => {
  const cases: Array<[string, Pod, PodRuntimeView, ReturnType<typeof names>, ProbeResults?]> = [
    ["a new pod: make a sandbox and start every container", pod({}), view({}, null), { createSandbox: true, killPod: true, init: [], start: ["a", "b"], kill: [] }],
    ["everything running: nothing to do", pod({}), view({ a: "running", b: "running" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }],
    ["Always: restart an exited container whatever its exit code", pod({}), view({ a: "running", b: "exited0" }), { createSandbox: false, killPod: false, init: [], start: ["b"], kill: [] }],
    ["OnFailure: restart only a failed container", pod({ restartPolicy: "OnFailure" }), view({ a: "exited0", b: "exited1" }), { createSandbox: false, killPod: false, init: [], start: ["b"], kill: [] }],
    ["OnFailure: all succeeded, kill the pod", pod({ restartPolicy: "OnFailure" }), view({ a: "exited0", b: "exited0" }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
    ["Never: nothing restarts; all exited kills the pod", pod({ restartPolicy: "Never" }), view({ a: "exited0", b: "exited1" }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
    ["Never: one still running keeps the pod", pod({ restartPolicy: "Never" }), view({ a: "running", b: "exited1" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }],
    ["a created container that never started is started again", pod({}), view({ a: "running", b: "created" }), { createSandbox: false, killPod: false, init: [], start: ["b"], kill: [] }],
    ["an unknown container is killed before it is restarted", pod({}), view({ a: "running", b: "unknown" }), { createSandbox: false, killPod: false, init: [], start: ["b"], kill: ["b"] }],
    ["a dead sandbox: kill the pod and start everything in a new one", pod({}), view({ a: "running", b: "running" }, { id: "sb", ready: false, attempt: 2 }), { createSandbox: true, killPod: true, init: [], start: ["a", "b"], kill: [] }],
    ["a dead sandbox with restartPolicy Never and containers that ran: no new sandbox", pod({ restartPolicy: "Never" }), view({ a: "exited0", b: "exited0" }, { id: "sb", ready: false }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
    ["a dead sandbox with OnFailure: start only the containers that did not succeed", pod({ restartPolicy: "OnFailure" }), view({ a: "exited0", b: "exited1" }, { id: "sb", ready: false }), { createSandbox: true, killPod: true, init: [], start: ["b"], kill: [] }],
    ["a failed liveness probe: kill and restart", pod({}), view({ a: "running", b: "running" }), { createSandbox: false, killPod: false, init: [], start: ["b"], kill: ["b"] }, probes({ b: { liveness: "Failure" } })],
    ["a failed startup probe: kill and restart", pod({}), view({ a: "running", b: "running" }), { createSandbox: false, killPod: false, init: [], start: ["a"], kill: ["a"] }, probes({ a: { startup: "Failure" } })],
    ["a failed liveness probe with restartPolicy Never: kill only", pod({ restartPolicy: "Never" }), view({ a: "running", b: "running" }), { createSandbox: false, killPod: false, init: [], start: [], kill: ["b"] }, probes({ b: { liveness: "Failure" } })],
    ["a deleted pod starts nothing", pod({}, { deletionTimestamp: "2026-01-01T00:00:00Z" }), view({ a: "running", b: "exited1" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }],
  ];
  it.each(cases)("%s", (_name, p, v, want, pr) => {
    expect(names(computePodActions(p, v, noBackoff, pr ?? NO_PROBES, NOW))).toEqual(want);
  });

  it("restarts a container whose image changed, whatever the policy, with the upstream message", () => {
    const v = view({ a: "running", b: "running" });
    const p = pod({ restartPolicy: "Never", containers: [{ name: "a", image: "img" }, { name: "b", image: "img:2" }] });
    const a = computePodActions(p, v, noBackoff, NO_PROBES, NOW);
    expect(a.containersToKill).toEqual([expect.objectContaining({ id: "b-id", name: "b", reason: "", message: "Container b definition changed, will be restarted", fieldPath: "spec.containers{b}" })]);
    expect(a.containersToStart.map((c) => c.name)).toEqual(["b"]);
  });

  it("gives the liveness kill its reason and message", () => {
    const a = computePodActions(pod({}), view({ a: "running", b: "running" }), noBackoff, probes({ a: { liveness: "Failure" } }), NOW);
    expect(a.containersToKill).toEqual([expect.objectContaining({ id: "a-id", reason: "LivenessProbe", message: "Container a failed liveness probe, will be restarted" })]);
  });

  it("numbers the new instance one past the newest, and keeps the sandbox's attempt", () => {
    const v = view({ a: "running" });
    v.containers.set("b", rc("b", "exited1", { labels: { ...rc("b", "exited1").labels, [LABEL_CONTAINER_RESTART_COUNT]: "4" } }));
    const a = computePodActions(pod({}), v, noBackoff, NO_PROBES, NOW);
    expect(a.containersToStart[0]).toMatchObject({ name: "b", restartCount: 5, lastExitAt: NOW - 1000 });
    expect(a.containersToStart[0].backOff).toBeUndefined();
    const again = computePodActions(pod({}), view({}, { id: "old", ready: false, attempt: 3 }), noBackoff, NO_PROBES, NOW);
    expect(again).toMatchObject({ createSandbox: true, sandboxId: "old", attempt: 4 });
    expect(again.containersToStart.map((c) => c.restartCount)).toEqual([0, 0]);
  });

  it("marks a container in CrashLoopBackOff with upstream's message and the time left", () => {
    const b = new Backoff(() => NOW);
    b.next("p_ns_u_b", NOW - 5000);
    b.next("p_ns_u_b", NOW - 5000); // 20 s
    const a = computePodActions(pod({}), view({ a: "running", b: "exited1" }), b, NO_PROBES, NOW);
    expect(a.containersToStart[0]).toMatchObject({ name: "b", backOff: { message: "back-off 20s restarting failed container=b pod=p_ns(u)", retryInMs: 19_000 } });
  });
});

describe("computePodActions: init containers", () => {
  const initPod = (spec: any = {}) => pod({ initContainers: [{ name: "i1", image: "img" }, { name: "i2", image: "img" }], containers: [{ name: "a", image: "img" }], ...spec });
  const cases: Array<[string, Pod, PodRuntimeView, ReturnType<typeof names>]> = [
    ["a new pod starts only the first init container", initPod(), view({}, null), { createSandbox: true, killPod: true, init: ["i1"], start: [], kill: [] }],
    ["the first init container still runs: wait", initPod(), view({ i1: "running" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }],
    ["the first one completed: start the second", initPod(), view({ i1: "exited0" }), { createSandbox: false, killPod: false, init: ["i2"], start: [], kill: [] }],
    ["all completed: start the containers", initPod(), view({ i1: "exited0", i2: "exited0" }), { createSandbox: false, killPod: false, init: [], start: ["a"], kill: [] }],
    ["a completed one that was removed does not run again", initPod(), view({ i2: "exited0" }), { createSandbox: false, killPod: false, init: [], start: ["a"], kill: [] }],
    ["a failed init container is retried (Always)", initPod(), view({ i1: "exited0", i2: "exited1" }), { createSandbox: false, killPod: false, init: ["i2"], start: [], kill: [] }],
    ["a failed init container kills the pod (Never)", initPod({ restartPolicy: "Never" }), view({ i1: "exited1" }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
    ["once the containers run, init containers are left alone", initPod(), view({ i1: "exited0", a: "running" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }],
    ["OnFailure, all done and the sandbox gone: nothing to recreate", initPod({ restartPolicy: "OnFailure" }), view({ i1: "exited0", i2: "exited0", a: "exited0" }, { id: "sb", ready: false }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
  ];
  it.each(cases)("%s", (_name, p, v, want) => {
    expect(names(computePodActions(p, v, noBackoff, NO_PROBES, NOW))).toEqual(want);
  });
});

describe("computePodActions: sidecars (restartable init containers)", () => {
  const sidecarPod = (spec: any = {}, sidecar: any = {}) =>
    pod({ initContainers: [{ name: "side", image: "img", restartPolicy: "Always", ...sidecar }, { name: "i2", image: "img" }], containers: [{ name: "a", image: "img" }], ...spec });
  const cases: Array<[string, Pod, PodRuntimeView, ReturnType<typeof names>, ProbeResults?]> = [
    ["a running sidecar lets the next init container start", sidecarPod(), view({ side: "running" }), { createSandbox: false, killPod: false, init: ["i2"], start: [], kill: [] }],
    ["a sidecar with a startup probe holds the next one until it has started", sidecarPod({}, { startupProbe: { exec: { command: ["true"] } } }), view({ side: "running" }), { createSandbox: false, killPod: false, init: [], start: [], kill: [] }, probes({})],
    ["…and lets it go once started", sidecarPod({}, { startupProbe: { exec: { command: ["true"] } } }), view({ side: "running" }), { createSandbox: false, killPod: false, init: ["i2"], start: [], kill: [] }, probes({ side: { startup: "Success" } })],
    ["a sidecar failing its startup probe is restarted", sidecarPod({}, { startupProbe: { exec: { command: ["true"] } } }), view({ side: "running" }), { createSandbox: false, killPod: false, init: ["side"], start: [], kill: ["side"] }, probes({ side: { startup: "Failure" } })],
    ["an exited sidecar is restarted beside the running containers", sidecarPod(), view({ side: "exited1", i2: "exited0", a: "running" }), { createSandbox: false, killPod: false, init: ["side"], start: [], kill: [] }],
    ["a sidecar failing liveness is restarted", sidecarPod({}, { livenessProbe: { exec: { command: ["true"] } } }), view({ side: "running", i2: "exited0", a: "running" }), { createSandbox: false, killPod: false, init: ["side"], start: [], kill: ["side"] }, probes({ side: { liveness: "Failure" } })],
    ["the containers done (OnFailure): the pod is killed, the sidecar is not restarted", sidecarPod({ restartPolicy: "OnFailure" }), view({ side: "running", i2: "exited0", a: "exited0" }), { createSandbox: false, killPod: true, init: [], start: [], kill: [] }],
  ];
  it.each(cases)("%s", (_name, p, v, want, pr) => {
    expect(names(computePodActions(p, v, noBackoff, pr ?? NO_PROBES, NOW))).toEqual(want);
  });

  it("a new pod starts the sidecar first, as an init container of kind sidecar", () => {
    const a = computePodActions(sidecarPod(), view({}, null), noBackoff, NO_PROBES, NOW);
    expect(a.initContainersToStart).toEqual([expect.objectContaining({ name: "side", kind: "sidecar", fieldPath: "spec.initContainers{side}" })]);
  });
});
