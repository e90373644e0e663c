// The real `edgeplane agent` as a child process of a test: started against a control plane of
// the harness with a bootstrap token, ready once it prints that its nodes run, stopped (or
// killed) by the test and always killed when the test process exits.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { binPath, runEdgeplane, type Edgeplane } from "./harness.js";

export interface AgentProcess {
  pid: number;
  output(): string;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const agents = new Set<ChildProcess>();
process.on("exit", () => {
  for (const a of agents) a.kill("SIGKILL");
});

/** A bootstrap token made with `edgeplane token create` against the harness's control plane. */
export async function bootstrapToken(h: Edgeplane): Promise<string> {
  const r = await runEdgeplane(["token", "create", "--kubeconfig", h.kubeconfigPath]);
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function startAgent(h: Edgeplane, token: string, args: string[], env: Record<string, string> = {}): AgentProcess {
  const child = spawn(process.execPath, [binPath, "agent", "--server", h.url, "--token", token, "--certificate-authority", join(h.stateDir, "tls", "ca.crt"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EDGEPLANE_STOP_WITH_PARENT: "1", ...env },
  });
  agents.add(child);
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => {
      agents.delete(child);
      r({ code, signal });
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString("utf8");
      if (/^✓ \d+ \S+ nodes? running: /m.test(out)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((e) => reject(new Error(`the agent exited (${e.code ?? e.signal}) before its nodes ran:\n${out}`)));
  });
  ready.catch(() => {});
  return {
    pid: child.pid ?? -1,
    output: () => out,
    ready,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
