// The scheduler end to end: `edgeplane up` with simulated nodes from real `edgeplane agent`
// processes. A 30-replica Deployment spreads 10/10/10 over 3 nodes; nodeSelector, taints and
// tolerations and cpu requests are honoured; a pod that fits nowhere gets PodScheduled=False and
// a FailedScheduling event with upstream's message, and is bound once a node that fits joins;
// an agent that dies leaves its node Unknown and tainted, and its pods move to other nodes. The
// node monitor grace period is 14 s here (50 s by default): longer than the agents' 10 s Lease renewals.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, binPath, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually, sleep } from "./helpers.js";

let h: Edgeplane;
let token: string;
let caFile: string;
const agents: ChildProcess[] = [];

/** Starts `edgeplane agent` with simulated nodes; killed when the file ends. */
function startAgent(name: string, extra: string[] = []): ChildProcess {
  const p = spawn(process.execPath, [binPath, "agent", "--server", h.url, "--token", token, "--certificate-authority", caFile, "--name", name, "--runtime", "simulated", "--quiet", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EDGEPLANE_STOP_WITH_PARENT: "1" },
  });
  let out = "";
  p.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  p.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  p.on("exit", (code) => {
    if (code && code !== 0) console.warn(`agent ${name} exited ${code}:\n${out}`);
  });
  agents.push(p);
  return p;
}

const ready = (n: any) => n.status?.conditions?.find((c: any) => c.type === "Ready")?.status;
async function nodesReady(names: string[]): Promise<void> {
  await eventually(async () => {
    const list = (await api(h, "GET", "/api/v1/nodes")).body.items as any[];
    const ok = names.every((n) => list.some((x) => x.metadata.name === n && ready(x) === "True"));
    if (!ok) throw new Error(`nodes not ready yet: ${list.map((x) => `${x.metadata.name}=${ready(x)}`).join(" ")}`);
  }, 60_000, 250);
}

async function pods(ns: string, selector?: string): Promise<any[]> {
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : "";
  return (await api(h, "GET", `/api/v1/namespaces/${ns}/pods${q}`)).body.items;
}

async function createNs(name: string): Promise<void> {
  const r = await api(h, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  expect(r.status).toBe(201);
}

const podSpec = (extra: Record<string, unknown> = {}) => ({ terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "100m" } } }], ...extra });

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec(spec) } },
  };
}

function countByNode(list: any[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of list) if (p.spec.nodeName && !p.metadata.deletionTimestamp) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
  return out;
}

beforeAll(async () => {
  h = await startEdgeplane({ vars: { NODE_MONITOR_GRACE_PERIOD_SECONDS: "14", NODE_STARTUP_GRACE_PERIOD_SECONDS: "20" } });
  const dir = mkdtempSync(join(tmpdir(), "edgeplane-sched-"));
  caFile = join(dir, "ca.crt");
  writeFileSync(caFile, h.ca);
  const created = await runEdgeplane(["token", "create", "--kubeconfig", h.kubeconfigPath]);
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim().split("\n").pop()!.trim();
  startAgent("spread", ["--nodes", "3", "--capacity", "cpu=4,memory=8Gi,pods=110", "--labels", "pool=spread"]);
  await nodesReady(["spread-0", "spread-1", "spread-2"]);
}, 180_000);

afterAll(async () => {
  for (const a of agents) a.kill("SIGKILL");
  await h?.stop();
});

describe("scheduler", () => {
  it("spreads a 30-replica Deployment 10/10/10 over 3 nodes, and pods run", async () => {
    await createNs("spread");
    const d = deployment("web", 30, { nodeSelector: { pool: "spread" } });
    expect((await api(h, "POST", "/apis/apps/v1/namespaces/spread/deployments", d)).status).toBe(201);
    const placed = await eventually(async () => {
      const list = await pods("spread", "app=web");
      const running = list.filter((p) => p.status?.phase === "Running");
      if (running.length !== 30) throw new Error(`${running.length}/30 running`);
      return list;
    }, 60_000, 250);
    expect(countByNode(placed)).toEqual({ "spread-0": 10, "spread-1": 10, "spread-2": 10 });
    for (const p of placed) {
      expect(p.status.conditions.find((c: any) => c.type === "PodScheduled").status).toBe("True");
    }
    // The scheduler's Scheduled event, as `kubectl describe pod` shows it.
    const events = (await api(h, "GET", `/api/v1/namespaces/spread/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${placed[0].metadata.name}`)}`)).body.items;
    const scheduled = events.find((e: any) => e.reason === "Scheduled");
    expect(scheduled?.message).toBe(`Successfully assigned spread/${placed[0].metadata.name} to ${placed[0].spec.nodeName}`);
    expect(scheduled?.source?.component).toBe("default-scheduler");
  });

  it("honours nodeSelector, taints and tolerations, and cpu; an unschedulable pod waits for a node that fits", { timeout: 120_000 }, async () => {
    await createNs("fit");
    // A pod asking for more cpu than any node has, a toleration for a GPU taint, and a selector for a GPU node.
    const gpuToleration = { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" };
    const big = { apiVersion: "v1", kind: "Pod", metadata: { name: "big" }, spec: podSpec({ tolerations: [gpuToleration], containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "6" } } }] }) };
    const gpu = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "gpu" },
      spec: podSpec({ nodeSelector: { accel: "gpu" }, tolerations: [gpuToleration] }),
    };
    const plain = { apiVersion: "v1", kind: "Pod", metadata: { name: "plain" }, spec: podSpec({ nodeSelector: { accel: "gpu" } }) };
    for (const p of [big, gpu, plain]) expect((await api(h, "POST", "/api/v1/namespaces/fit/pods", p)).status).toBe(201);

    const failed = await eventually(async () => {
      const p = (await api(h, "GET", "/api/v1/namespaces/fit/pods/big")).body;
      const c = p.status?.conditions?.find((x: any) => x.type === "PodScheduled");
      if (c?.status !== "False") throw new Error("not reported yet");
      return c;
    }, 30_000, 200);
    expect(failed.reason).toBe("Unschedulable");
    expect(failed.message).toBe("0/3 nodes are available: 3 Insufficient cpu.");
    const ev = await eventually(async () => {
      const list = (await api(h, "GET", `/api/v1/namespaces/fit/events?fieldSelector=${encodeURIComponent("involvedObject.name=big,reason=FailedScheduling")}`)).body.items;
      if (!list.length) throw new Error("no event yet");
      return list[0];
    }, 20_000, 200);
    expect(ev.type).toBe("Warning");
    expect(ev.message).toBe("0/3 nodes are available: 3 Insufficient cpu.");

    // A tainted GPU node with 8 cpus joins: gpu (tolerates, selects) and big (fits now) land on it; plain does not tolerate the taint.
    startAgent("gpu", ["--capacity", "cpu=8,memory=16Gi,pods=110", "--labels", "accel=gpu", "--taints", "dedicated=gpu:NoSchedule"]);
    await nodesReady(["gpu"]);
    await eventually(async () => {
      const list = await pods("fit");
      const byName = Object.fromEntries(list.map((p) => [p.metadata.name, p.spec.nodeName]));
      if (byName.big !== "gpu" || byName.gpu !== "gpu") throw new Error(JSON.stringify(byName));
    }, 30_000, 250);
    await sleep(1000);
    const plainNow = (await api(h, "GET", "/api/v1/namespaces/fit/pods/plain")).body;
    expect(plainNow.spec.nodeName).toBeUndefined();
    const c = plainNow.status.conditions.find((x: any) => x.type === "PodScheduled");
    expect(c.message).toBe("0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector.");
  });

  it("a dead agent's node turns Unknown and tainted; pods with a short toleration move to other nodes", { timeout: 150_000 }, async () => {
    await createNs("move");
    const doomed = startAgent("doomed", ["--capacity", "cpu=4,memory=8Gi,pods=110", "--labels", "pool=move"]);
    startAgent("spare", ["--capacity", "cpu=4,memory=8Gi,pods=110", "--labels", "pool=move"]);
    await nodesReady(["doomed", "spare"]);
    const tolerations = [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 }];
    const d = deployment("mover", 4, { nodeSelector: { pool: "move" }, tolerations });
    expect((await api(h, "POST", "/apis/apps/v1/namespaces/move/deployments", d)).status).toBe(201);
    await eventually(async () => {
      const n = countByNode((await pods("move")).filter((p) => p.status?.phase === "Running"));
      if (n.doomed !== 2 || n.spare !== 2) throw new Error(JSON.stringify(n));
    }, 30_000, 250);

    doomed.kill("SIGKILL");
    const node = await eventually(async () => {
      const n = (await api(h, "GET", "/api/v1/nodes/doomed")).body;
      if (ready(n) !== "Unknown" || !(n.spec.taints ?? []).some((t: any) => t.effect === "NoExecute")) throw new Error(`ready=${ready(n)}`);
      return n;
    }, 60_000, 250);
    expect(node.status.conditions.find((c: any) => c.type === "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort()).toEqual(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    // Evicted after their 2 s toleration, replaced, and the replacements land on the node still alive.
    await eventually(async () => {
      const live = (await pods("move")).filter((p) => !p.metadata.deletionTimestamp);
      const n = countByNode(live.filter((p) => p.status?.phase === "Running"));
      if (n.spare !== 4 || n.doomed) throw new Error(JSON.stringify(n));
    }, 40_000, 250);
  });
});
