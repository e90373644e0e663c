// Starting and killing one container (upstream's kuberuntime_container.go): doBackOff and the
// image before a start, then create, start and the postStart hook, each failure a waiting
// reason and a Failed event; a kill runs preStop within the grace period, then SIGTERM with
// what remains (at least 2 s) and SIGKILL when it ends.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Container } from "../../src/apis/core/v1/podspec.js";
import type { Logger } from "../log.js";
import { RuntimeNotFoundError, type ContainerRuntime } from "../runtimes/runtime.js";
import type { EventRecorder, InvolvedPod } from "./events.js";
import { ImagePuller } from "./image-puller.js";
import { sleep } from "../client/backoff.js";
import { runLifecycleHandler } from "./lifecycle-hooks.js";
import { fieldPathOf, type ContainerKind, type ContainerToStart, type KillReason } from "./pod-actions.js";
import type { PodPreparer } from "./pod-preparer.js";
import { Backoff, containerBackoffKey, formatPod } from "./restart-backoff.js";
import { containerConfig } from "./runtime-config.js";

/** upstream's minimumGracePeriodInSeconds: a container always gets this long after SIGTERM. */
const MIN_GRACE_SECONDS = 2;
/** How long a postStart exec may run (upstream sets no limit; a hook stuck forever would hold the pod's sync). */
const POST_START_TIMEOUT_SECONDS = 300;

export type WaitingReasons = Map<string, { reason: string; message?: string }>;

/** A kill in progress whose grace period a newer deletion may shorten. */
export interface StopHandle {
  shorten(graceSeconds: number): void;
}

export interface ContainerRunnerDeps {
  nodeName: string;
  runtime: ContainerRuntime;
  events: EventRecorder;
  log: Logger;
  preparer: PodPreparer;
  now: () => number;
}

const refOf = (pod: Pod): InvolvedPod => ({ namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" });
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ContainerRunner {
  /** CrashLoopBackOff, by upstream's key. */
  readonly backoff: Backoff;
  readonly puller: ImagePuller;

  constructor(private readonly d: ContainerRunnerDeps) {
    this.backoff = new Backoff(d.now);
    this.puller = new ImagePuller(d.runtime, d.events, d.now);
  }

  /** upstream's startContainer, with doBackOff and EnsureImageExists before it; retryInMs says when a failed start may be tried again. */
  async start(pod: Pod, sandboxId: string, s: ContainerToStart, podIP: string | undefined, waiting: WaitingReasons): Promise<{ started: boolean; retryInMs?: number }> {
    const ref = refOf(pod);
    const warn = (reason: string, text: string) => this.d.events.event(ref, "Warning", reason, text, s.fieldPath);
    const fail = (reason: string, text: string | undefined, retryInMs?: number) => {
      waiting.set(s.name, { reason, ...(text ? { message: text } : {}) });
      return { started: false, retryInMs };
    };
    if (s.backOff) {
      warn("BackOff", `Back-off restarting failed container ${s.name} in pod ${formatPod(ref)}`);
      return fail("CrashLoopBackOff", s.backOff.message, Math.max(s.backOff.retryInMs, 100));
    }
    if (s.lastExitAt !== undefined) this.backoff.next(containerBackoffKey(ref, s.name), s.lastExitAt);

    const image = await this.puller.ensureImageExists(ref, s.spec, s.fieldPath);
    if (!image.ok) {
      warn("Failed", `Error: ${image.reason}`);
      const retry = image.reason === "ErrImagePull" || image.reason === "ImagePullBackOff" ? Math.max(this.puller.retryInMs(ref.uid, s.spec.image ?? ""), 100) : 10_000;
      return fail(image.reason, image.message, retry);
    }
    let prepared;
    try {
      prepared = await this.d.preparer.containerConfig(pod, s.spec, podIP);
    } catch (err) {
      warn("Failed", `Error: ${message(err)}`);
      return fail("CreateContainerConfigError", message(err), 10_000);
    }
    let id: string;
    try {
      id = await this.d.runtime.createContainer(sandboxId, containerConfig(pod, s, prepared));
    } catch (err) {
      warn("Failed", `Error: ${message(err)}`);
      return fail("CreateContainerError", message(err), 10_000);
    }
    this.d.events.event(ref, "Normal", "Created", `Created container: ${s.name}`, s.fieldPath);
    try {
      await this.d.runtime.startContainer(id);
    } catch (err) {
      warn("Failed", `Error: ${message(err)}`);
      return fail("RunContainerError", message(err), 10_000);
    }
    this.d.events.event(ref, "Normal", "Started", `Started container ${s.name}`, s.fieldPath);
    waiting.delete(s.name);

    const postStart = s.spec.lifecycle?.postStart;
    if (postStart) {
      const failed = await runLifecycleHandler(postStart, { runtime: this.d.runtime, pod, container: s.spec, containerId: id, podIP }, { timeoutSeconds: POST_START_TIMEOUT_SECONDS });
      if (failed) {
        this.d.log.error(`✗ node ${this.d.nodeName}: pod ${ref.namespace}/${ref.name}: ${failed}`);
        // As upstream, the hook's own message stays out of the event (it may hold secrets).
        warn("FailedPostStartHook", "PostStartHook failed");
        await this.kill(pod, id, s.spec, s.kind, "FailedPostStartHook", "");
        return fail("PostStartHookError", failed);
      }
    }
    return { started: true };
  }

  /**
   * upstream's killContainer: the Killing event (`why`, else "Stopping container NAME"), the
   * preStop hook within the grace period, then SIGTERM with what remains of it. `handles`
   * receives a handle a shorter deletion grace period can use.
   */
  async kill(pod: Pod, id: string, spec: Container | undefined, kind: ContainerKind, why: string, reason: KillReason, o: { graceOverride?: number; handles?: Map<string, StopHandle> } = {}): Promise<void> {
    let grace = o.graceOverride ?? gracePeriodFor(pod, spec, reason);
    const name = spec?.name ?? id;
    const fieldPath = fieldPathOf(kind, name);
    this.d.events.event(refOf(pod), "Normal", "Killing", why || `Stopping container ${name}`, fieldPath);
    let shortened: number | undefined;
    let stopping = false;
    const abort = new AbortController();
    o.handles?.set(id, {
      shorten: (g) => {
        shortened = g;
        if (!stopping) abort.abort();
        else void this.d.runtime.stopContainer(id, g).catch(() => {});
      },
    });
    const preStop = spec?.lifecycle?.preStop;
    if (spec && preStop && grace > 0) {
      const started = this.d.now();
      const hook = runLifecycleHandler(preStop, { runtime: this.d.runtime, pod, container: spec, containerId: id, podIP: pod.status?.podIP }, { timeoutSeconds: grace, signal: abort.signal }).then((failed) => {
        if (!failed) return;
        this.d.log.error(`✗ node ${this.d.nodeName}: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${failed}`);
        this.d.events.event(refOf(pod), "Warning", "FailedPreStopHook", "PreStopHook failed", fieldPath);
      });
      await Promise.race([hook, sleep(grace * 1000, abort.signal)]);
      grace -= Math.floor((this.d.now() - started) / 1000);
    }
    if (grace > 0 && grace < MIN_GRACE_SECONDS) grace = MIN_GRACE_SECONDS;
    if (shortened !== undefined) grace = Math.min(Math.max(grace, 0), shortened);
    stopping = true;
    await this.d.runtime.stopContainer(id, Math.max(grace, 0)).catch((err) => {
      if (!(err instanceof RuntimeNotFoundError)) throw err;
    });
  }

  /** Forgets a pod that is gone: its restart and image pull backoffs. */
  forgetPod(ref: InvolvedPod): void {
    this.backoff.resetPrefix(`${ref.name}_${ref.namespace}_${ref.uid}_`);
    this.puller.forgetPod(ref.uid);
  }
}

/** upstream's setTerminationGracePeriod: the deletion's, else the pod's; a probe's own for its kills. */
export function gracePeriodFor(pod: Pod, spec: Container | undefined, reason: KillReason): number {
  if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
  let grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  if (reason === "StartupProbe" && spec?.startupProbe?.terminationGracePeriodSeconds !== undefined) grace = spec.startupProbe.terminationGracePeriodSeconds;
  if (reason === "LivenessProbe" && spec?.livenessProbe?.terminationGracePeriodSeconds !== undefined) grace = spec.livenessProbe.terminationGracePeriodSeconds;
  return grace;
}
