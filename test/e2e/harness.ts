// End-to-end test helpers: run the real `bin/edgeplane.js up` as a child process on a free
// port with a temporary state folder, and talk to it over HTTP or with @kubernetes/client-node.
//
//   const h = await startEdgeplane({ vars: { WATCH_LOG_MIN_AGE_SECONDS: "0" } });
//   const res = await api(h, "GET", "/api/v1/namespaces");
//   const core = kubeClient(h).makeApiClient(CoreV1Api);
//   await h.stop();
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { httpRequestText } from "../../src/cli/https.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const binPath = join(repoRoot, "bin", "edgeplane.js");

export interface StartOptions {
  /** Reuse a state folder (kept after stop()); default: a fresh temporary one, removed by stop(). */
  stateDir?: string;
  /** Worker variables (`--var KEY=VALUE`), e.g. { WATCH_LOG_MIN_AGE_SECONDS: "0" }. */
  vars?: Record<string, string>;
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Extra environment for the edgeplane process (e.g. { EDGEPLANE_DEBUG: "1" }). */
  env?: Record<string, string>;
  /** How long to wait for "ready" (default 90 s). */
  readyTimeoutMs?: number;
  /** More flags for `edgeplane up`, e.g. ["--nodes", "2"]. */
  args?: string[];
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Edgeplane {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  token: string;
  /** PEM of the local CA the server's certificate chains to. */
  ca: string;
  kubeconfigPath: string;
  stateDir: string;
  /** pid of the running `edgeplane up` process (changes on restart()). */
  pid: number;
  /** Everything the current `edgeplane up` process printed (stdout and stderr interleaved). */
  output(): string;
  /** How the last `edgeplane up` process ended, once stop() or restart() has stopped it. */
  lastExit?: ExitStatus;
  /** SIGTERM, wait for a clean exit, then remove the temporary folder (not a stateDir you passed). */
  stop(): Promise<void>;
  /**
   * Stop and start again on the same port, state folder and kubeconfig. With `kill`, SIGKILL the
   * whole process tree (edgeplane, wrangler, workerd) instead of a clean stop: a crash.
   */
  restart(opts?: { kill?: boolean }): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test must not leave control planes behind: edgeplane stops wrangler and workerd on SIGTERM.
  process.on("exit", () => {
    for (const child of live) child.kill("SIGTERM");
  });
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether something listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolveUse) => {
    const server = createServer();
    server.once("error", () => resolveUse(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolveUse(false)));
  });
}

/** Every descendant of a process, parents before children (from /proc). */
function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of parents.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export async function startEdgeplane(opts: StartOptions = {}): Promise<Edgeplane> {
  installExitHook();
  const tempRoot = mkdtempSync(join(tmpdir(), "edgeplane-e2e-"));
  const stateDir = opts.stateDir ? resolve(opts.stateDir) : join(tempRoot, "state");
  const kubeconfigPath = join(tempRoot, "kubeconfig");
  const port = opts.port ?? (await freePort());
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;

  let child: ChildProcess | undefined;
  let out = "";
  let exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });

  const launch = async (): Promise<void> => {
    out = "";
    const args = [binPath, "up", "--port", String(port), "--state", stateDir, "--kubeconfig", kubeconfigPath];
    for (const [k, v] of Object.entries(opts.vars ?? {})) args.push("--var", `${k}=${v}`);
    // No local node unless a test asks for one: most tests look at the API alone.
    if (!(opts.args ?? []).includes("--nodes")) args.push("--nodes", "0");
    args.push(...(opts.args ?? []));
    const proc = spawn(process.execPath, args, {
      cwd: tempRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, EDGEPLANE_STOP_WITH_PARENT: "1", ...opts.env },
    });
    child = proc;
    live.add(proc);
    exited = new Promise((r) =>
      proc.on("exit", (code, signal) => {
        live.delete(proc);
        r({ code, signal });
      }),
    );
    const ready = new Promise<void>((resolveReady, reject) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString("utf8");
        // "Press Ctrl-C to stop" is printed last, after "ready" and "kubeconfig written".
        if (/control plane ready at /.test(out) && /Press Ctrl-C to stop/.test(out)) resolveReady();
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", onData);
      void exited.then(({ code, signal }) =>
        reject(new Error(`edgeplane up exited before it was ready (code ${code}, signal ${signal}):\n${out}`)),
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`edgeplane up was not ready after ${readyTimeoutMs / 1000}s:\n${out}`)),
        readyTimeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (err) {
      await terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    h.pid = proc.pid ?? -1;
    h.token = readFileSync(join(stateDir, "admin-token"), "utf8").trim();
    h.ca = readFileSync(join(stateDir, "tls", "ca.crt"), "utf8");
  };

  const terminate = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      exited,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), 30_000);
      }),
    ]);
    clearTimeout(timer);
    if (!status) {
      proc.kill("SIGKILL");
      h.lastExit = await exited;
      throw new Error(`edgeplane up did not stop within 30s after SIGTERM:\n${out}`);
    }
    h.lastExit = status;
  };

  const killTree = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    for (const pid of [...descendants(proc.pid ?? -1).reverse(), proc.pid ?? -1]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    h.lastExit = await exited;
  };

  const h: Edgeplane = {
    url: `https://127.0.0.1:${port}`,
    port,
    token: "",
    ca: "",
    kubeconfigPath,
    stateDir,
    pid: -1,
    output: () => out,
    stop: async () => {
      try {
        await terminate();
      } finally {
        rmSync(tempRoot, { recursive: true, force: true });
      }
    },
    restart: async (o = {}) => {
      if (o.kill) await killTree();
      else await terminate();
      await launch();
    },
  };

  try {
    await launch();
  } catch (err) {
    rmSync(tempRoot, { recursive: true, force: true });
    throw err;
  }
  return h;
}

/** A KubeConfig for @kubernetes/client-node, loaded from the kubeconfig `edgeplane up` wrote. */
export function kubeClient(h: Pick<Edgeplane, "kubeconfigPath">): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  return kc;
}

export interface ApiResponse<T = any> {
  status: number;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One HTTP request to the control plane with the admin token. An object body is sent as JSON:
 * `application/json`, or `application/merge-patch+json` for PATCH unless `headers` names a
 * content-type. Pass `{ authorization: "" }` in headers to send no token.
 */
export async function api<T = any>(
  h: Pick<Edgeplane, "url" | "token" | "ca">,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const hdrs: Record<string, string> = { authorization: `Bearer ${h.token}` };
  for (const [k, v] of Object.entries(headers)) hdrs[k.toLowerCase()] = v;
  if (hdrs.authorization === "") delete hdrs.authorization;
  let payload: string | Uint8Array | undefined;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Uint8Array) {
      payload = body;
    } else {
      payload = JSON.stringify(body);
      hdrs["content-type"] ??= method.toUpperCase() === "PATCH" ? "application/merge-patch+json" : "application/json";
    }
  }
  const res = await httpRequestText(new URL(path, h.url), { method, headers: hdrs, body: payload, ca: h.ca });
  const text = res.text;
  let parsed: unknown = text;
  if (/json/i.test(String(res.headers["content-type"] ?? ""))) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `bin/edgeplane.js ARGS…` to completion (for --help, errors and the like). */
export function runEdgeplane(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const proc = spawn(process.execPath, [binPath, ...args], {
      cwd: opts.cwd ?? tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, EDGEPLANE_STOP_WITH_PARENT: "1", ...opts.env },
    });
    live.add(proc);
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => {
      proc.kill("SIGTERM");
      reject(new Error(`edgeplane ${args.join(" ")} did not finish within ${(opts.timeoutMs ?? 60_000) / 1000}s:\n${stdout}${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(proc);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}
