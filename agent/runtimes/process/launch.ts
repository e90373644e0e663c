// From a container's config to a running process: the command looked up on PATH, the
// environment, the working directory, the user, the volume mounts, and the monitor that runs it
// all. Failures here are the ones upstream's runtimes report at StartContainer.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, chownSync, closeSync, constants, openSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ContainerConfig, Mount } from "../runtime.js";
import type { ContainerRecord, MonitorSpec, StartedRecord, StateDir } from "./state-file.js";

const MONITOR = fileURLToPath(new URL("./monitor.mjs", import.meta.url));
const MONITOR_REPORT_TIMEOUT_MS = 10_000;
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The container's argv: command then args (a host process has no image to supply either). */
export function containerArgv(config: ContainerConfig): string[] {
  const argv = [...(config.command ?? []), ...(config.args ?? [])];
  if (argv.length === 0) {
    throw new Error(`container "${config.name}" has no command: the process runtime runs no images, so it needs the container's command (or args)`);
  }
  return argv;
}

/** The environment exactly as configured, plus the agent's PATH when the config sets none. */
export function containerEnv(config: ContainerConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of config.env ?? []) env[e.name] = e.value;
  if (!Object.hasOwn(env, "PATH")) env.PATH = process.env.PATH ?? DEFAULT_PATH;
  return env;
}

/**
 * The executable's absolute path (as exec(3) would find it), or an Error worded as runc's.
 * `onHost` maps a path as the process will see it to where it is now (through its mounts).
 */
export function lookPath(file: string, path: string, cwd: string, onHost: (p: string) => string = (p) => p): string {
  const candidates = file.includes("/") ? [resolve(cwd, file)] : path.split(delimiter).filter((d) => d !== "").map((d) => join(resolve(cwd, d), file));
  for (const c of candidates) if (isExecutableFile(onHost(c))) return c;
  throw new Error(file.includes("/") ? `exec: "${file}": stat ${candidates[0]}: no such file or executable` : `exec: "${file}": executable file not found in $PATH`);
}

/** Finds a host tool (unshare, nsenter…) on the agent's PATH. */
export function hostTool(name: string): string | undefined {
  try {
    return lookPath(name, process.env.PATH ?? DEFAULT_PATH, "/");
  } catch {
    return undefined;
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export interface Launch {
  spec: MonitorSpec;
  /** Whether the process gets its own mount namespace for the container's mounts. */
  mountNamespace: boolean;
}

/**
 * What the monitor will run. Mounts need a mount namespace: as root with `unshare`, a shell
 * prelude bind-mounts them there and then execs the command; otherwise they are ignored (`warn`).
 */
export function planLaunch(rec: ContainerRecord, files: StateDir, warn: (line: string) => void): Launch {
  const { config } = rec;
  const [file, ...rest] = containerArgv(config);
  const env = containerEnv(config);
  const defaultDir = files.file(rec.id, "workdir");
  const cwd = config.workingDir || defaultDir;
  const mounts = (config.mounts ?? []).filter((m) => m.readOnly || resolve(m.hostPath) !== resolve(m.containerPath));
  const user = isRoot() && config.user && (config.user.uid !== undefined || config.user.gid !== undefined) ? config.user : undefined;
  if (user && !config.workingDir) chownSync(defaultDir, user.uid ?? 0, user.gid ?? 0);

  // Mounting needs root; dropping to the container's user after mounting needs setpriv.
  const unshare = mounts.length > 0 && isRoot() ? hostTool("unshare") : undefined;
  const setpriv = user ? hostTool("setpriv") : undefined;
  const isolate = unshare !== undefined && (!user || setpriv !== undefined);
  if (mounts.length > 0 && !isolate) {
    warn(`container "${config.name}": its ${mounts.length} mount(s) are ignored: the process runtime needs root and unshare${user ? " and setpriv" : ""} to mount volumes`);
  }
  // Inside the namespace the working directory may lie in a volume: look for it through the mounts.
  const hostCwd = isolate ? toHostPath(cwd, mounts) : cwd;
  if (!isDirectory(hostCwd)) throw new Error(`working directory "${cwd}" does not exist: chdir ${cwd}: no such file or directory`);
  const exe = lookPath(file, env.PATH, cwd, isolate ? (p) => toHostPath(p, mounts) : undefined);
  const termination = config.terminationMessagePath ? (isolate ? toHostPath(config.terminationMessagePath, mounts) : config.terminationMessagePath) : undefined;
  const base = { env, logPath: files.file(rec.id, "container.log"), terminationMessagePath: termination };

  if (!isolate) {
    return { mountNamespace: false, spec: { ...base, argv: [exe, ...rest], cwd, uid: user?.uid, gid: user?.gid } };
  }
  for (const m of mounts) {
    if (!exists(m.hostPath)) throw new Error(`invalid mount for "${m.containerPath}": bind source path does not exist: ${m.hostPath}`);
  }
  const prelude = [
    "set -e",
    ...mounts.flatMap(mountCommands),
    `cd ${quote(cwd)}`,
    user ? `exec ${quote(setpriv!)} --reuid=${user.uid ?? 0} --regid=${user.gid ?? 0} --clear-groups -- "$@"` : 'exec "$@"',
  ].join("\n");
  return {
    mountNamespace: true,
    spec: { ...base, argv: [unshare!, "--mount", "--propagation", "private", "/bin/sh", "-c", prelude, "sh", exe, ...rest], cwd: defaultDir },
  };
}

/** Starts the container's monitor and waits for it to say the process runs (or why it does not). */
export function spawnMonitor(dir: string, monitorLog: string): Promise<{ started: StartedRecord; monitor: ChildProcess }> {
  const errFd = openSync(monitorLog, "a");
  // Its own session: the agent's terminal or service stopping does not signal it. A bare
  // environment: the agent's NODE_OPTIONS (loaders, inspectors) are not the monitor's business.
  const monitor = spawn(process.execPath, [MONITOR, dir], { detached: true, stdio: ["ignore", "pipe", errFd], env: { PATH: process.env.PATH ?? DEFAULT_PATH } });
  closeSync(errFd);
  return new Promise((resolvePromise, reject) => {
    let out = "";
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      monitor.stdout?.destroy();
      monitor.unref();
      fn();
    };
    const timer = setTimeout(() => {
      monitor.kill("SIGKILL");
      settle(() => reject(new Error(`the container's monitor did not report within ${MONITOR_REPORT_TIMEOUT_MS / 1000}s`)));
    }, MONITOR_REPORT_TIMEOUT_MS);
    monitor.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl === -1) return;
      const msg = JSON.parse(out.slice(0, nl)) as StartedRecord | { error: string };
      settle(() => ("error" in msg ? reject(new Error(msg.error)) : resolvePromise({ started: msg, monitor })));
    });
    monitor.on("error", (err) => settle(() => reject(err)));
    monitor.on("exit", (code) => {
      const why = readTail(monitorLog);
      settle(() => reject(new Error(`the container's monitor exited (${code}) before the process started${why ? `: ${why}` : ""}`)));
    });
  });
}

/** The shell lines that bind one mount (creating its target, as runc does) and make it read-only when asked. */
function mountCommands(m: Mount): string[] {
  const target = quote(m.containerPath);
  const make = isDirectory(m.hostPath) ? [`mkdir -p ${target}`] : [`mkdir -p ${quote(dirname(m.containerPath))}`, `[ -e ${target} ] || : > ${target}`];
  const bind = [`mount --bind ${quote(m.hostPath)} ${target}`];
  return [...make, ...bind, ...(m.readOnly ? [`mount -o remount,bind,ro ${target}`] : [])];
}

/** A path as the container sees it, translated to the host through the mount it lies in (the innermost). */
export function toHostPath(path: string, mounts: Mount[]): string {
  const abs = isAbsolute(path) ? path : resolve("/", path);
  let best: Mount | undefined;
  for (const m of mounts) {
    const c = resolve(m.containerPath);
    if ((abs === c || abs.startsWith(`${c}/`)) && (!best || c.length > resolve(best.containerPath).length)) best = m;
  }
  return best ? join(best.hostPath, abs.slice(resolve(best.containerPath).length)) : abs;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function readTail(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-3).join(" ");
  } catch {
    return "";
  }
}
