// `edgeplane up`: the control plane (the Worker and its Durable Objects) on workerd through
// `wrangler dev`, with state on disk, an admin token, a kubeconfig and a local cron tick.
// `startControlPlane` is the programmatic API used by the command and by tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { isAbsolute, join, resolve } from "node:path";
import { httpRequestText } from "./https.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { lockState, adminToken, workerEnvFile } from "./state.js";
import { ENCRYPTION_KEYS_FILE, encryptionKeys, withEncryptionKeys } from "./secrets-keys.js";
import { ensureTls } from "./tls.js";
import { UpError } from "./up-error.js";
import { packageRoot, wranglerScript } from "./paths.js";

export interface UpOptions {
  /** Port on 127.0.0.1 (default 8787). */
  port?: number;
  /** State folder: admin token and Durable Object storage (default `.edgeplane/state`, relative to cwd). */
  stateDir?: string;
  /** Where the kubeconfig goes (default `.edgeplane/kubeconfig`, relative to cwd). */
  kubeconfigPath?: string;
  /** Extra Worker variables passed to wrangler dev (`--var KEY:VALUE`). */
  vars?: Record<string, string>;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
  /** Progress lines (`✓ …`); default: none. */
  log?: (line: string) => void;
  /** Forward wrangler's and workerd's output, line by line (default: when EDGEPLANE_DEBUG=1, to stderr). */
  onOutput?: (line: string) => void;
  /** How long to wait for /readyz (default 60 s). */
  readyTimeoutMs?: number;
  /** Period of the scheduled-handler tick (default 60 s; 0 turns it off). */
  scheduledIntervalMs?: number;
  /** Aborting while starting stops wrangler and rejects with an UpError whose `aborted` is true. */
  signal?: AbortSignal;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the exit came from stop(). */
  expected: boolean;
  /** The last lines wrangler and workerd printed. */
  output: string[];
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The local CA that signed the serving certificate (also in the kubeconfig). */
  caPath: string;
  caPem: string;
  port: number;
  token: string;
  stateDir: string;
  kubeconfigPath: string;
  /** Time from start to ready, in milliseconds. */
  startupMs: number;
  /** wrangler's pid; it leads the process group that also holds workerd. */
  pid: number;
  /** Resolves when wrangler has exited, whether stop() asked it to or not. */
  exited: Promise<ExitInfo>;
  /** The last lines wrangler and workerd printed. */
  recentOutput(): string[];
  /** Stop wrangler and workerd and wait until they are gone. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_STATE_DIR = ".edgeplane/state";
export const DEFAULT_KUBECONFIG = ".edgeplane/kubeconfig";
const OUTPUT_LINES_KEPT = 200;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function startControlPlane(opts: UpOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const cwd = opts.cwd ?? process.cwd();
  const port = opts.port ?? DEFAULT_PORT;
  const stateDir = absolute(cwd, opts.stateDir ?? DEFAULT_STATE_DIR);
  const kubeconfigPath = absolute(cwd, opts.kubeconfigPath ?? DEFAULT_KUBECONFIG);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const scheduledIntervalMs = opts.scheduledIntervalMs ?? 60_000;
  const debug = process.env.EDGEPLANE_DEBUG === "1" || process.env.EDGEPLANE_DEBUG === "true";
  const onOutput = opts.onOutput ?? (debug ? (line: string) => process.stderr.write(`[wrangler] ${line}\n`) : undefined);

  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UpError(`invalid port ${port}`, "pass --port with a number from 1 to 65535");
  }
  const vars = opts.vars ?? {};
  for (const key of Object.keys(vars)) {
    if (!VAR_NAME.test(key)) throw new UpError(`invalid variable name '${key}'`, "use letters, digits and _ (e.g. WATCH_LOG_MIN_AGE_SECONDS)");
    if (key === "ADMIN_TOKEN") {
      throw new UpError("ADMIN_TOKEN is managed by edgeplane up", `it is kept in ${join(stateDir, "admin-token")}; edit or delete that file to change it`);
    }
    if (key === "ENCRYPTION_KEYS") {
      throw new UpError("ENCRYPTION_KEYS is managed by edgeplane up", `the keys are kept in ${join(stateDir, ENCRYPTION_KEYS_FILE)}; put a new key on its first line to rotate`);
    }
  }

  const configPath = join(packageRoot, "wrangler.toml");
  if (!existsSync(configPath)) throw new UpError(`${configPath} is missing`, "reinstall edgeplane");
  let wrangler: string;
  try {
    wrangler = wranglerScript();
  } catch {
    throw new UpError("wrangler is not installed", `run 'npm install' in ${packageRoot}`);
  }

  // 1. State folder.
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UpError(`cannot create the state folder ${stateDir}: ${(err as Error).message}`, "pass --state with a folder you can write to");
  }
  // One control plane per state folder: two workerd processes must never share the SQLite files.
  const releaseLock = lockState(stateDir, port);
  log(`✓ state in ${stateDir}`);

  let token: string;
  let keys: string;
  try {
    // 2. Admin token: made once, reused on every start with the same state.
    const made = adminToken(stateDir);
    token = made.token;
    log(`✓ admin token ${made.created ? "created" : "reused"} (${join(stateDir, "admin-token")})`);
    // 2b. The key Secrets are encrypted under at rest: made once, kept beside the token.
    const enc = encryptionKeys(stateDir);
    keys = enc.value;
    log(`✓ encryption key ${enc.created ? "created" : "reused"} (${enc.path})`);

    // 3. The port must be free: wrangler would otherwise fail late, or another server would answer.
    await ensurePortFree(port);
    if (opts.signal?.aborted) throw new UpError("interrupted while starting", undefined, [], true);
  } catch (err) {
    releaseLock();
    throw err;
  }

  // 4. TLS: kubectl sends bearer tokens only over HTTPS, so the local server speaks it too.
  let tls;
  try {
    tls = await ensureTls(stateDir);
  } catch (err) {
    releaseLock();
    throw new UpError(`cannot create the local TLS certificates: ${(err as Error).message}`, `check that ${stateDir} is writable`);
  }
  log(`✓ TLS certificates in ${tls.dir}`);

  // 5. wrangler dev, in its own process group so that one signal reaches wrangler and workerd.
  const url = `https://127.0.0.1:${port}`;
  log(`… starting control plane on workerd`);
  const args = [
    wrangler,
    "dev",
    "--config", configPath,
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--persist-to", join(stateDir, "workerd"),
    "--inspector-ip", "127.0.0.1",
    "--inspector-port", "0",
    "--show-interactive-dev-session=false",
    "--test-scheduled",
    "--local-protocol", "https",
    "--https-key-path", tls.keyPath,
    "--https-cert-path", tls.certPath,
    "--log-level", debug ? "log" : "warn",
    // The token travels in a 0600 file, not on the command line where `ps` would show it.
    // Naming an env file also keeps wrangler from reading a stray .dev.vars or .env.
    "--env-file", withEncryptionKeys(workerEnvFile(stateDir, token), keys),
    // The CA pods should trust for the API: published as ConfigMap kube-root-ca.crt in every namespace.
    "--var", `KUBE_ROOT_CA_CERT:${tls.caPem.trim()}`,
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: packageRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "true",
      CLOUDFLARE_INCLUDE_PROCESS_ENV: "false",
      WRANGLER_HIDE_BANNER: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
  });
  const output: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? "";
      for (const raw of lines) {
        const line = stripAnsi(raw);
        output.push(line);
        if (output.length > OUTPUT_LINES_KEPT) output.shift();
        onOutput?.(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  let stopping = false;
  let alive = true;
  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.on("exit", (code, signal) => {
      alive = false;
      const expected = stopping;
      // When wrangler dies on its own, workerd (which ignores SIGTERM) may stay behind: clear the group.
      const cleared = expected ? Promise.resolve() : (killGroup(child, "SIGTERM"), waitGroupGone(child, 1_000));
      void cleared.then(() => resolveExit({ code, signal, expected, output: [...output] }));
    });
    child.on("error", (err) => {
      alive = false;
      output.push(`failed to run wrangler: ${err.message}`);
      resolveExit({ code: null, signal: null, expected: stopping, output: [...output] });
    });
  });
  // If this process goes away without stop(), do not leave workerd behind.
  const onProcessExit = () => {
    killGroup(child, "SIGTERM");
    releaseLock();
  };
  process.on("exit", onProcessExit);

  let tick: NodeJS.Timeout | undefined;
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      if (tick) clearInterval(tick);
      if (alive) killGroup(child, "SIGTERM");
      const timedOut = await Promise.race([exited.then(() => false), sleep(3_000, { unref: true }).then(() => true)]);
      if (timedOut) killGroup(child, "SIGKILL");
      await exited;
      // wrangler shuts workerd down as it exits; anything left after that is killed.
      await waitGroupGone(child, 3_000);
      releaseLock();
      process.off("exit", onProcessExit);
    })();
    return stopPromise;
  };

  // 5. Ready when /readyz answers 200 to the admin token.
  try {
    await waitReady(url, token, tls.caPem, readyTimeoutMs, exited, output, opts.signal);
  } catch (err) {
    await stop();
    if (err instanceof UpError && err.aborted) throw err;
    if (err instanceof UpError) throw new UpError(err.message, err.hint ?? diagnose(output, port), [...output]);
    throw err;
  }
  const startupMs = Date.now() - started;
  log(`✓ control plane ready at ${url} (${(startupMs / 1000).toFixed(1)}s)`);

  // 6. kubeconfig.
  try {
    writeKubeconfig(kubeconfigPath, { server: url, token, caPem: tls.caPem });
  } catch (err) {
    await stop();
    throw new UpError(`cannot write the kubeconfig: ${(err as Error).message}`, "pass --kubeconfig with a path you can write to");
  }
  log(`✓ kubeconfig written to ${kubeconfigPath}`);

  // 7. Cron Triggers do not fire under wrangler dev: tick the scheduled handler as production would.
  if (scheduledIntervalMs > 0) {
    tick = setInterval(() => {
      httpRequestText(`${url}/cdn-cgi/handler/scheduled`, {
        headers: { authorization: `Bearer ${token}` },
        ca: tls.caPem,
        signal: AbortSignal.timeout(30_000),
      })
        .then((res) => {
          if (res.status >= 300) onOutput?.(`edgeplane: scheduled tick answered ${res.status}`);
        })
        .catch((err: Error) => onOutput?.(`edgeplane: scheduled tick failed: ${err.message}`));
    }, scheduledIntervalMs);
    tick.unref();
  }

  return {
    url,
    port,
    token,
    caPath: tls.caCertPath,
    caPem: tls.caPem,
    stateDir,
    kubeconfigPath,
    startupMs,
    pid: child.pid ?? -1,
    exited,
    recentOutput: () => [...output],
    stop,
  };
}

/** Fails with an UpError when something already listens on 127.0.0.1:port. */
export function ensurePortFree(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(new UpError(`port ${port} is in use on 127.0.0.1`, `stop whatever listens there, or pass --port with another port`));
      } else if (err.code === "EACCES") {
        reject(new UpError(`not allowed to listen on port ${port}`, "pass --port with a port above 1023"));
      } else {
        reject(new UpError(`cannot listen on 127.0.0.1:${port}: ${err.message}`, "pass --port with another port"));
      }
    });
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolvePort()));
  });
}

async function waitReady(
  url: string,
  token: string,
  ca: string,
  timeoutMs: number,
  exited: Promise<ExitInfo>,
  output: readonly string[],
  abort?: AbortSignal,
): Promise<void> {
  // Anything that ends the wait also cuts short a /readyz request in flight (a Worker that
  // failed to build leaves requests hanging).
  let reason: UpError | undefined;
  const done = new AbortController();
  const finish = (err: UpError) => {
    reason ??= err;
    done.abort();
  };
  const last = { text: "no answer yet" };
  const started = Date.now();
  let errorSeen: number | undefined;
  const monitor = setInterval(() => {
    if (abort?.aborted) finish(new UpError("interrupted while starting", undefined, [], true));
    // wrangler dev keeps running after a build error (it waits for a fix): give up at once,
    // a moment after the first error line so that the rest of the message is collected.
    if (errorSeen === undefined && output.some((l) => /^\s*✘ \[ERROR\]/.test(l))) errorSeen = Date.now();
    if (errorSeen !== undefined && Date.now() - errorSeen > 1_000) {
      finish(new UpError("wrangler reported an error while starting the control plane"));
    }
    if (Date.now() - started > timeoutMs) {
      finish(
        new UpError(
          `the control plane was not ready after ${Math.round(timeoutMs / 100) / 10}s (last /readyz: ${last.text})`,
          "run again with EDGEPLANE_DEBUG=1 to see wrangler's output",
        ),
      );
    }
  }, 100);
  void exited.then((died) => {
    const how = died.signal ? `signal ${died.signal}` : `code ${died.code}`;
    finish(new UpError(`the control plane exited before it was ready (${how})`));
  });
  try {
    while (!reason) {
      try {
        const res = await httpRequestText(`${url}/readyz`, {
          headers: { authorization: `Bearer ${token}` },
          ca,
          signal: AbortSignal.any([done.signal, AbortSignal.timeout(5_000)]),
        });
        const body = res.text;
        if (res.status === 200 && !reason) return;
        last.text = `HTTP ${res.status}: ${body.slice(0, 200)}`;
      } catch (err) {
        if (!reason) last.text = (err as Error).message;
      }
      if (!reason) await sleep(250, { signal: done.signal });
    }
    throw reason;
  } finally {
    clearInterval(monitor);
  }
}

/** A hint for the person from wrangler's last lines. */
function diagnose(output: string[], port: number): string {
  const text = output.join("\n");
  if (/address already in use|EADDRINUSE/i.test(text)) return `port ${port} is in use: pass --port with another port`;
  const logFile = /Logs were written to "([^"]+)"/.exec(text)?.[1];
  return `run again with EDGEPLANE_DEBUG=1 to see all of wrangler's output${logFile ? `; wrangler's log: ${logFile}` : ""}`;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

async function waitGroupGone(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.pid === undefined) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(child.pid)) return;
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      return;
    }
    await sleep(50);
  }
}

/** Whether a process group still has a live (non-zombie) member. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // ESRCH: nothing left in the group
  }
  if (process.platform !== "linux") return true;
  // Zombies stay in the group until init reaps them; they hold no port and no file.
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // exited meanwhile
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
    }
    return false;
  } catch {
    return true;
  }
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function sleep(ms: number, opts: { unref?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  return new Promise((r) => {
    const timer = setTimeout(r, ms);
    if (opts.unref) timer.unref();
    opts.signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      r();
    }, { once: true });
  });
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}
