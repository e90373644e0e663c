// Real containers (Podman through the docker runtime), the parts that span processes: `kubectl
// logs` through the agent's outbound tunnel (plain, -c, --tail, --timestamps, --since, -f,
// --previous) and client-node's Log; graceful termination; static pods from --manifests with
// their mirror pods; an agent restart that adopts its running containers instead of recreating
// them and removes those of pods deleted meanwhile.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Log } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Podman } from "../support/podman.js";
import { startAgent, type AgentProcess } from "./agent-process.js";
import { api, kubeClient, type Edgeplane } from "./harness.js";
import { sleep, until } from "./helpers.js";
import { kubectlFor, startKubectl, type Kubectl } from "./kubectl-helpers.js";
import { containerSpec, fetchText, readyCondition, podsOn, startContainerNode, stopContainerNode, type ContainerNode } from "./containers-helpers.js";

const NODE = "tunnel";
const NS = "default";
let podman: Podman;
let h: Edgeplane;
let kubectl: Kubectl;
let agent: AgentProcess;
let token: string;
let image: string;
let manifests: string;
let agentArgs: string[];

const { pod, getPod, create } = podsOn(() => h, NODE, NS);
const running = (name: string, ms = 60_000) => until(`${name} Running`, async () => ((await getPod(name)).status?.phase === "Running" ? getPod(name) : undefined), ms);

let n: ContainerNode;

beforeAll(async () => {
  manifests = mkdtempSync(join(tmpdir(), "edgeplane-manifests-"));
  n = await startContainerNode(NODE, "10.252.0.0/16", ["--manifests", manifests]);
  ({ h, podman, agent, token, agentArgs, image } = n);
  kubectl = kubectlFor(h);
  // A counter that prints one numbered line a second, and a pod of two containers.
  await create(pod("counter", [containerSpec(image, "count", ["sh", "-c", "i=0; while true; do i=$((i+1)); echo line $i; sleep 1; done"])]));
  await create(pod("two", [containerSpec(image, "a", ["sh", "-c", "echo from-a; sleep 600"]), containerSpec(image, "b", ["sh", "-c", "echo from-b; sleep 600"])]));
  await create(pod("crashy", [containerSpec(image, "c", ["sh", "-c", "echo run-$(date +%s); sleep 1; exit 1"])]));
  await running("counter");
  await running("two");
}, 180_000);

afterAll(async () => {
  // The agent may have been restarted by a test: stop the current one.
  await stopContainerNode({ ...n, agent }, NODE);
  rmSync(manifests, { recursive: true, force: true });
}, 120_000);

describe("kubectl logs through the tunnel", () => {
  it("prints a container's output, its tail, with timestamps, and since a time", async () => {
    await until("3 lines", async () => ((await kubectl(["logs", "counter"])).stdout.includes("line 3") ? true : undefined), 20_000);
    const all = (await kubectl(["logs", "counter"])).stdout.trim().split("\n");
    expect(all.slice(0, 3)).toEqual(["line 1", "line 2", "line 3"]);
    const tail = (await kubectl(["logs", "counter", "--tail", "2"])).stdout.trim().split("\n");
    expect(tail).toHaveLength(2);
    expect(Number(tail[1].split(" ")[1])).toBe(Number(tail[0].split(" ")[1]) + 1);
    const ts = (await kubectl(["logs", "counter", "--timestamps", "--tail", "1"])).stdout.trim();
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line \d+$/);
    const since = (await kubectl(["logs", "counter", "--since", "2s"])).stdout.trim().split("\n");
    expect(since.length).toBeGreaterThanOrEqual(1);
    expect(since.length).toBeLessThanOrEqual(4);
  }, 60_000);

  it("asks for a container when there are two, and serves each with -c", async () => {
    const r = await kubectl(["logs", "two"]);
    // kubectl picks the default container itself when the pod names none; the API's own message is checked below.
    expect(r.stdout + r.stderr).toMatch(/from-a|Defaulted container "a"/);
    expect((await kubectl(["logs", "two", "-c", "b"])).stdout.trim()).toBe("from-b");
    const raw = await api(h, "GET", `/api/v1/namespaces/${NS}/pods/two/log`);
    expect(raw.status).toBe(400);
    expect(raw.body.message).toBe("a container name must be specified for pod two, choose one of: [a b]");
    const bad = await api(h, "GET", `/api/v1/namespaces/${NS}/pods/two/log?container=zz`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("container zz is not valid for pod two");
  }, 30_000);

  it("follows with -f: lines written after the request arrive", async () => {
    const live = startKubectl(h.kubeconfigPath, ["logs", "-f", "counter", "--tail", "1"]);
    try {
      const out = await live.until(/^line \d+\nline \d+\nline \d+\n/, 15_000);
      const nums = out.trim().split("\n").map((l) => Number(l.split(" ")[1]));
      expect(nums[1]).toBe(nums[0] + 1);
      expect(nums[2]).toBe(nums[1] + 1);
    } finally {
      await live.stop();
    }
  }, 30_000);

  it("streams with client-node's Log, and stops when aborted", async () => {
    const log = new Log(kubeClient(h));
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const ctl = await log.log(NS, "counter", "count", stream, { follow: true, tailLines: 1 });
    await until("2 lines", async () => (out.trim().split("\n").length >= 2 ? true : undefined), 15_000);
    ctl.abort();
    const seen = out.length;
    await sleep(1500);
    expect(out.length).toBe(seen);
  }, 30_000);

  it("serves the previous instance's output with --previous", async () => {
    await until("a restart", async () => ((await getPod("crashy")).status?.containerStatuses?.[0]?.restartCount >= 1 ? true : undefined), 40_000);
    const prev = await kubectl(["logs", "crashy", "--previous"]);
    expect(prev.code, prev.stderr).toBe(0);
    expect(prev.stdout.trim()).toMatch(/^run-\d+$/);
    const none = await kubectl(["logs", "counter", "--previous"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('previous terminated container "count" in pod "counter" not found');
  }, 60_000);
});

describe("graceful termination", () => {
  it("runs the preStop hook, sends SIGTERM, and removes the pod once its containers stopped", async () => {
    await create(
      pod("polite", [
        containerSpec(image, "c", ["sh", "-c", "trap 'echo got-term; exit 0' TERM; while true; do sleep 1; done"], {
          lifecycle: { preStop: { exec: { command: ["sh", "-c", "echo pre-stop > /proc/1/fd/1"] } } },
        }),
      ], { terminationGracePeriodSeconds: 20 }),
    );
    await running("polite");
    const started = Date.now();
    expect((await kubectl(["delete", "pod", "polite", "--wait=false"])).code).toBe(0);
    await until("polite gone", async () => ((await api(h, "GET", `/api/v1/namespaces/${NS}/pods/polite`)).status === 404 ? true : undefined), 30_000);
    // It exits on SIGTERM, well within its 20 s.
    expect(Date.now() - started).toBeLessThan(15_000);
    await create(pod("stubborn", [containerSpec(image, "c", ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"])], { terminationGracePeriodSeconds: 3 }));
    await running("stubborn");
    const t0 = Date.now();
    await kubectl(["delete", "pod", "stubborn", "--wait=false"]);
    await until("stubborn gone", async () => ((await api(h, "GET", `/api/v1/namespaces/${NS}/pods/stubborn`)).status === 404 ? true : undefined), 30_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
  }, 90_000);
});

describe("static pods", () => {
  it("runs a manifest from --manifests and shows it as a mirror pod", async () => {
    writeFileSync(join(manifests, "static-web.yaml"), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\n  labels:\n    role: static\nspec:\n  containers:\n  - name: httpd\n    image: ${image}\n    command: ["httpd", "-f", "-p", "80", "-h", "/www"]\n`);
    const mirror = await until("the mirror pod Running", async () => {
      const p = await getPod(`static-web-${NODE}`);
      return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
    }, 60_000);
    expect(mirror.metadata.annotations["kubernetes.io/config.mirror"]).toBeTruthy();
    expect(mirror.metadata.annotations["kubernetes.io/config.source"]).toBe("file");
    expect(mirror.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Node", name: NODE });
    expect(await fetchText(`http://${mirror.status.podIP}/`)).toContain("edgeplane busybox");
    // Deleting the mirror pod does not stop the static pod: the mirror comes back.
    await kubectl(["delete", "pod", `static-web-${NODE}`, "--wait=false"]);
    await until("the mirror pod back", async () => {
      const p = await getPod(`static-web-${NODE}`);
      return p?.metadata?.uid && p.metadata.uid !== mirror.metadata.uid && !p.metadata.deletionTimestamp ? p : undefined;
    }, 60_000);
    expect(await fetchText(`http://${mirror.status.podIP}/`)).toContain("edgeplane busybox");
    // Removing the manifest stops it and removes the mirror pod.
    rmSync(join(manifests, "static-web.yaml"));
    await until("the mirror pod gone", async () => ((await api(h, "GET", `/api/v1/namespaces/${NS}/pods/static-web-${NODE}`)).status === 404 ? true : undefined), 60_000);
  }, 180_000);
});

describe("agent restart", () => {
  it("adopts the running containers instead of recreating them, and removes those of pods deleted meanwhile", async () => {
    const before = await getPod("counter");
    const id = before.status.containerStatuses[0].containerID;
    await create(pod("doomed", [containerSpec(image, "c", ["sleep", "600"])]));
    await running("doomed");
    await agent.stop();
    // While the agent is away, a pod is deleted with grace 0: only the restarted agent can clean its container.
    await api(h, "DELETE", `/api/v1/namespaces/${NS}/pods/doomed`, { gracePeriodSeconds: 0 });
    agent = startAgent(h, token, agentArgs);
    await agent.ready;
    await sleep(4000);
    const after = await getPod("counter");
    expect(after.status.containerStatuses[0].containerID).toBe(id);
    expect(after.status.containerStatuses[0].restartCount).toBe(before.status.containerStatuses[0].restartCount);
    expect(readyCondition(after)).toBe("True");
    await until("doomed's containers removed", async () => ((await podman.containersByLabel("io.kubernetes.pod.name=doomed")).length === 0 ? true : undefined), 30_000);
    // The counter kept counting through the restart: its output has no gap of a restart.
    const lines = (await kubectl(["logs", "counter", "--tail", "1"])).stdout.trim();
    expect(Number(lines.split(" ")[1])).toBeGreaterThan(10);
  }, 120_000);
});
