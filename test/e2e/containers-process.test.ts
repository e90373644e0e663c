// The `process` runtime end to end, for machines without a container engine: the real agent
// runs each container's command as a host process group. Env (values, the downward API, a
// ConfigMap), logs through the tunnel, an HTTP readiness probe against a port on the host,
// exit codes and restarts, graceful deletion, and an agent restart that keeps the processes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapToken, startAgent, type AgentProcess } from "./agent-process.js";
import { api, startEdgeplane, type Edgeplane } from "./harness.js";
import { sleep, until } from "./helpers.js";
import { kubectlFor, type Kubectl } from "./kubectl-helpers.js";
import { readyCondition, podsOn } from "./containers-helpers.js";

const NODE = "procs";
const NS = "default";
let h: Edgeplane;
let kubectl: Kubectl;
let agent: AgentProcess;
let token: string;
let agentArgs: string[];

const c = (name: string, command: string[], extra: Record<string, unknown> = {}) => ({ name, image: "host", command, ...extra });
const { pod, getPod, create } = podsOn(() => h, NODE, NS);
const phase = (name: string, want: string, ms = 30_000) => until(`${name} ${want}`, async () => ((await getPod(name)).status?.phase === want ? getPod(name) : undefined), ms);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  h = await startEdgeplane();
  kubectl = kubectlFor(h);
  token = await bootstrapToken(h);
  agentArgs = ["--name", NODE, "--runtime", "process", "--root-dir", `${h.stateDir}/agent`, "--node-status-update-frequency", "2s"];
  agent = startAgent(h, token, agentArgs);
  await agent.ready;
}, 120_000);

afterAll(async () => {
  // Delete what runs so that no host process outlives the suite.
  await api(h, "DELETE", `/api/v1/namespaces/${NS}/pods`, { gracePeriodSeconds: 0 });
  await sleep(3000);
  await agent?.stop();
  await h?.stop();
}, 60_000);

describe("the process runtime", () => {
  it("runs a command with its env and serves its output through kubectl logs", async () => {
    await api(h, "POST", `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: "cfg" }, data: { color: "blue" } });
    await create(pod("hello", [c("main", ["sh", "-c", 'echo "hello $WHO from $POD_NAME color=$COLOR"; pwd; sleep 600'], { workingDir: "/tmp", env: [{ name: "WHO", value: "world" }, { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "COLOR", valueFrom: { configMapKeyRef: { name: "cfg", key: "color" } } }] })]));
    const p = await phase("hello", "Running");
    expect(p.status.containerStatuses[0].containerID).toMatch(/^process:\/\//);
    const logs = await until("output", async () => {
      const r = await kubectl(["logs", "hello"]);
      return r.stdout.includes("hello") ? r.stdout : undefined;
    });
    expect(logs).toBe("hello world from hello color=blue\n/tmp\n");
    const node = (await api(h, "GET", `/api/v1/nodes/${NODE}`)).body;
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^process:\/\//);
  }, 60_000);

  it("reports exit codes: Succeeded, Failed, and restarts with restartPolicy Always", async () => {
    await create(pod("ok", [c("main", ["true"])], { restartPolicy: "Never" }));
    await create(pod("bad", [c("main", ["sh", "-c", "exit 4"])], { restartPolicy: "Never" }));
    await create(pod("again", [c("main", ["sh", "-c", "echo once; exit 1"])]));
    expect((await phase("ok", "Succeeded")).status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect((await phase("bad", "Failed")).status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 4, reason: "Error" });
    const again = await until("a restart", async () => ((await getPod("again")).status?.containerStatuses?.[0]?.restartCount >= 1 ? getPod("again") : undefined), 30_000);
    expect(again.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
  }, 60_000);

  it("marks a pod Ready when its HTTP readiness probe on the host answers", async () => {
    const port = await freePort();
    await create(pod("web", [c("httpd", ["sh", "-c", `sleep 3; mkdir -p /tmp/edgeplane-www-${port}; echo ok > /tmp/edgeplane-www-${port}/index.html; exec busybox httpd -f -p 127.0.0.1:${port} -h /tmp/edgeplane-www-${port}`], { readinessProbe: { httpGet: { host: "127.0.0.1", path: "/", port }, periodSeconds: 1 } })]));
    const running = await phase("web", "Running");
    expect(readyCondition(running)).toBe("False");
    await until("Ready", async () => (readyCondition(await getPod("web")) === "True" ? true : undefined), 30_000);
  }, 60_000);

  it("stops a deleted pod's processes with SIGTERM and removes the pod", async () => {
    await create(pod("term", [c("main", ["sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 1; done"])], { terminationGracePeriodSeconds: 30 }));
    await phase("term", "Running");
    const t0 = Date.now();
    await kubectl(["delete", "pod", "term", "--wait=false"]);
    await until("gone", async () => ((await api(h, "GET", `/api/v1/namespaces/${NS}/pods/term`)).status === 404 ? true : undefined), 20_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 40_000);

  it("runs static pods while the control plane cannot be reached, and keeps trying to join", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-offline-"));
    const pidFile = join(dir, "pid");
    mkdirSync(join(dir, "manifests"));
    writeFileSync(join(dir, "manifests", "beacon.yaml"), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: beacon\nspec:\n  containers:\n  - name: main\n    image: host\n    command: ["sh", "-c", "echo $$$$ > ${pidFile}; exec sleep 600"]\n`);
    const closed = await freePort();
    const offline = startAgent({ ...h, url: `https://127.0.0.1:${closed}` }, token, ["--name", "offline", "--runtime", "process", "--root-dir", join(dir, "root"), "--manifests", join(dir, "manifests")]);
    try {
      const pid = await until("the static pod's process", async () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) || undefined : undefined), 30_000);
      expect(() => process.kill(pid, 0)).not.toThrow();
      await until("the join retry said", async () => (offline.output().includes("its static pods run meanwhile") ? true : undefined), 10_000);
      expect(offline.output()).not.toMatch(/nodes? running/);
      process.kill(pid, "SIGKILL");
    } finally {
      await offline.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("keeps running processes across an agent restart", async () => {
    const before = (await getPod("hello")).status.containerStatuses[0];
    await agent.stop();
    agent = startAgent(h, token, agentArgs);
    await agent.ready;
    await sleep(3000);
    const after = (await getPod("hello")).status.containerStatuses[0];
    expect(after.containerID).toBe(before.containerID);
    expect(after.restartCount).toBe(before.restartCount);
    expect(after.state.running).toBeTruthy();
  }, 60_000);
});
