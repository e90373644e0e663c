// The log provider on the simulated runtime's bookkeeping (sandboxes, containers, labels,
// creation times), with container output served from text the test wrote: which instance is
// "current" and "previous", the kubelet's refusals, and the options handed to the runtime.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type LogOptions } from "../runtimes/runtime.js";
import { SimulatedRuntime } from "../runtimes/simulated.js";
import { TunnelRequestError } from "../tunnel/request-error.js";
import type { LogRequest } from "../tunnel/tunnel-client.js";
import { logProvider } from "./log-provider.js";

/** The simulated runtime, with each container's output set by the test. */
class TextRuntime extends SimulatedRuntime {
  readonly output = new Map<string, string>();
  readonly asked: Array<{ id: string; opts: LogOptions }> = [];
  async containerLogs(id = "", opts: LogOptions = {}): Promise<Readable> {
    this.asked.push({ id, opts });
    return Readable.from([Buffer.from(this.output.get(id) ?? "")]);
  }
}

let clock = 1_000_000;
const now = () => clock;

async function setup() {
  const runtime = new TextRuntime({ nodeName: "n1", podCIDR: "10.244.0.0/24" }, now);
  const labels = { [LABEL_POD_NAME]: "web", [LABEL_POD_NAMESPACE]: "default", [LABEL_POD_UID]: "uid-1" };
  const sandbox = await runtime.runPodSandbox({ name: "web", namespace: "default", uid: "uid-1", attempt: 0, hostname: "web", hostNetwork: false, labels, annotations: {} });
  const make = async (name: string, text: string, start = true) => {
    clock += 1000;
    const id = await runtime.createContainer(sandbox, { name, image: "busybox", kind: "regular", labels: { ...labels, [LABEL_CONTAINER_NAME]: name }, annotations: {} });
    if (start) await runtime.startContainer(id);
    runtime.output.set(id, text);
    return id;
  };
  return { runtime, make, provide: logProvider(runtime, "n1", now) };
}

const req = (container: string, options: Partial<LogRequest["options"]> = {}, uid = "uid-1"): LogRequest => ({
  namespace: "default",
  pod: "web",
  uid,
  container,
  options: { follow: false, previous: false, timestamps: false, ...options },
});

async function text(r: Readable): Promise<string> {
  let s = "";
  for await (const c of r) s += c.toString();
  return s;
}

async function refusal(p: Promise<unknown>): Promise<TunnelRequestError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TunnelRequestError);
  return err as TunnelRequestError;
}

describe("logProvider", () => {
  it("serves the newest started instance, and the one before it for --previous", async () => {
    const { runtime, make, provide } = await setup();
    const first = await make("app", "first run\n");
    await runtime.stopContainer(first, 0);
    await make("app", "second run\n");
    await make("sidecar", "other container\n");
    const signal = new AbortController().signal;
    expect(await text(await provide(req("app"), signal))).toBe("second run\n");
    expect(await text(await provide(req("app", { previous: true }), signal))).toBe("first run\n");
    expect(await text(await provide(req("sidecar"), signal))).toBe("other container\n");
    // Found by the pod's UID: a pod of the same name but another UID has no containers here.
    const other = await refusal(provide(req("app", {}, "uid-2"), signal));
    expect(other.message).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
  });

  it("while a restart is pending, the last started instance is both current and previous (the kubelet's lastState)", async () => {
    const { runtime, make, provide } = await setup();
    const ran = await make("app", "crashed\n");
    await runtime.stopContainer(ran, 0);
    await make("app", "", false);
    const signal = new AbortController().signal;
    expect(await text(await provide(req("app"), signal))).toBe("crashed\n");
    expect(await text(await provide(req("app", { previous: true }), signal))).toBe("crashed\n");
  });

  it("refuses with the kubelet's messages as 400 BadRequest", async () => {
    const { make, provide } = await setup();
    const signal = new AbortController().signal;
    const waiting = await refusal(provide(req("app"), signal));
    expect([waiting.code, waiting.reason, waiting.message]).toEqual([400, "BadRequest", 'container "app" in pod "web" is waiting to start: ContainerCreating']);
    await make("app", "only run\n");
    const previous = await refusal(provide(req("app", { previous: true }), signal));
    expect([previous.code, previous.message]).toEqual([400, 'previous terminated container "app" in pod "web" not found']);
  });

  it("passes the options to the runtime: sinceSeconds against this node's clock, and caps at limitBytes", async () => {
    const { runtime, make, provide } = await setup();
    const id = await make("app", "0123456789abcdef");
    const ac = new AbortController();
    expect(await text(await provide(req("app", { follow: true, timestamps: true, tailLines: 3, sinceSeconds: 60, limitBytes: 10 }), ac.signal))).toBe("0123456789");
    expect(runtime.asked.at(-1)).toEqual({ id, opts: { follow: true, timestamps: true, tailLines: 3, limitBytes: 10, sinceTime: clock - 60_000, signal: ac.signal } });
    await provide(req("app", { sinceTime: 42 }), ac.signal);
    expect(runtime.asked.at(-1)?.opts.sinceTime).toBe(42);
  });

  it("a runtime without logs (simulated) is a 400 with its reason", async () => {
    const runtime = new SimulatedRuntime({ nodeName: "n1", podCIDR: "10.244.0.0/24" });
    const labels = { [LABEL_POD_NAME]: "web", [LABEL_POD_NAMESPACE]: "default", [LABEL_POD_UID]: "uid-1" };
    const sandbox = await runtime.runPodSandbox({ name: "web", namespace: "default", uid: "uid-1", attempt: 0, hostname: "web", hostNetwork: false, labels, annotations: {} });
    await runtime.startContainer(await runtime.createContainer(sandbox, { name: "app", image: "x", kind: "regular", labels: { ...labels, [LABEL_CONTAINER_NAME]: "app" }, annotations: {} }));
    const err = await refusal(logProvider(runtime, "n1")(req("app"), new AbortController().signal));
    expect([err.code, err.message]).toEqual([400, "the simulated runtime runs no processes, so its containers have no logs"]);
  });
});
