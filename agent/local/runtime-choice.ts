// Which runtime `edgeplane up` gives its local node when none is named (`--runtime auto`):
// a Docker Engine API socket that answers (Docker's, or Podman's service), else Podman's
// Docker-compatible service started for the occasion when the podman command is installed,
// else host processes. Whatever is chosen is said in one line, with why.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { UpError } from "../../src/cli/up-error.js";
import { runtimeNamed } from "../runtimes/index.js";

export interface LocalRuntime {
  /** The agent's --runtime. */
  name: string;
  /** The agent's --runtime-endpoint (docker only). */
  endpoint?: string;
  /** What was found, e.g. "podman 4.3.1 at unix:///run/podman/podman.sock". */
  detail: string;
  /** Stops what was started for it (Podman's service); nothing otherwise. */
  stop(): Promise<void>;
}

/** Sockets tried in order: Docker's, then Podman's rootful and rootless services. */
export function candidateSockets(env: NodeJS.ProcessEnv = process.env): string[] {
  const out = ["/var/run/docker.sock", "/run/podman/podman.sock"];
  if (env.XDG_RUNTIME_DIR) out.push(join(env.XDG_RUNTIME_DIR, "podman", "podman.sock"));
  if (env.DOCKER_HOST?.startsWith("unix://")) out.unshift(env.DOCKER_HOST.slice("unix://".length));
  return [...new Set(out)];
}

/** The first executable called `name` on the PATH. */
export function onPath(name: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

async function detectDocker(endpoint: string): Promise<string | undefined> {
  const docker = runtimeNamed("docker");
  if (!docker?.detect) return undefined;
  const r = await docker.detect(endpoint);
  return r.ok ? r.detail : undefined;
}

const noop = async () => {};

/**
 * Starts `podman system service` on a socket in `dir` (runc where installed: podman's default crun
 * fails on some cgroup setups) and waits until it answers.
 */
export async function startPodmanService(podman: string, dir: string, timeoutMs = 15_000): Promise<{ endpoint: string; detail: string; child: ChildProcess; stop(): Promise<void> }> {
  const endpoint = `unix://${join(dir, "podman.sock")}`;
  const args = [...(onPath("runc") ? ["--runtime", "runc"] : []), "system", "service", "--time=0", endpoint];
  const child = spawn(podman, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-2000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const detail = existsSync(endpoint.slice("unix://".length)) ? await detectDocker(endpoint) : undefined;
    if (detail) return { endpoint, detail, child, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new UpError(`podman's Docker-compatible service did not start: ${stderr.trim() || "no answer on " + endpoint}`, "run 'podman info' to see what is wrong, or pass --runtime process");
}

/** The best runtime this machine offers; `stateDir` holds Podman's socket when one is started. */
export async function chooseLocalRuntime(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalRuntime> {
  for (const socket of candidateSockets(env)) {
    if (!existsSync(socket)) continue;
    const endpoint = `unix://${socket}`;
    const detail = await detectDocker(endpoint);
    if (detail) return { name: "docker", endpoint, detail, stop: noop };
  }
  const podman = onPath("podman", env.PATH);
  if (podman) {
    try {
      const svc = await startPodmanService(podman, stateDir);
      return { name: "docker", endpoint: svc.endpoint, detail: `${svc.detail}, started for this cluster`, stop: svc.stop };
    } catch {
      // Podman is there but cannot serve: host processes still work.
    }
  }
  return { name: "process", detail: "no Docker or Podman found: containers run as host processes (their images are not used)", stop: noop };
}
