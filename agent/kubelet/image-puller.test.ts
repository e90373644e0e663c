// Pull policies, ErrImagePull then ImagePullBackOff, and their events, against the simulated
// runtime extended to miss images and fail pulls as a real engine does.
import { describe, expect, it } from "vitest";
import type { ApiClient } from "../client/api-client.js";
import { ImagePullError } from "../runtimes/runtime.js";
import { SimulatedRuntime } from "../runtimes/simulated.js";
import { EventRecorder } from "./events.js";
import { ImagePuller, pullPolicyOf } from "./image-puller.js";

/** A simulated engine with an image store: only images in `present` are there; `pullable` can be pulled. */
class ImageStoreRuntime extends SimulatedRuntime {
  readonly present = new Set<string>();
  readonly pullable = new Set<string>();
  pulls: string[] = [];

  override async imageStatus(image: string): Promise<string | undefined> {
    return this.present.has(image) ? super.pullImage(image) : undefined;
  }

  override async pullImage(image: string): Promise<string> {
    this.pulls.push(image);
    if (!this.pullable.has(image)) throw new ImagePullError(image, `initializing source docker://${image}: pinging container registry: no such host`);
    this.present.add(image);
    return super.pullImage(image);
  }
}

function recordingEvents(now: () => number = Date.now) {
  const events: any[] = [];
  const client = {
    transport: { connectivity: { reachable: true } },
    post: async (_path: string, e: any) => void events.push(e),
    put: async (_path: string, e: any) => {
      const i = events.findIndex((x) => x.metadata.name === e.metadata.name);
      if (i >= 0) events[i] = e;
      else events.push(e);
    },
  } as unknown as ApiClient;
  return { recorder: new EventRecorder(client, "node-1", now), events, messages: (reason?: string) => events.filter((e) => !reason || e.reason === reason).map((e) => e.message) };
}

const pod = { namespace: "default", name: "web", uid: "u1" };
const field = "spec.containers{app}";

function setup() {
  const clock = { t: 1_000_000 };
  const runtime = new ImageStoreRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" }, () => clock.t);
  const ev = recordingEvents(() => clock.t);
  const puller = new ImagePuller(runtime, ev.recorder, () => clock.t);
  return { clock, runtime, ev, puller };
}

describe("pullPolicyOf", () => {
  it("defaults as upstream: Always for :latest or no tag, IfNotPresent otherwise", () => {
    expect(pullPolicyOf({ image: "busybox" })).toBe("Always");
    expect(pullPolicyOf({ image: "busybox:latest" })).toBe("Always");
    expect(pullPolicyOf({ image: "localhost:5000/busybox" })).toBe("Always");
    expect(pullPolicyOf({ image: "busybox:1.36" })).toBe("IfNotPresent");
    expect(pullPolicyOf({ image: "busybox@sha256:abc" })).toBe("IfNotPresent");
    expect(pullPolicyOf({ image: "busybox", imagePullPolicy: "Never" })).toBe("Never");
  });
});

describe("ImagePuller", () => {
  it("IfNotPresent: uses an image already there without pulling", async () => {
    const { runtime, ev, puller } = setup();
    runtime.present.add("busybox:1.36");
    const r = await puller.ensureImageExists(pod, { image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }, field);
    expect(r).toEqual({ ok: true, imageRef: expect.stringMatching(/^sha256:/) });
    expect(runtime.pulls).toEqual([]);
    expect(ev.events).toEqual([expect.objectContaining({ reason: "Pulled", type: "Normal", message: 'Container image "busybox:1.36" already present on machine', involvedObject: expect.objectContaining({ fieldPath: field, name: "web", uid: "u1" }) })]);
  });

  it("Always: pulls even when present, with Pulling and Pulled events", async () => {
    const { runtime, ev, puller, clock } = setup();
    runtime.present.add("busybox");
    runtime.pullable.add("busybox");
    const pull = runtime.pullImage.bind(runtime);
    runtime.pullImage = async (image) => {
      clock.t += 1234;
      return pull(image);
    };
    expect((await puller.ensureImageExists(pod, { image: "busybox" }, field)).ok).toBe(true);
    expect(runtime.pulls).toEqual(["busybox"]);
    expect(ev.events.map((e) => [e.reason, e.message])).toEqual([
      ["Pulling", 'Pulling image "busybox"'],
      ["Pulled", 'Successfully pulled image "busybox" in 1.234s (1.234s including waiting)'],
    ]);
  });

  it("Never: refuses a missing image with upstream's message", async () => {
    const { runtime, ev, puller } = setup();
    const r = await puller.ensureImageExists(pod, { image: "x:1", imagePullPolicy: "Never" }, field);
    expect(r).toEqual({ ok: false, reason: "ErrImageNeverPull", message: 'Container image "x:1" is not present with pull policy of Never' });
    expect(runtime.pulls).toEqual([]);
    expect(ev.events[0]).toMatchObject({ type: "Warning", reason: "ErrImageNeverPull" });
  });

  it("a failed pull is ErrImagePull, then ImagePullBackOff for 10 s, 20 s… and pulls again after each", async () => {
    const { runtime, ev, puller, clock } = setup();
    const c = { image: "ghost:1" };
    const first = await puller.ensureImageExists(pod, c, field);
    expect(first).toEqual({ ok: false, reason: "ErrImagePull", message: "initializing source docker://ghost:1: pinging container registry: no such host" });
    expect(ev.messages("Failed")).toEqual(['Failed to pull image "ghost:1": initializing source docker://ghost:1: pinging container registry: no such host']);

    clock.t += 5000;
    const backingOff = await puller.ensureImageExists(pod, c, field);
    expect(backingOff).toEqual({ ok: false, reason: "ImagePullBackOff", message: 'Back-off pulling image "ghost:1"' });
    expect(ev.messages("BackOff")).toEqual(['Back-off pulling image "ghost:1"']);
    expect(puller.retryInMs("u1", "ghost:1")).toBe(5000);
    expect(runtime.pulls).toHaveLength(1);

    clock.t += 5000;
    expect(await puller.ensureImageExists(pod, c, field)).toMatchObject({ reason: "ErrImagePull" });
    expect(runtime.pulls).toHaveLength(2);
    clock.t += 19_999;
    expect(await puller.ensureImageExists(pod, c, field)).toMatchObject({ reason: "ImagePullBackOff" });
    clock.t += 1;
    runtime.pullable.add("ghost:1"); // the registry answers again
    expect(await puller.ensureImageExists(pod, c, field)).toMatchObject({ ok: true });
    // The second Failed event is a repeat: one Event with count 2 (the correlator), not two.
    expect(ev.events.filter((e) => e.reason === "Failed")).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it("keeps backoffs per pod, and forgets a pod's", async () => {
    const { puller } = setup();
    await puller.ensureImageExists(pod, { image: "ghost:1" }, field);
    expect(await puller.ensureImageExists({ ...pod, uid: "u2" }, { image: "ghost:1" }, field)).toMatchObject({ reason: "ErrImagePull" });
    expect(puller.retryInMs("u1", "ghost:1")).toBeGreaterThan(0);
    puller.forgetPod("u1");
    expect(puller.retryInMs("u1", "ghost:1")).toBe(0);
    expect(puller.retryInMs("u2", "ghost:1")).toBeGreaterThan(0);
  });
});
