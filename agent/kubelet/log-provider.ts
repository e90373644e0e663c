// Serves a log request that came through the node tunnel from the container runtime, as the
// kubelet's GetKubeletContainerLogs does: the container is found by the labels every container
// carries (pod UID, container name); the instance is the one the pod's status names (the API
// passes it: for "previous" lastState.terminated's), else "current" is the newest started
// instance and "previous" the one before, and refusals carry the kubelet's own words (they reach kubectl as 400s).
import { Readable } from "node:stream";
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, NotSupportedError, RuntimeNotFoundError, type ContainerRuntime, type ContainerStatus, type LogOptions } from "../runtimes/runtime.js";
import { badRequest } from "../tunnel/request-error.js";
import type { LogRequest } from "../tunnel/tunnel-client.js";

export function logProvider(runtime: ContainerRuntime, nodeName: string, now: () => number = Date.now): (req: LogRequest, signal: AbortSignal) => Promise<Readable> {
  return async (req, signal) => {
    const { container: name, pod, options: o } = req;
    const instances = (await runtime.listContainers()).filter((c) => belongsTo(c, req)).sort((a, b) => b.createdAt - a.createdAt);
    const started = instances.filter((c) => c.state !== "CONTAINER_CREATED");
    // A newest instance that has not started yet (a restart pending) is not "current": as the
    // kubelet reads lastState then, the last started one is both current and previous.
    const waiting = instances.length > 0 && instances[0].state === "CONTAINER_CREATED";
    // The control plane names the instance from the pod's status when it can (as the kubelet reads its own status).
    const target = req.containerId ? instances.find((c) => c.id === req.containerId) : o.previous ? started[waiting ? 0 : 1] : started[0];
    if (!target) {
      if (o.previous) throw badRequest(`previous terminated container ${JSON.stringify(name)} in pod ${JSON.stringify(pod)} not found`);
      throw badRequest(`container ${JSON.stringify(name)} in pod ${JSON.stringify(pod)} is waiting to start: ContainerCreating`);
    }
    const opts: LogOptions = { follow: o.follow, timestamps: o.timestamps, signal };
    if (o.tailLines !== undefined) opts.tailLines = o.tailLines;
    if (o.limitBytes !== undefined) opts.limitBytes = o.limitBytes;
    // sinceSeconds is read against this node's clock, as the kubelet reads it.
    if (o.sinceSeconds !== undefined) opts.sinceTime = now() - o.sinceSeconds * 1000;
    else if (o.sinceTime !== undefined) opts.sinceTime = o.sinceTime;
    let stream: Readable;
    try {
      stream = await runtime.containerLogs(target.id, opts);
    } catch (err) {
      if (err instanceof NotSupportedError) throw badRequest(err.message);
      if (err instanceof RuntimeNotFoundError) throw badRequest(`container ${JSON.stringify(name)} in pod ${JSON.stringify(pod)} is not available`);
      throw new Error(`node ${nodeName}: cannot read the logs of container ${target.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return o.limitBytes !== undefined ? capped(stream, o.limitBytes) : stream;
  };
}

function belongsTo(c: ContainerStatus, req: LogRequest): boolean {
  const l = c.labels;
  if (l[LABEL_CONTAINER_NAME] !== req.container) return false;
  if (req.uid) return l[LABEL_POD_UID] === req.uid;
  return l[LABEL_POD_NAMESPACE] === req.namespace && l[LABEL_POD_NAME] === req.pod;
}

/** At most `limit` bytes of `source` (whether or not the runtime cut it already); then the source is released. */
function capped(source: Readable, limit: number): Readable {
  async function* take(): AsyncGenerator<Buffer> {
    let left = limit;
    try {
      for await (const chunk of source) {
        const bytes: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        if (bytes.byteLength >= left) {
          yield bytes.subarray(0, left);
          return;
        }
        left -= bytes.byteLength;
        yield bytes;
      }
    } finally {
      source.destroy();
    }
  }
  return Readable.from(take(), { objectMode: false });
}
