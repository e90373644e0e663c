// postStart and preStop handlers (upstream's lifecycle.handlerRunner): exec in the container
// through the runtime, httpGet against the pod (only a failed request fails, as upstream), or a
// sleep. The result is upstream's failure message, or undefined when the handler worked.
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { Container } from "../../src/apis/core/v1/podspec.js";
import { sleep } from "../client/backoff.js";
import type { ContainerRuntime } from "../runtimes/runtime.js";
import { httpGet } from "./prober/http.js";
import { httpGetURL } from "./prober/prober.js";
import { formatPod } from "./restart-backoff.js";

export type LifecycleHandler = NonNullable<NonNullable<Container["lifecycle"]>["postStart"]>;

export interface HookTarget {
  runtime: ContainerRuntime;
  pod: Pod;
  container: Container;
  containerId: string;
  podIP?: string;
}

export interface HookOptions {
  /** How long an exec or a request may take before it is given up (preStop: the grace period). */
  timeoutSeconds: number;
  /** Aborting ends a sleep early (the container is being killed sooner). */
  signal?: AbortSignal;
}

const LIFECYCLE_USER_AGENT = "kube-lifecycle/1.32";

export async function runLifecycleHandler(handler: LifecycleHandler, t: HookTarget, o: HookOptions): Promise<string | undefined> {
  const where = `for Container "${t.container.name}" in Pod "${formatPod({ name: t.pod.metadata.name ?? "", namespace: t.pod.metadata.namespace ?? "", uid: t.pod.metadata.uid ?? "" })}"`;
  if (handler.exec) {
    const command = handler.exec.command ?? [];
    try {
      const r = await t.runtime.exec(t.containerId, command, o.timeoutSeconds);
      if (r.timedOut) return `Exec lifecycle hook ([${command.join(" ")}]) ${where} failed - error: command '${command.join(" ")}' timed out, message: "${r.output}"`;
      if (r.exitCode === 0) return undefined;
      return `Exec lifecycle hook ([${command.join(" ")}]) ${where} failed - error: command '${command.join(" ")}' exited with ${r.exitCode}: ${r.output}, message: ${JSON.stringify(r.output)}`;
    } catch (err) {
      return `Exec lifecycle hook ([${command.join(" ")}]) ${where} failed - error: ${(err as Error).message}, message: ""`;
    }
  }
  if (handler.httpGet) {
    try {
      await httpGet({ url: httpGetURL(handler.httpGet, t.container, t.podIP), headers: handler.httpGet.httpHeaders, timeoutMs: o.timeoutSeconds * 1000, userAgent: LIFECYCLE_USER_AGENT });
      return undefined;
    } catch (err) {
      return `HTTP lifecycle hook (${handler.httpGet.path ?? ""}) ${where} failed - error: ${(err as Error).message}`;
    }
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds ?? 0;
    const finished = await sleep(seconds * 1000, o.signal);
    return finished ? undefined : `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished`;
  }
  return `invalid handler ${where}: none of exec, httpGet or sleep is set`;
}

