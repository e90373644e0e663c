// A pod's status as the kubelet computes it from what the runtime reports (upstream's
// generateAPIPodStatus, getPhase and the status manager's condition helpers): phase, the
// PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled conditions,
// addresses, container statuses in spec order, QoS class. Pure: the clock is passed in.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { computeQOSClass } from "../../src/apis/core/v1/podspec.js";
import { canonicalJson } from "../../src/lib/canonical-json.js";
import type { ContainerStatus as RuntimeContainer } from "../runtimes/runtime.js";
import { rfc3339 } from "./node-status.js";

type PodStatus = NonNullable<Pod["status"]>;
type ApiContainerStatus = NonNullable<PodStatus["containerStatuses"]>[number];
type PodCondition = NonNullable<PodStatus["conditions"]>[number];
type SpecContainer = NonNullable<Pod["spec"]["containers"]>[number];

export interface PodRuntimeView {
  sandbox?: { ready: boolean; ip?: string };
  /** The newest runtime container of each container name. */
  containers: Map<string, RuntimeContainer>;
}

export interface PodStatusContext {
  hostIP: string;
  /** The runtime's name, the scheme of containerIDs (simulated://…). */
  runtimeName: string;
  now: number;
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

function containerStatus(spec: SpecContainer, rc: RuntimeContainer | undefined, ctx: PodStatusContext, kind: "init" | "regular", previous: ApiContainerStatus | undefined): ApiContainerStatus {
  const base = { name: spec.name, image: spec.image ?? "", restartCount: previous?.containerID && rc && previous.containerID === `${ctx.runtimeName}://${rc.id}` ? previous.restartCount : 0 };
  if (!rc || rc.state === "CONTAINER_CREATED" || rc.state === "CONTAINER_UNKNOWN") {
    return { ...base, imageID: rc?.imageRef ?? "", ...(rc ? { containerID: `${ctx.runtimeName}://${rc.id}` } : {}), ready: false, started: false, state: { waiting: { reason: kind === "init" ? "PodInitializing" : "ContainerCreating" } }, lastState: {} };
  }
  const containerID = `${ctx.runtimeName}://${rc.id}`;
  if (rc.state === "CONTAINER_RUNNING") {
    return { ...base, imageID: rc.imageRef, containerID, ready: true, started: true, state: { running: { startedAt: rfc3339(rc.startedAt) } }, lastState: {} };
  }
  const terminated = {
    exitCode: rc.exitCode,
    reason: rc.reason ?? (rc.exitCode === 0 ? "Completed" : "Error"),
    startedAt: rfc3339(rc.startedAt || rc.createdAt),
    finishedAt: rfc3339(rc.finishedAt),
    containerID,
    ...(rc.message ? { message: rc.message } : {}),
  };
  // A completed init container counts as ready (upstream since 1.27).
  return { ...base, imageID: rc.imageRef, containerID, ready: kind === "init" && rc.exitCode === 0, started: false, state: { terminated }, lastState: {} };
}

function condition(type: string, ok: boolean, now: string, previous: PodCondition[], reason?: string, message?: string): PodCondition {
  const status = ok ? "True" : "False";
  const old = previous.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now;
  return { type, status, lastTransitionTime, ...(!ok && reason ? { reason } : {}), ...(!ok && message ? { message } : {}) };
}

/** upstream getPhase, for the container states a runtime reports. */
function phaseOf(pod: Pod, init: ApiContainerStatus[], regular: ApiContainerStatus[]): string {
  const initDone = (pod.spec.initContainers ?? []).every((c, i) => (isSidecar(c) ? init[i].started : init[i].state?.terminated?.exitCode === 0));
  if (!initDone) {
    const failed = init.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
    return failed && pod.spec.restartPolicy === "Never" ? "Failed" : "Pending";
  }
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const s of regular) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) (s.state.terminated.exitCode === 0 ? succeeded++ : failed++);
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  const policy = pod.spec.restartPolicy ?? "Always";
  if (policy === "Always") return "Running";
  if (failed > 0) return policy === "Never" ? "Failed" : "Running";
  return succeeded > 0 ? "Succeeded" : "Pending";
}

export function computePodStatus(pod: Pod, view: PodRuntimeView, ctx: PodStatusContext): PodStatus {
  const prev = pod.status ?? {};
  const now = rfc3339(ctx.now);
  const previousConditions = prev.conditions ?? [];
  const prevInit = new Map((prev.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const prevRegular = new Map((prev.containerStatuses ?? []).map((s) => [s.name, s]));
  const initSpecs = pod.spec.initContainers ?? [];
  const init = initSpecs.map((c) => containerStatus(c as SpecContainer, view.containers.get(c.name), ctx, isSidecar(c) ? "regular" : "init", prevInit.get(c.name)));
  const regular = (pod.spec.containers ?? []).map((c) => containerStatus(c, view.containers.get(c.name), ctx, "regular", prevRegular.get(c.name)));

  const incompleteInit = initSpecs.filter((c, i) => (isSidecar(c) ? !init[i].started : init[i].state?.terminated?.exitCode !== 0)).map((c) => c.name);
  const unready = [...initSpecs.filter((c, i) => isSidecar(c) && !init[i].ready).map((c) => c.name), ...regular.filter((s) => !s.ready).map((s) => s.name)];
  const gatesUnready = (pod.spec.readinessGates ?? []).filter((g) => !previousConditions.some((c) => c.type === g.conditionType && c.status === "True")).map((g) => g.conditionType);
  const sandboxReady = !!view.sandbox?.ready;
  const conditions: PodCondition[] = [
    condition("PodReadyToStartContainers", sandboxReady, now, previousConditions),
    condition("Initialized", incompleteInit.length === 0, now, previousConditions, "ContainersNotInitialized", `containers with incomplete status: [${incompleteInit.join(" ")}]`),
    condition(
      "Ready",
      unready.length === 0 && gatesUnready.length === 0,
      now,
      previousConditions,
      unready.length ? "ContainersNotReady" : "ReadinessGatesNotReady",
      unready.length ? `containers with unready status: [${unready.join(" ")}]` : `corresponding condition of pod readiness gate "${gatesUnready[0]}" does not exist.`,
    ),
    condition("ContainersReady", unready.length === 0, now, previousConditions, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
    // When the kubelet sees the pod, it is scheduled (upstream sets PodScheduled=True itself).
    condition("PodScheduled", true, now, previousConditions),
    ...previousConditions.filter((c) => !KUBELET_CONDITIONS.includes(c.type ?? "")),
  ];

  const podIP = pod.spec.hostNetwork ? ctx.hostIP : view.sandbox?.ready ? view.sandbox.ip : undefined;
  return {
    phase: phaseOf(pod, init, regular),
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

function digestOfContainers(list: ApiContainerStatus[] | undefined): unknown {
  return (list ?? []).map((s) => [s.name, s.containerID ?? "", s.ready, !!s.started, s.restartCount, Object.keys(s.state ?? {}).sort().join(), s.state?.terminated?.exitCode ?? null]);
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
