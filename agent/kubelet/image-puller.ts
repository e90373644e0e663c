// Makes a container's image available before it is created (upstream's imageManager.
// EnsureImageExists): the pull policy decides whether to pull, a failed pull is ErrImagePull and
// the next tries back off (ImagePullBackOff, 10 s doubling to 300 s per pod and image), with
// upstream's events and messages.
import type { Container } from "../../src/apis/core/v1/podspec.js";
import { defaultImagePullPolicy } from "../../src/apis/core/v1/podspec.js";
import type { ContainerRuntime } from "../runtimes/runtime.js";
import type { EventRecorder, InvolvedPod } from "./events.js";
import { Backoff, formatDuration } from "./restart-backoff.js";

export type ImagePullFailure = "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull" | "ImageInspectError";

export type EnsureImageResult = { ok: true; imageRef: string } | { ok: false; reason: ImagePullFailure; message: string };

/** The policy a container pulls with: its own, else the default for its image (`:latest` or no tag: Always). */
export function pullPolicyOf(c: Pick<Container, "image" | "imagePullPolicy">): "Always" | "IfNotPresent" | "Never" {
  const p = c.imagePullPolicy || defaultImagePullPolicy(c.image);
  return p === "Always" || p === "Never" ? p : "IfNotPresent";
}

export class ImagePuller {
  private readonly backoff: Backoff;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly events: EventRecorder,
    private readonly now: () => number = Date.now,
  ) {
    this.backoff = new Backoff(now);
  }

  async ensureImageExists(pod: InvolvedPod, container: Pick<Container, "image" | "imagePullPolicy">, fieldPath: string): Promise<EnsureImageResult> {
    const image = container.image ?? "";
    const policy = pullPolicyOf(container);
    const event = (type: "Normal" | "Warning", reason: string, message: string) => this.events.event(pod, type, reason, message, fieldPath);

    if (policy !== "Always") {
      let present: string | undefined;
      try {
        present = await this.runtime.imageStatus(image);
      } catch (err) {
        const message = `Failed to inspect image "${image}": ${errorMessage(err)}`;
        event("Warning", "InspectFailed", message);
        return { ok: false, reason: "ImageInspectError", message };
      }
      if (present) {
        event("Normal", "Pulled", `Container image "${image}" already present on machine`);
        return { ok: true, imageRef: present };
      }
      if (policy === "Never") {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        event("Warning", "ErrImageNeverPull", message);
        return { ok: false, reason: "ErrImageNeverPull", message };
      }
    }

    const key = backoffKey(pod.uid, image);
    if (this.backoff.isInBackOffSinceUpdate(key, this.now())) {
      // Upstream appends the last error only for the CRI's specific pull errors; a runtime here reports generic ones.
      const message = `Back-off pulling image "${image}"`;
      event("Normal", "BackOff", message);
      return { ok: false, reason: "ImagePullBackOff", message };
    }

    event("Normal", "Pulling", `Pulling image "${image}"`);
    const started = this.now();
    try {
      const imageRef = await this.runtime.pullImage(image);
      const took = formatDuration(this.now() - started);
      event("Normal", "Pulled", `Successfully pulled image "${image}" in ${took} (${took} including waiting)`);
      this.backoff.reset(key);
      return { ok: true, imageRef };
    } catch (err) {
      const message = errorMessage(err);
      event("Warning", "Failed", `Failed to pull image "${image}": ${message}`);
      this.backoff.next(key, this.now());
      return { ok: false, reason: "ErrImagePull", message };
    }
  }

  /** How long until a pull of this image for this pod may be tried again (0: now). */
  retryInMs(podUid: string, image: string): number {
    return this.backoff.remainingSinceUpdate(backoffKey(podUid, image));
  }

  /** Forgets a pod's backoffs (it is gone). */
  forgetPod(podUid: string): void {
    this.backoff.resetPrefix(`${podUid}_`);
    this.backoff.gc();
  }
}

const backoffKey = (podUid: string, image: string) => `${podUid}_${image}`;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
