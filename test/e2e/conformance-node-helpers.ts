// One real node for the conformance suites of the node agent (conformance-node*.test.ts): a
// control plane, Podman's Docker-compatible service and `edgeplane agent --runtime docker`, with
// a watch that keeps every pod's latest version so that many pods can be waited for at once
// without polling the API. Upstream's tests mostly run a pod that prints something and read its
// output; the helpers here make and read such pods.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Watch } from "@kubernetes/client-node";
import { expect } from "vitest";
import { parseQuantity } from "../../src/admission/quantity.js";
import { ensureBusyboxImage } from "../support/podman.js";
import { startContainerNode, stopContainerNode, type ContainerNode } from "./containers-helpers.js";
import { api, kubeClient, type Edgeplane } from "./harness.js";
import { sleep } from "./helpers.js";

const run = promisify(execFile);

export const BUSYBOX_IMAGE = "localhost/edgeplane-test/busybox:1";
/** An image with an ENTRYPOINT and a CMD of its own, for the command/args tests. */
export const ENTRYPOINT_IMAGE = "localhost/edgeplane-test/entrypoint:1";
/** What ENTRYPOINT_IMAGE prints when run as it is: its entrypoint echoes its arguments, its CMD is `image-cmd`. */
export const ENTRYPOINT_DEFAULT_OUTPUT = "[image-entrypoint image-cmd ]";

export interface ConformanceNode extends ContainerNode {
  node: string;
  pods: PodTracker;
}

/**
 * A control plane with `clusterCIDR` (suites running at once need CIDRs that do not overlap: each
 * node's podman network takes its pod CIDR) and one docker-runtime agent named `node`.
 */
export async function startConformanceNode(node: string, clusterCIDR: string): Promise<ConformanceNode> {
  await ensureEntrypointImage(await ensureBusyboxImage(BUSYBOX_IMAGE));
  const n = await startContainerNode(node, clusterCIDR);
  return { ...n, node, pods: await PodTracker.start(n.h) };
}

export async function stopConformanceNode(n: Partial<ConformanceNode> | undefined, node: string): Promise<void> {
  n?.pods?.stop();
  await stopContainerNode(n, node);
}

/** ENTRYPOINT ["/bin/sh", "-c", "echo [image-entrypoint $0 $*]"] and CMD ["image-cmd"] on top of busybox (made once, kept like the busybox image). */
async function ensureEntrypointImage(base: string): Promise<void> {
  const exists = await run("podman", ["image", "exists", ENTRYPOINT_IMAGE]).then(() => true, () => false);
  if (exists) return;
  const { stdout } = await run("podman", ["--runtime", "runc", "create", base]);
  const id = stdout.trim();
  try {
    await run("podman", ["commit", "-q", "--change", 'ENTRYPOINT ["/bin/sh", "-c", "echo \\"[image-entrypoint $0 $*]\\""]', "--change", 'CMD ["image-cmd"]', id, ENTRYPOINT_IMAGE]);
  } catch (err) {
    // Two suites making it at once: the other one won.
    if (!(await run("podman", ["image", "exists", ENTRYPOINT_IMAGE]).then(() => true, () => false))) throw err;
  } finally {
    await run("podman", ["rm", "-f", id]).catch(() => {});
  }
}

/** The latest version of every pod, from one watch (re-listed when it ends), and waits on them. */
export class PodTracker {
  private readonly latest = new Map<string, any>();
  private readonly deleted = new Set<string>();
  private abort?: () => void;
  private stopped = false;

  private constructor(private readonly h: Edgeplane) {}

  static async start(h: Edgeplane): Promise<PodTracker> {
    const t = new PodTracker(h);
    await t.watch();
    return t;
  }

  private async watch(): Promise<void> {
    const list = await api(this.h, "GET", "/api/v1/pods");
    for (const p of list.body.items ?? []) this.latest.set(keyOf(p), p);
    const ctl = await new Watch(kubeClient(this.h)).watch(
      "/api/v1/pods",
      { resourceVersion: list.body.metadata.resourceVersion, allowWatchBookmarks: true },
      (type, obj: any) => {
        if (type === "BOOKMARK") return;
        const key = keyOf(obj);
        if (type === "DELETED") {
          this.latest.delete(key);
          this.deleted.add(key);
        } else {
          this.latest.set(key, obj);
          this.deleted.delete(key);
        }
      },
      () => {
        if (!this.stopped) void sleep(200).then(() => (this.stopped ? undefined : this.watch()));
      },
    );
    this.abort = () => ctl.abort();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.();
  }

  get(name: string, ns = "default"): any {
    return this.latest.get(`${ns}/${name}`);
  }

  /** Whether a DELETED event was seen for the pod (and it was not created again since). */
  isDeleted(name: string, ns = "default"): boolean {
    return this.deleted.has(`${ns}/${name}`);
  }

  /** Waits until `check(pod)` returns something other than undefined/false; the error shows the pod's last status. */
  async until<T>(name: string, what: string, check: (pod: any) => T | undefined | false, ms = 60_000, ns = "default"): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const p = this.get(name, ns);
      const v = p ? check(p) : undefined;
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`pod ${ns}/${name}: ${what} not within ${ms / 1000}s; last status: ${JSON.stringify(p?.status ?? null)}`);
      await sleep(100);
    }
  }

  /** Waits until `count` pods with the label `key=value` all satisfy `check`; returns them. */
  async untilAll(selector: string, count: number, check: (pod: any) => boolean, ms = 60_000, ns = "default"): Promise<any[]> {
    const [key, value] = selector.split("=");
    const deadline = Date.now() + ms;
    for (;;) {
      const pods = [...this.latest.values()].filter((p) => p.metadata.namespace === ns && p.metadata.labels?.[key] === value && !p.metadata.deletionTimestamp);
      if (pods.length === count && pods.every(check)) return pods;
      if (Date.now() > deadline) throw new Error(`pods ${selector}: ${count} as expected not within ${ms / 1000}s; phases: ${JSON.stringify(pods.map((p) => p.status?.phase))}`);
      await sleep(100);
    }
  }

  /** Waits for one of `phases`. */
  phase(name: string, phases: string[], ms = 60_000, ns = "default"): Promise<any> {
    return this.until(name, `phase ${phases.join("|")}`, (p) => (phases.includes(p.status?.phase) ? p : undefined), ms, ns);
  }

  /** Waits until the pod is Succeeded or Failed. */
  finished(name: string, ms = 60_000, ns = "default"): Promise<any> {
    return this.phase(name, ["Succeeded", "Failed"], ms, ns);
  }

  /** Waits until the pod is gone from the API. */
  gone(name: string, ms = 60_000, ns = "default"): Promise<void> {
    return this.untilTrue(() => this.isDeleted(name, ns) && !this.get(name, ns), `pod ${ns}/${name} deleted`, ms);
  }

  private async untilTrue(ok: () => boolean, what: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000}s`);
      await sleep(100);
    }
  }
}

const keyOf = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;

/** A pod bound to `node` directly, restartPolicy Never unless `spec` says otherwise, 1 s of grace. */
export function podOn(node: string, name: string, containers: any[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", ...meta },
    spec: { nodeName: node, restartPolicy: "Never", terminationGracePeriodSeconds: 1, containers, ...spec },
  };
}

/** A busybox container running `script` with sh -c. */
export function sh(image: string, name: string, script: string, extra: Record<string, unknown> = {}) {
  return { name, image, command: ["sh", "-c", script], ...extra };
}

/** POSTs an object to `path` (a collection) and expects 201. */
export async function create(h: Edgeplane, path: string, body: unknown): Promise<any> {
  const r = await api(h, "POST", path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

export const createPod = (h: Edgeplane, pod: any) => create(h, `/api/v1/namespaces/${pod.metadata.namespace ?? "default"}/pods`, pod);

/** A container's log through the pods/log API (the agent's tunnel). */
export async function podLog(h: Edgeplane, pod: string, container: string, query = "", ns = "default"): Promise<string> {
  const path = `/api/v1/namespaces/${ns}/pods/${pod}/log?container=${encodeURIComponent(container)}${query ? `&${query}` : ""}`;
  for (let attempt = 0; ; attempt++) {
    const r = await api(h, "GET", path);
    if (r.status === 200) return String(r.body);
    // Podman answers 500 "… does not exist in database: no such container" for a container it is
    // removing (any of the node's: the agent lists them all to find this one); asking again gets past it.
    if (r.status === 500 && /no such container/.test(r.body?.message ?? "") && attempt < 3) {
      await sleep(300);
      continue;
    }
    throw new Error(`logs of ${ns}/${pod}/${container}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** Polls a container's log until `check(text)` holds; returns the text. */
export async function waitForLog(h: Edgeplane, pod: string, container: string, check: (text: string) => boolean, ms = 60_000, ns = "default"): Promise<string> {
  const deadline = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      last = await podLog(h, pod, container, "", ns);
      if (check(last)) return last;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`log of ${ns}/${pod}/${container} not as expected within ${ms / 1000}s; last:\n${last}`);
    await sleep(500);
  }
}

/** The log's lines, without the trailing empty one. */
export const lines = (text: string) => text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1);

export function containerStatus(pod: any, name: string): any {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const s = all.find((c: any) => c.name === name);
  if (!s) throw new Error(`no status for container ${name} in ${JSON.stringify(pod.status)}`);
  return s;
}

export const condition = (pod: any, type: string) => pod?.status?.conditions?.find((c: any) => c.type === type);

/** The log of a container of a finished pod, checking that the container itself exited 0. */
export async function outputOf(n: ConformanceNode, pod: string, container: string, ns = "default"): Promise<string> {
  const p = await n.pods.finished(pod, 90_000, ns);
  const s = containerStatus(p, container);
  expect(s.state.terminated, JSON.stringify(s)).toBeDefined();
  const log = await podLog(n.h, pod, container, "", ns);
  expect(s.state.terminated.exitCode, `${container} exited ${s.state.terminated.exitCode}:\n${log}`).toBe(0);
  return log;
}

/** A quantity in whole units, rounded up (how the downward API reports a resource with divisor 1). */
export function ceilUnits(q: string): bigint {
  const nanos = parseQuantity(q).nanos;
  return (nanos + 999_999_999n) / 1_000_000_000n;
}
