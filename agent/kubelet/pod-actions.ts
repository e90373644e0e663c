// What a sync must do to bring a pod's containers where its spec wants them (upstream's
// computePodActions and computeInitContainerActions): make a new sandbox or not, kill the pod,
// which init containers (in order, sidecars kept running) and which containers to start, which
// to kill (liveness or startup failures, a changed image). Pure: backoff and probe results are
// read, never changed; the sync carries the actions out.
import { createHash } from "node:crypto";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Container } from "../../src/apis/core/v1/podspec.js";
import type { ContainerStatus as RuntimeContainer } from "../runtimes/runtime.js";
import { isSidecar, LABEL_CONTAINER_HASH, restartCountOf, shouldContainerBeRestarted, type PodRuntimeView } from "./pod-status.js";
import { containerBackoffKey, formatDuration, formatPod } from "./restart-backoff.js";

export type ProbeType = "liveness" | "readiness" | "startup";
export type ProbeResult = "Success" | "Failure" | "Unknown";

/** Probe results by runtime container id (upstream's results managers). */
export interface ProbeResults {
  get(type: ProbeType, containerId: string): ProbeResult | undefined;
}

/** Every probe passes: a kubelet without a prober (the simulated runtime). */
export const NO_PROBES: ProbeResults = { get: () => "Success" };

/** The restart backoff, read only (restart-backoff.ts's Backoff). */
export interface BackoffState {
  get(key: string): number;
  isInBackOffSince(key: string, eventTime: number): boolean;
}

export type ContainerKind = "init" | "sidecar" | "regular";
/** Why a container is killed (upstream's containerKillReason), for its grace period and status. */
export type KillReason = "LivenessProbe" | "StartupProbe" | "Unknown" | "";

export interface ContainerToStart {
  name: string;
  kind: ContainerKind;
  spec: Container;
  /** spec.containers{name} or spec.initContainers{name}: where events point. */
  fieldPath: string;
  /** The new instance's restartCount: one more than the newest instance's, 0 for the first. */
  restartCount: number;
  /** When the newest exited instance finished: the restart backoff counts from it. */
  lastExitAt?: number;
  /** Still backing off (CrashLoopBackOff): not to be started now; the message and when it may be. */
  backOff?: { message: string; retryInMs: number };
}

export interface ContainerToKill {
  id: string;
  name: string;
  kind: ContainerKind;
  spec: Container;
  fieldPath: string;
  reason: KillReason;
  /** The Killing event's message (empty: "Stopping container NAME"). */
  message: string;
}

export interface PodActions {
  createSandbox: boolean;
  /** Stop every container and the sandbox (a new sandbox, or nothing left to run). */
  killPod: boolean;
  /** The sandbox the containers run in (or the one to replace). */
  sandboxId?: string;
  /** The new sandbox's attempt. */
  attempt: number;
  initContainersToStart: ContainerToStart[];
  containersToStart: ContainerToStart[];
  containersToKill: ContainerToKill[];
}

/** What an instance was made from; a different hash means the spec changed (only the image may). */
export function containerHash(spec: Container): string {
  return createHash("sha256").update(`${spec.name}\u0000${spec.image ?? ""}`).digest("hex").slice(0, 16);
}

export function fieldPathOf(kind: ContainerKind, name: string): string {
  return `spec.${kind === "regular" ? "containers" : "initContainers"}{${name}}`;
}

const shouldRestartOnFailure = (pod: Pod) => (pod.spec.restartPolicy ?? "Always") !== "Never";
const changed = (spec: Container, rc: RuntimeContainer) => {
  const hash = rc.labels[LABEL_CONTAINER_HASH];
  return hash !== undefined && hash !== containerHash(spec);
};

export function computePodActions(pod: Pod, view: PodRuntimeView, backoff: BackoffState, probes: ProbeResults, now: number): PodActions {
  const ref = { name: pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "", uid: pod.metadata.uid ?? "" };
  const initSpecs = (pod.spec.initContainers ?? []) as Container[];
  const specs = pod.spec.containers ?? [];

  const start = (spec: Container, kind: ContainerKind): ContainerToStart => {
    const newest = view.containers.get(spec.name);
    const lastExited = [newest, view.previous?.get(spec.name)].find((c) => c?.state === "CONTAINER_EXITED");
    const out: ContainerToStart = { name: spec.name, kind, spec, fieldPath: fieldPathOf(kind, spec.name), restartCount: newest ? restartCountOf(newest) + 1 : 0 };
    if (lastExited) {
      out.lastExitAt = lastExited.finishedAt;
      const key = containerBackoffKey(ref, spec.name);
      if (backoff.isInBackOffSince(key, lastExited.finishedAt)) {
        const period = backoff.get(key);
        out.backOff = { message: `back-off ${formatDuration(period)} restarting failed container=${spec.name} pod=${formatPod(ref)}`, retryInMs: Math.max(0, lastExited.finishedAt + period - now) };
      }
    }
    return out;
  };
  const kill = (rc: RuntimeContainer, spec: Container, kind: ContainerKind, reason: KillReason, message: string): ContainerToKill => ({ id: rc.id, name: spec.name, kind, spec, fieldPath: fieldPathOf(kind, spec.name), reason, message });

  // upstream PodSandboxChanged: no sandbox, a sandbox that is not ready, or more than one ready.
  const sb = view.sandbox;
  const createSandbox = !sb || !sb.ready || (view.readySandboxes ?? 1) > 1;
  const actions: PodActions = {
    createSandbox,
    killPod: createSandbox,
    sandboxId: sb?.id,
    attempt: sb ? (sb.attempt ?? 0) + (createSandbox ? 1 : 0) : 0,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
  };

  if (createSandbox) {
    // A pod that must not restart and already ran gets no new sandbox: its containers are done.
    if (!shouldRestartOnFailure(pod) && sb && view.containers.size !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = specs.filter((c) => !(pod.spec.restartPolicy === "OnFailure" && succeeded(view.containers.get(c.name))));
    if (toStart.length === 0 && initDone(pod, view)) {
      actions.createSandbox = false;
      return actions;
    }
    if (initSpecs.length) {
      actions.initContainersToStart = [start(initSpecs[0], isSidecar(initSpecs[0]) ? "sidecar" : "init")];
      return actions;
    }
    actions.containersToStart = toStart.map((c) => start(c, "regular"));
    return actions;
  }

  if (!computeInitContainerActions(pod, view, probes, actions, start, kill) || actions.killPod) return actions;

  let keep = 0;
  for (const spec of specs) {
    const rc = view.containers.get(spec.name);
    if (!rc || rc.state !== "CONTAINER_RUNNING") {
      if (shouldContainerBeRestarted(pod, spec.name, view)) {
        actions.containersToStart.push(start(spec, "regular"));
        if (rc?.state === "CONTAINER_UNKNOWN") actions.containersToKill.push(kill(rc, spec, "regular", "Unknown", `Container is in "unknown" state, try killing it before restart`));
      }
      continue;
    }
    let message: string;
    let reason: KillReason = "";
    let restart = shouldRestartOnFailure(pod);
    if (changed(spec, rc)) {
      message = `Container ${spec.name} definition changed`;
      restart = true; // a new spec restarts whatever the policy
    } else if (probes.get("liveness", rc.id) === "Failure") {
      message = `Container ${spec.name} failed liveness probe`;
      reason = "LivenessProbe";
    } else if (probes.get("startup", rc.id) === "Failure") {
      message = `Container ${spec.name} failed startup probe`;
      reason = "StartupProbe";
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      actions.containersToStart.push(start(spec, "regular"));
    }
    actions.containersToKill.push(kill(rc, spec, "regular", reason, message));
  }
  // Nothing runs and nothing will: the pod is done; sidecars must not keep it alive.
  if (keep === 0 && actions.containersToStart.length === 0) {
    actions.killPod = true;
    actions.initContainersToStart = [];
  }
  return actions;
}

const succeeded = (rc: RuntimeContainer | undefined) => rc?.state === "CONTAINER_EXITED" && rc.exitCode === 0;

/** Whether initialization has finished (upstream findNextInitContainerToRun's done). */
function initDone(pod: Pod, view: PodRuntimeView): boolean {
  if ((pod.spec.containers ?? []).some((c) => view.containers.has(c.name))) return true;
  const regularInit = (pod.spec.initContainers ?? []).filter((c) => !isSidecar(c));
  return regularInit.length === 0 || succeeded(view.containers.get(regularInit[regularInit.length - 1].name));
}

/**
 * upstream computeInitContainerActions: walks the init containers from the last, so that a
 * completed one that was removed since does not run again; starts the next one, restarts
 * sidecars that stopped or fail their probes. Returns whether the pod is initialized.
 */
function computeInitContainerActions(
  pod: Pod,
  view: PodRuntimeView,
  probes: ProbeResults,
  actions: PodActions,
  start: (spec: Container, kind: ContainerKind) => ContainerToStart,
  kill: (rc: RuntimeContainer, spec: Container, kind: ContainerKind, reason: KillReason, message: string) => ContainerToKill,
): boolean {
  const inits = (pod.spec.initContainers ?? []) as Container[];
  if (inits.length === 0) return true;
  // A regular container that was created means every init container ran once already.
  let podHasInitialized = (pod.spec.containers ?? []).some((c) => {
    const s = view.containers.get(c.name)?.state;
    return s === "CONTAINER_CREATED" || s === "CONTAINER_RUNNING";
  });
  let previouslyInitialized = podHasInitialized;
  const restartOnFailure = shouldRestartOnFailure(pod);
  const toStart: number[] = [];
  const kindOf = (c: Container): ContainerKind => (isSidecar(c) ? "sidecar" : "init");

  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const rc = view.containers.get(c.name);
    const sidecar = isSidecar(c);
    if (!rc) {
      if (previouslyInitialized && sidecar) toStart.push(i);
      continue;
    }
    if (previouslyInitialized && !sidecar) continue;

    if (rc.state === "CONTAINER_CREATED") {
      // Created but never started (its start failed): start it again.
      toStart.push(i);
    } else if (rc.state === "CONTAINER_RUNNING") {
      if (sidecar) sidecarRunning(i, c, rc);
      // A regular init container: wait for it to finish.
    } else if (rc.state === "CONTAINER_EXITED") {
      if (sidecar) toStart.push(i);
      else if (rc.exitCode !== 0) {
        if (!restartOnFailure) {
          actions.killPod = true;
          actions.initContainersToStart = [];
          return false;
        }
        toStart.push(i);
      } else if (i === inits.length - 1) podHasInitialized = true;
      else toStart.push(i + 1);
    } else {
      if (!sidecar && !restartOnFailure) {
        actions.killPod = true;
        actions.initContainersToStart = [];
        return false;
      }
      actions.containersToKill.push(kill(rc, c, kindOf(c), "Unknown", `Init container is in "unknown" state, try killing it before restart`));
      toStart.push(i);
    }
    previouslyInitialized = true;
  }
  if (!previouslyInitialized) toStart.push(0);
  actions.initContainersToStart = toStart.reverse().map((i) => start(inits[i], kindOf(inits[i])));
  return podHasInitialized;

  function sidecarRunning(i: number, c: Container, rc: RuntimeContainer): void {
    if (c.startupProbe) {
      const startup = probes.get("startup", rc.id);
      if (startup !== "Success") {
        if (startup === "Failure") {
          actions.containersToKill.push(kill(rc, c, "sidecar", "StartupProbe", `Init container ${c.name} failed startup probe`));
          toStart.push(i);
        }
        return; // not started yet: the next init container waits
      }
    }
    if (i === inits.length - 1) podHasInitialized = true;
    else if (!previouslyInitialized) toStart.push(i + 1);
    if (changed(c, rc)) {
      actions.containersToKill.push(kill(rc, c, "sidecar", "", `Init container ${c.name} definition changed`));
      toStart.push(i);
      return;
    }
    if (c.livenessProbe && probes.get("liveness", rc.id) === "Failure") {
      actions.containersToKill.push(kill(rc, c, "sidecar", "LivenessProbe", `Init container ${c.name} failed liveness probe`));
      toStart.push(i);
    }
  }
}
