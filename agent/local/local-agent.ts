// The agent `edgeplane up --nodes N` runs beside the local control plane: a bootstrap token made
// as `edgeplane token create` makes one, then `edgeplane agent` as a child process (simple to
// stop and to measure), trusting the local CA, with the token in its environment rather than on
// its command line. Resolves once every node runs.
import { eachLine } from "../../src/cli/each-line.js";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { packageRoot } from "../../src/cli/paths.js";
import { runToken } from "../../src/cli/token.js";
import { UpError } from "../../src/cli/up-error.js";
import { READY_LINE } from "../agent.js";
import { BOOTSTRAP_TOKEN_ENV } from "../cli/flags.js";
import { chooseLocalRuntime, type LocalRuntime } from "./runtime-choice.js";

export const LOCAL_NODE_NAME = "edgeplane";
const OUTPUT_LINES_KEPT = 100;

export interface LocalAgentOptions {
  server: string;
  caPath: string;
  kubeconfigPath: string;
  /** The control plane's state folder: the agent keeps its own in <state>/agent. */
  stateDir: string;
  nodes: number;
  /** A runtime name, or "auto" for the best this machine has (runtime-choice.ts). */
  runtime: string;
  runtimeEndpoint?: string;
  /** Progress lines (which runtime was chosen). */
  say?(line: string): void;
  /** The agent's lines once it runs (its recoveries and problems). */
  onOutput?(line: string): void;
  readyTimeoutMs?: number;
}

export interface LocalAgent {
  pid: number;
  /** What runs, e.g. "3 simulated nodes: edgeplane-0 … edgeplane-2". */
  summary: string;
  /** How long the nodes took to join and register, in seconds. */
  seconds: number;
  /** What runtime runs the pods, when a real one does (e.g. "podman 4.3.1 at unix:///…"). */
  runtimeDetail?: string;
  /** Resolves when the agent has exited, whoever stopped it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string[] }>;
  stop(): Promise<void>;
}

/** A bootstrap token, made exactly as `edgeplane token create` makes it (the same code, in this process). */
export async function createBootstrapToken(kubeconfig: string, o: { ttl: string; description: string } = { ttl: "24h", description: "edgeplane up --nodes" }): Promise<string> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  err.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const code = await runToken({ flags: { kubeconfig, ttl: o.ttl, description: o.description }, positionals: ["create"] }, out, err);
  if (code !== 0) throw new UpError(`cannot create a bootstrap token for the local nodes: ${stderr.trim()}`);
  return stdout.trim();
}

export async function startLocalAgent(o: LocalAgentOptions): Promise<LocalAgent> {
  const token = await createBootstrapToken(o.kubeconfigPath);
  const agentDir = join(o.stateDir, "agent");
  mkdirSync(agentDir, { recursive: true });
  let chosen: LocalRuntime = { name: o.runtime, endpoint: o.runtimeEndpoint, detail: "", stop: async () => {} };
  if (o.runtime === "auto") {
    o.say?.("… looking for a container runtime");
    chosen = await chooseLocalRuntime(agentDir);
  }
  const args = [join(packageRoot, "bin", "edgeplane.js"), "agent", "--server", o.server, "--certificate-authority", o.caPath, "--nodes", String(o.nodes), "--name", LOCAL_NODE_NAME, "--runtime", chosen.name, "--root-dir", agentDir];
  if (chosen.endpoint) args.push("--runtime-endpoint", chosen.endpoint);
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, [BOOTSTRAP_TOKEN_ENV]: token, EDGEPLANE_STOP_WITH_PARENT: "1" },
  });
  const output: string[] = [];
  let ready = false;
  let onReady: (line: string) => void = () => {};
  const readyLine = new Promise<string>((r) => (onReady = r));
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > OUTPUT_LINES_KEPT) output.shift();
    if (ready && !stopping) o.onOutput?.(line);
    else if (READY_LINE.test(line)) {
      ready = true;
      onReady(line);
    }
  };
  eachLine(child.stdout, onLine);
  eachLine(child.stderr, onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string[] }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, output: [...output] }));
    child.on("error", (err) => {
      output.push(`cannot run the agent: ${err.message}`);
      resolve({ code: null, signal: null, output: [...output] });
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5_000)))]);
      clearTimeout(timer);
      if (!gone) child.kill("SIGKILL");
      await exited;
      await chosen.stop();
    })();
    return stopping;
  };

  const timeoutMs = o.readyTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyLine.then((line) => ({ line })),
    exited.then((e) => ({ exit: e })),
    new Promise<{ timeout: true }>((r) => (timer = setTimeout(() => r({ timeout: true }), timeoutMs))),
  ]);
  clearTimeout(timer);
  if ("line" in outcome) {
    const [, count, runtime, names, seconds] = READY_LINE.exec(outcome.line) ?? [];
    return { pid: child.pid ?? -1, summary: `${count} ${runtime} node${count === "1" ? "" : "s"}: ${names}`, seconds: Number(seconds), exited, stop, ...(chosen.detail ? { runtimeDetail: chosen.detail } : {}) };
  }
  await stop();
  if ("exit" in outcome) {
    const how = outcome.exit.signal ? `signal ${outcome.exit.signal}` : `code ${outcome.exit.code}`;
    throw new UpError(`the node agent exited before its nodes ran (${how})`, "its output is above", [...output]);
  }
  throw new UpError(`the node agent's ${o.nodes} nodes were not running after ${timeoutMs / 1000}s`, "try fewer --nodes", [...output]);
}
