// Why: the scheduling bench needs simulated nodes as a user gets them — one `edgeplane agent
// --runtime simulated --nodes N` child process joining with a bootstrap token made as
// `edgeplane token create` makes it — with node sizes of its own (--capacity, which `edgeplane up
// --nodes` does not pass), and the child's pid to read its RSS.
import { eachLine } from "../src/cli/each-line.js";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { READY_LINE } from "../agent/agent.js";
import { BOOTSTRAP_TOKEN_ENV } from "../agent/cli/flags.js";
import { packageRoot } from "../src/cli/paths.js";
import { createBootstrapToken } from "../agent/local/local-agent.js";
import type { ControlPlane } from "../src/cli/up.js";

export interface SimAgent {
  pid: number;
  /** Seconds the agent reported for joining and registering every node. */
  seconds: number;
  /** The agent's last lines (its problems, if any). */
  output(): string[];
  /** The agent's problem lines (✗ …) so far, counted by message with numbers and names masked. */
  problems(): Map<string, number>;
  /** The agent's V8 heap in use after forced collections, bytes (NaN if it did not answer). */
  liveHeap(): Promise<number>;
  stop(): Promise<void>;
}

const PROBE = fileURLToPath(new URL("./agent-heap-probe.mjs", import.meta.url));
const HEAP_LINE = /^edgeplane-bench-heap (\{.*\})$/;

export interface SimAgentOptions {
  nodes: number;
  name: string;
  /** --capacity, e.g. "cpu=4,memory=16Gi,pods=110". */
  capacity: string;
  /** --taints, e.g. "bench=baseline:NoSchedule". */
  taints?: string;
  readyTimeoutMs: number;
  /** Progress while the nodes join (called every few seconds with the seconds waited). */
  onWait?(seconds: number): void;
}

/** A bootstrap token, made as `edgeplane token create` makes it (the same code, in this process). */
export function bootstrapToken(cp: ControlPlane): Promise<string> {
  return createBootstrapToken(cp.kubeconfigPath, { ttl: "2h", description: "npm run bench" });
}

/** Starts `edgeplane agent` as a child process; resolves once it printed that every node runs. */
export async function startSimAgent(cp: ControlPlane, token: string, o: SimAgentOptions): Promise<SimAgent> {
  const args = [join(packageRoot, "bin", "edgeplane.js"), "agent", "--server", cp.url, "--certificate-authority", cp.caPath];
  args.push("--nodes", String(o.nodes), "--name", o.name, "--runtime", "simulated", "--capacity", o.capacity);
  if (o.taints) args.push("--taints", o.taints);
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    // The token in the environment, as `edgeplane up` passes it; the agent exits if the bench dies.
    env: {
      ...process.env,
      [BOOTSTRAP_TOKEN_ENV]: token,
      EDGEPLANE_STOP_WITH_PARENT: "1",
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${PROBE}`.trim(),
    },
  });
  const lines: string[] = [];
  let readyLine: string | undefined;
  let onHeap: ((bytes: number) => void) | undefined;
  const problems = new Map<string, number>();
  const onLine = (l: string) => {
    const heap = HEAP_LINE.exec(l);
    if (heap) {
      onHeap?.((JSON.parse(heap[1]) as { heapUsed: number }).heapUsed);
      return;
    }
    lines.push(l);
    if (l.startsWith("✗")) {
      const key = l.replace(/\bsim-\d+\b/g, "NODE").replace(/\d+/g, "N").slice(0, 160);
      if (problems.size < 50 || problems.has(key)) problems.set(key, (problems.get(key) ?? 0) + 1);
    }
    if (lines.length > 50) lines.shift();
    if (!readyLine && READY_LINE.test(l)) readyLine = l;
  };
  eachLine(child.stdout, onLine);
  eachLine(child.stderr, onLine);
  let exited = false;
  const gone = new Promise<void>((r) => child.on("exit", () => ((exited = true), r())));
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (!exited) child.kill("SIGKILL");
    await gone;
  };
  // The bench exiting (Ctrl-C, a crash) takes the agent with it.
  const onExit = () => void (exited || child.kill("SIGKILL"));
  process.on("exit", onExit);
  void gone.then(() => process.off("exit", onExit));
  const started = Date.now();
  let lastTick = started;
  while (!readyLine) {
    if (exited) throw new Error(`the agent exited before its ${o.nodes} nodes ran:\n${lines.slice(-10).join("\n")}`);
    if (Date.now() - started > o.readyTimeoutMs) {
      await stop();
      throw new Error(`the agent's ${o.nodes} nodes were not running after ${o.readyTimeoutMs / 1000} s; its last lines:\n${lines.slice(-10).join("\n")}`);
    }
    if (Date.now() - lastTick >= 5_000) {
      lastTick = Date.now();
      o.onWait?.((lastTick - started) / 1000);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = Number(READY_LINE.exec(readyLine)?.[4]);
  const liveHeap = () =>
    new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(NaN), 10_000);
      onHeap = (bytes) => {
        clearTimeout(timer);
        onHeap = undefined;
        resolve(bytes);
      };
      if (exited || !child.kill("SIGUSR2")) resolve(NaN);
    });
  return { pid: child.pid ?? -1, seconds, output: () => [...lines], problems: () => new Map(problems), liveHeap, stop };
}
