// Why: the real-container benches' common setup: Podman's Docker-compatible service, the busybox
// test image, a fresh control plane and one `edgeplane agent --runtime docker` child process,
// and the teardown that removes what the node left in the engine.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOOTSTRAP_TOKEN_ENV } from "../agent/cli/flags.js";
import { READY_LINE } from "../agent/agent.js";
import { eachLine } from "../src/cli/each-line.js";
import { packageRoot } from "../src/cli/paths.js";
import { startControlPlane, type ControlPlane } from "../src/cli/up.js";
import { ensureBusyboxImage, startPodman, type Podman } from "../test/support/podman.js";
import { HttpClient } from "./client.js";
import { bootstrapToken } from "./sim-agent.js";
import { freePort } from "./system.js";

export interface PodmanNode {
  podman: Podman;
  image: string;
  cp: ControlPlane;
  http: HttpClient;
  agent: { pid: number; stop(): Promise<void> };
  /** Stops the agent and starts it again (same node, token and root dir) with these extra flags. */
  restartAgent(extraArgs: string[]): Promise<void>;
}

/** Runs `body` with a fresh one-node cluster on Podman; everything is removed afterwards. */
export async function withPodmanNode<T>(o: { name: string; node: string; vars: Record<string, string>; agentArgs?: string[] }, body: (n: PodmanNode) => Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), `edgeplane-bench-${o.name}-`));
  let podman: Podman | undefined;
  let cp: ControlPlane | undefined;
  let agent: PodmanNode["agent"] | undefined;
  try {
    podman = await startPodman();
    const image = await ensureBusyboxImage("localhost/edgeplane-test/busybox:1");
    cp = await startControlPlane({ port: await freePort(), stateDir: join(work, "state"), kubeconfigPath: join(work, "kubeconfig"), readyTimeoutMs: 90_000, vars: o.vars });
    const http = new HttpClient(cp.url, { token: cp.token, ca: cp.caPem });
    const token = await bootstrapToken(cp);
    const started = (args: string[]) => startDockerAgent(cp!, token, podman!.endpoint, join(work, "agent"), o.node, args);
    agent = await started(o.agentArgs ?? []);
    const node: PodmanNode = {
      podman,
      image,
      cp,
      http,
      agent,
      restartAgent: async (extraArgs) => {
        await agent?.stop();
        agent = node.agent = await started([...(o.agentArgs ?? []), ...extraArgs]);
      },
    };
    return await body(node);
  } finally {
    // Give the agent a moment to stop the deleted pods' containers, then remove what is left.
    await new Promise((r) => setTimeout(r, 3000));
    await agent?.stop();
    await podman?.removeByLabel(`io.edgeplane.node=${o.node}`).catch(() => {});
    await podman?.removeNetwork(`edgeplane-${o.node}`).catch(() => {});
    await cp?.stop();
    await podman?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** One `edgeplane agent --runtime docker` child process, resolved once its node runs. */
export function startDockerAgent(cp: ControlPlane, token: string, endpoint: string, rootDir: string, name: string, extraArgs: string[] = []): Promise<{ pid: number; stop(): Promise<void> }> {
  const args = [join(packageRoot, "bin", "edgeplane.js"), "agent", "--server", cp.url, "--certificate-authority", cp.caPath, "--name", name, "--runtime", "docker", "--runtime-endpoint", endpoint, "--root-dir", rootDir, ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [BOOTSTRAP_TOKEN_ENV]: token, EDGEPLANE_STOP_WITH_PARENT: "1" } });
  const lines: string[] = [];
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      lines.push(line);
      if (READY_LINE.test(line)) resolve({ pid: child.pid ?? -1, stop });
    };
    eachLine(child.stdout, onLine);
    eachLine(child.stderr, onLine);
    void exited.then(() => reject(new Error(`the agent exited before its node ran:\n${lines.slice(-20).join("\n")}`)));
  });
}

