// A pod's status as the kubelet computes it from what the runtime reports (upstream's
// generateAPIPodStatus, convertToAPIContainerStatuses, getPhase, the prober's UpdatePodStatus
// and the status generator's conditions). Pure: the clock, the reasons containers wait for and
// the probe results are passed in.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { computeQOSClass } from "../../src/apis/core/v1/podspec.js";
import { canonicalJson } from "../../src/lib/canonical-json.js";
import { LABEL_CONTAINER_NAME, type ContainerStatus as RuntimeContainer, type PodSandbox } from "../runtimes/runtime.js";
import { rfc3339 } from "./node-status.js";

type PodStatus = NonNullable<Pod["status"]>;
type ApiContainerStatus = NonNullable<PodStatus["containerStatuses"]>[number];
type ApiContainerState = NonNullable<ApiContainerStatus["state"]>;
type PodCondition = NonNullable<PodStatus["conditions"]>[number];
type SpecContainer = NonNullable<Pod["spec"]["containers"]>[number];

/** How many times the kubelet restarted a container before this instance (upstream's restartCount annotation). */
export const LABEL_CONTAINER_RESTART_COUNT = "io.kubernetes.container.restartCount";
/** What the instance was made from, so a changed spec (a new image) restarts it. */
export const LABEL_CONTAINER_HASH = "io.kubernetes.container.hash";

export interface SandboxView {
  id?: string;
  ready: boolean;
  ip?: string;
  attempt?: number;
}

export interface PodRuntimeView {
  /** The pod's newest sandbox. */
  sandbox?: SandboxView;
  /** How many of the pod's sandboxes are ready (more than one: make a new one). */
  readySandboxes?: number;
  /** The newest runtime container of each container name. */
  containers: Map<string, RuntimeContainer>;
  /** The instance before the newest one of each name (its exit is lastState). */
  previous?: Map<string, RuntimeContainer>;
}

/** What the prober knows (upstream's startup and readiness results); without probes every running container is started and ready. */
export interface ProbeStatus {
  isStarted(podUid: string, containerName: string, containerId: string): boolean;
  isReady(podUid: string, containerName: string, containerId: string): boolean;
}

export interface PodStatusContext {
  hostIP: string;
  /** The runtime's name, the scheme of containerIDs (simulated://…). */
  runtimeName: string;
  now: number;
  /** Why a container that should run does not (upstream's reasonCache): CrashLoopBackOff, ErrImagePull… */
  waiting?: Map<string, { reason: string; message?: string }>;
  probes?: ProbeStatus;
  /** The kubelet will not start the pod's containers again (upstream's podIsTerminal). */
  terminal?: boolean;
}

const KUBELET_CONDITIONS = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

/** An init container with restartPolicy Always runs beside the others (a sidecar). */
export function isSidecar(c: { restartPolicy?: string }): boolean {
  return c.restartPolicy === "Always";
}

/** The pod's QoS class: the one the API computed at creation, else computed here as upstream does. */
export function qosClassOf(pod: Pod): string {
  return pod.status?.qosClass || computeQOSClass(pod.spec);
}

export function restartCountOf(rc: RuntimeContainer | undefined): number {
  const n = Number(rc?.labels[LABEL_CONTAINER_RESTART_COUNT] ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** The pod's runtime view from its sandboxes and containers (every instance, any order). */
export function buildRuntimeView(sandboxes: PodSandbox[], containers: RuntimeContainer[]): PodRuntimeView {
  const newestSandbox = [...sandboxes].sort((a, b) => b.createdAt - a.createdAt)[0];
  const byName = new Map<string, RuntimeContainer[]>();
  for (const c of containers) {
    const name = c.labels[LABEL_CONTAINER_NAME] ?? c.name;
    byName.set(name, [...(byName.get(name) ?? []), c]);
  }
  const newest = new Map<string, RuntimeContainer>();
  const previous = new Map<string, RuntimeContainer>();
  for (const [name, list] of byName) {
    list.sort((a, b) => b.createdAt - a.createdAt);
    newest.set(name, list[0]);
    if (list[1]) previous.set(name, list[1]);
  }
  return {
    sandbox: newestSandbox && { id: newestSandbox.id, ready: newestSandbox.state === "SANDBOX_READY", ip: newestSandbox.ip, attempt: newestSandbox.config.attempt },
    readySandboxes: sandboxes.filter((s) => s.state === "SANDBOX_READY").length,
    containers: newest,
    previous,
  };
}

/** upstream's ShouldContainerBeRestarted: whether the next sync would start this container. */
export function shouldContainerBeRestarted(pod: Pod, name: string, view: PodRuntimeView): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const rc = view.containers.get(name);
  if (!rc) return true;
  if (rc.state === "CONTAINER_RUNNING") return false;
  if (rc.state !== "CONTAINER_EXITED") return true;
  const policy = pod.spec.restartPolicy ?? "Always";
  if (policy === "Never") return false;
  if (policy === "OnFailure" && rc.exitCode === 0) return false;
  return true;
}

function stateOf(rc: RuntimeContainer, containerID: string, old: ApiContainerStatus | undefined): { state: ApiContainerState; restartBump?: boolean } {
  switch (rc.state) {
    case "CONTAINER_RUNNING":
      return { state: { running: { startedAt: rfc3339(rc.startedAt) } } };
    case "CONTAINER_EXITED":
      return {
        state: {
          terminated: {
            exitCode: rc.exitCode,
            reason: rc.reason || (rc.exitCode === 0 ? "Completed" : "Error"),
            ...(rc.message ? { message: rc.message } : {}),
            startedAt: rfc3339(rc.startedAt || rc.createdAt),
            finishedAt: rfc3339(rc.finishedAt),
            containerID,
          },
        },
      };
    case "CONTAINER_UNKNOWN":
      // It ran and the runtime lost it: it terminated, not "never ran".
      if (old?.state?.running) return { state: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was terminated" } }, restartBump: true };
      return { state: { waiting: {} } };
    default:
      // Created but not running: waiting to be started (a failed start says why through the reason cache).
      return { state: { waiting: {} } };
  }
}

function containerStatuses(pod: Pod, specs: SpecContainer[], isInit: boolean, view: PodRuntimeView, ctx: PodStatusContext, previous: ApiContainerStatus[] | undefined): ApiContainerStatus[] {
  const uid = pod.metadata.uid ?? "";
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const defaultWaiting = { waiting: { reason: hasInit ? "PodInitializing" : "ContainerCreating" } };
  const olds = new Map((previous ?? []).map((s) => [s.name, s]));
  const cid = (rc: RuntimeContainer) => `${ctx.runtimeName}://${rc.id}`;

  return specs.map((spec) => {
    const old = olds.get(spec.name);
    const rc = view.containers.get(spec.name);
    let status: ApiContainerStatus;
    if (rc) {
      const { state, restartBump } = stateOf(rc, cid(rc), old);
      status = { name: spec.name, image: spec.image ?? rc.image, imageID: rc.imageRef, containerID: cid(rc), ready: false, started: false, restartCount: restartBump && old ? (old.restartCount ?? 0) + 1 : restartCountOf(rc), state, lastState: {} };
      const prev = view.previous?.get(spec.name);
      if (prev) status.lastState = stateOf(prev, cid(prev), undefined).state;
    } else if (old?.state?.terminated) {
      status = { ...old, ready: false, started: false };
    } else {
      status = { name: spec.name, image: spec.image ?? "", imageID: "", ready: false, started: false, restartCount: old?.restartCount ?? 0, state: defaultWaiting, lastState: old?.lastState ?? {} };
      // It used to run and the runtime no longer has it: it stopped, it did not "never start".
      if (old?.state?.running && !status.lastState?.terminated) {
        status.lastState = { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was deleted.  The container used to be Running" } };
        if (!pod.metadata.deletionTimestamp) status.restartCount = (status.restartCount ?? 0) + 1;
      }
    }

    // A container the next sync would start waits, and says why when a start failed.
    const completedInit = isInit && !isSidecar(spec) && rc?.state === "CONTAINER_EXITED" && rc.exitCode === 0;
    const why = ctx.waiting?.get(spec.name);
    if (!completedInit && why && !ctx.terminal && shouldContainerBeRestarted(pod, spec.name, view)) {
      if (status.state?.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: why.reason, ...(why.message ? { message: why.message } : {}) } };
    }

    // The prober's view (upstream's UpdatePodStatus): started after the startup probe, ready after the readiness probe.
    const id = rc?.id ?? "";
    const running = !!status.state?.running && !!rc;
    status.started = running && (ctx.probes?.isStarted(uid, spec.name, id) ?? true);
    if (isInit && !isSidecar(spec)) status.ready = !!status.state?.terminated && status.state.terminated.exitCode === 0;
    else status.ready = status.started && (ctx.probes?.isReady(uid, spec.name, id) ?? true);
    return status;
  });
}

/** upstream getPhase. */
function phaseOf(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[], terminal: boolean): string {
  const spec = pod.spec;
  let pendingInitialization = 0;
  let failedInitialization = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  (spec.initContainers ?? []).forEach((c, i) => {
    const s = init[i];
    if (!isSidecar(c)) {
      if (s.state?.running) pendingInitialization++;
      else if (s.state?.terminated) failedInitialization += s.state.terminated.exitCode !== 0 ? 1 : 0;
      else if (s.lastState?.terminated) failedInitialization += s.lastState.terminated.exitCode !== 0 ? 1 : 0;
      else pendingInitialization++;
      return;
    }
    if (s.state?.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (!s.state?.terminated && !s.lastState?.terminated) {
      pendingInitialization++;
      waiting++;
    }
  });
  for (const s of regular) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  const policy = spec.restartPolicy ?? "Always";
  if (failedInitialization > 0 && policy === "Never") return "Failed";
  const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (running === 0 && stopped > 0) {
    if (terminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

const goList = (names: string[]) => `[${names.join(" ")}]`;

function condition(type: string, status: boolean, now: string, previous: PodCondition[], reason?: string, message?: string): PodCondition {
  const s = status ? "True" : "False";
  const old = previous.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === s && old.lastTransitionTime ? old.lastTransitionTime : now;
  return { type, status: s, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** upstream GenerateContainersReadyCondition, as [ok, reason, message]. */
function containersReady(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[], phase: string): [boolean, string?, string?] {
  if (phase === "Succeeded") return [false, "PodCompleted"];
  if (phase === "Failed") return [false, "PodFailed"];
  const unready = [...(pod.spec.initContainers ?? []).filter((c, i) => isSidecar(c) && !init[i].ready).map((c) => c.name), ...regular.filter((s) => !s.ready).map((s) => s.name)];
  if (unready.length) return [false, "ContainersNotReady", `containers with unready status: ${goList(unready)}`];
  return [true];
}

export function computePodStatus(pod: Pod, view: PodRuntimeView, ctx: PodStatusContext): PodStatus {
  const prev = pod.status ?? {};
  const now = rfc3339(ctx.now);
  const previousConditions = prev.conditions ?? [];
  const initSpecs = (pod.spec.initContainers ?? []) as SpecContainer[];
  const init = containerStatuses(pod, initSpecs, true, view, ctx, prev.initContainerStatuses);
  const regular = containerStatuses(pod, pod.spec.containers ?? [], false, view, ctx, prev.containerStatuses);

  let phase = phaseOf(pod, init, regular, !!ctx.terminal);
  // A pod never leaves a terminal phase.
  if (prev.phase === "Succeeded" || prev.phase === "Failed") phase = prev.phase;

  const initialized: [boolean, string?, string?] = (() => {
    if (initSpecs.length === 0 || regular.some((s) => s.state?.running || s.state?.terminated)) return [true];
    if (phase === "Succeeded") return [true, "PodCompleted"];
    const incomplete = initSpecs.filter((c, i) => (isSidecar(c) ? !init[i].started : !init[i].ready)).map((c) => c.name);
    return incomplete.length ? [false, "ContainersNotInitialized", `containers with incomplete status: ${goList(incomplete)}`] : [true];
  })();
  const ready = containersReady(pod, init, regular, phase);
  const gatesUnready = (pod.spec.readinessGates ?? []).filter((g) => !previousConditions.some((c) => c.type === g.conditionType && c.status === "True")).map((g) => g.conditionType);
  const podReady: [boolean, string?, string?] = !ready[0] ? ready : gatesUnready.length ? [false, "ReadinessGatesNotReady", `corresponding condition of pod readiness gate "${gatesUnready[0]}" does not exist.`] : [true];
  const conditions: PodCondition[] = [
    condition("PodReadyToStartContainers", !!view.sandbox?.ready, now, previousConditions),
    condition("Initialized", initialized[0], now, previousConditions, initialized[1], initialized[2]),
    condition("Ready", podReady[0], now, previousConditions, podReady[1], podReady[2]),
    condition("ContainersReady", ready[0], now, previousConditions, ready[1], ready[2]),
    // When the kubelet sees the pod, it is scheduled (upstream sets PodScheduled=True itself).
    condition("PodScheduled", true, now, previousConditions),
    ...previousConditions.filter((c) => !KUBELET_CONDITIONS.includes(c.type ?? "")),
  ];

  const podIP = pod.spec.hostNetwork ? ctx.hostIP : view.sandbox?.ready ? view.sandbox.ip : prev.podIP;
  return {
    phase,
    ...(phase === prev.phase && prev.reason ? { reason: prev.reason } : {}),
    ...(phase === prev.phase && prev.message ? { message: prev.message } : {}),
    conditions,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: prev.startTime ?? now,
    ...(initSpecs.length ? { initContainerStatuses: init } : {}),
    containerStatuses: regular,
    qosClass: qosClassOf(pod),
  };
}

function digestOfState(s: ApiContainerState | undefined): unknown {
  if (!s) return null;
  if (s.running) return ["running", s.running.startedAt ?? ""];
  if (s.terminated) return ["terminated", s.terminated.exitCode ?? 0, s.terminated.reason ?? "", s.terminated.message ?? "", s.terminated.containerID ?? ""];
  if (s.waiting) return ["waiting", s.waiting.reason ?? "", s.waiting.message ?? ""];
  return null;
}

function digestOfContainers(list: ApiContainerStatus[] | undefined): unknown {
  return (list ?? []).map((s) => [s.name, s.containerID ?? "", s.ready, !!s.started, s.restartCount, digestOfState(s.state), digestOfState(s.lastState)]);
}

/** What a status write would change, reduced to what matters: equal digests need no write. */
export function podStatusDigest(status: PodStatus | undefined): string {
  const s = status ?? {};
  return canonicalJson({
    phase: s.phase ?? "",
    podIP: s.podIP ?? "",
    hostIP: s.hostIP ?? "",
    startTime: s.startTime ?? "",
    qosClass: s.qosClass ?? "",
    conditions: (s.conditions ?? []).filter((c) => KUBELET_CONDITIONS.includes(c.type ?? "")).map((c) => `${c.type}=${c.status}`).sort(),
    init: digestOfContainers(s.initContainerStatuses),
    containers: digestOfContainers(s.containerStatuses),
  });
}
