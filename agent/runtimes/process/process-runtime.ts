// The process runtime: for machines without a container engine, each container's command runs
// as a host process group (no image, no isolation but an optional mount namespace).
//
// Logs and exits: every container gets a monitor (monitor.mjs, as conmon or containerd-shim), a
// small detached Node process that owns the container's stdout and stderr pipes, writes each line
// to the CRI log file as it is read (exact timestamps; stdout and stderr in the order they arrive,
// which for two pipes is as exact as upstream's) and records the exit code. The simpler designs
// fall short across an agent restart: pipes read by the agent break when it exits (the container
// then dies of SIGPIPE), and output sent straight to files loses timestamps and the order of the
// two streams. A monitor costs ~7 MB of private memory per container.
//
// Restarts: sandboxes, containers and the monitors' records live under the state directory
// (state-file.ts), so a new runtime on the same directory lists them again; a container whose
// monitor vanished without recording an exit (SIGKILLed, the machine rebooted) reads as exited
// with code 255, reason "Unknown", so the kubelet starts it again. Pids are checked against
// their start time (proc.ts) before they are signalled.
//
// Not done: resources (no cgroups: limits and requests are ignored), portMappings and dns (every
// pod shares the host's network: its IP is the host's), and a user other than the agent's unless
// the agent runs as root. Mounts are bind-mounted in a private mount namespace when the agent is
// root and has `unshare` (the mount targets are created on the host, as directories or empty
// files); otherwise they are ignored with a warning.
import { createHash, randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStatus,
  type ExecResult,
  type LogOptions,
  type PodSandbox,
  type PodSandboxConfig,
  type RuntimeContext,
  type RuntimeVersion,
} from "../runtime.js";
import { execCommand } from "./exec.js";
import { containerArgv, containerEnv, isRoot, planLaunch, spawnMonitor } from "./launch.js";
import { readContainerLog } from "./log-file.js";
import { isRunning, signalGroup } from "./proc.js";
import { StateDir, type ContainerRecord, type ExitedRecord, type StartedRecord } from "./state-file.js";

export const PROCESS_RUNTIME_VERSION = "0.1.0";
/** How often a pending stop (or follow) looks for an exit the monitor has recorded. */
const EXIT_POLL_MS = 100;

interface Container {
  rec: ContainerRecord;
  started?: StartedRecord;
  exited?: ExitedRecord;
  /** The monitor, when this runtime started it (its exit is a prompt to look). */
  monitor?: ChildProcess;
  starting?: Promise<void>;
  /** Set while a stop is pending: when the process group is killed, and the wait for its exit. */
  stopping?: { deadline: number; timer?: NodeJS.Timeout; done: Promise<void> };
}

interface ExitWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

const newId = () => randomBytes(16).toString("hex");

/** The default state directory of a node's process runtime. */
export const defaultStateDir = (nodeName: string) => join(tmpdir(), `edgeplane-process-${nodeName}`);

export class ProcessRuntime implements ContainerRuntime {
  private readonly files: StateDir;
  private readonly ip: string;
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly waiters = new Map<string, ExitWaiter[]>();
  private readonly logStreams = new Set<Readable>();
  private pollTimer?: NodeJS.Timeout;

  constructor(
    ctx: RuntimeContext,
    private readonly warn: (line: string) => void = (line) => console.warn(line),
  ) {
    this.files = new StateDir(ctx.stateDir ?? defaultStateDir(ctx.nodeName));
    this.ip = ctx.hostIP ?? "127.0.0.1";
    for (const s of this.files.loadSandboxes()) this.sandboxes.set(s.id, s);
    for (const rec of this.files.loadContainers()) this.containers.set(rec.id, { rec });
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: "process", runtimeVersion: PROCESS_RUNTIME_VERSION, runtimeApiVersion: "v1" };
  }

  /** There are no images: every image "exists", named by a digest of its reference. */
  async imageStatus(image: string): Promise<string | undefined> {
    return this.pullImage(image);
  }

  async pullImage(image: string): Promise<string> {
    return `process://sha256:${createHash("sha256").update(image).digest("hex")}`;
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const sandbox: PodSandbox = { id: newId(), config, state: "SANDBOX_READY", createdAt: Date.now(), ip: this.ip };
    this.files.saveSandbox(sandbox);
    this.sandboxes.set(sandbox.id, sandbox);
    return sandbox.id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.rec.id, 0)));
    if (sandbox.state !== "SANDBOX_NOTREADY") {
      sandbox.state = "SANDBOX_NOTREADY";
      this.files.saveSandbox(sandbox);
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    if (!this.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    for (const c of this.containersOf(id)) await this.removeContainer(c.rec.id);
    this.files.removeSandbox(id);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeNotFoundError("pod sandbox", id);
    return { ...s, ip: this.ip };
  }

  async listPodSandboxes(): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()].map((s) => ({ ...s, ip: this.ip }));
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) throw new RuntimeNotFoundError("pod sandbox", sandboxId);
    if (sandbox.state !== "SANDBOX_READY") throw new Error(`pod sandbox ${sandboxId} is not ready`);
    containerArgv(config); // a container without a command cannot run here: say so now
    const rec: ContainerRecord = { id: newId(), sandboxId, config, imageRef: await this.pullImage(config.image), createdAt: Date.now() };
    this.files.createContainer(rec);
    this.containers.set(rec.id, { rec });
    return rec.id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.get(id);
    this.refresh(c);
    if (c.starting || stateOf(c) !== "CONTAINER_CREATED") throw new Error(`container ${id} is not in the created state`);
    if (this.sandboxes.get(c.rec.sandboxId)?.state !== "SANDBOX_READY") throw new Error(`pod sandbox ${c.rec.sandboxId} is not ready`);
    c.starting = this.launch(c).finally(() => (c.starting = undefined));
    await c.starting;
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return Promise.resolve();
    if (c.starting) return c.starting.catch(() => {}).then(() => this.stopContainer(id, timeoutSeconds));
    this.refresh(c);
    const started = c.started;
    if (c.exited || !started) return Promise.resolve();
    const deadline = Date.now() + Math.max(0, timeoutSeconds) * 1000;
    const kill = () => signalGroup(started, "SIGKILL");
    if (c.stopping) {
      // A shorter grace period brings the kill forward; a longer one changes nothing.
      if (deadline < c.stopping.deadline) {
        clearTimeout(c.stopping.timer);
        c.stopping.deadline = deadline;
        c.stopping.timer = deadline <= Date.now() ? (kill(), undefined) : setTimeout(kill, deadline - Date.now());
      }
      return c.stopping.done;
    }
    let timer: NodeJS.Timeout | undefined;
    if (deadline <= Date.now()) kill();
    else {
      signalGroup(started, "SIGTERM");
      timer = setTimeout(kill, deadline - Date.now());
    }
    const stopping: NonNullable<Container["stopping"]> = {
      deadline,
      timer,
      done: this.waitForExit(c).finally(() => {
        clearTimeout(stopping.timer);
        c.stopping = undefined;
      }),
    };
    c.stopping = stopping;
    return stopping.done;
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    await this.stopContainer(id, 0);
    this.files.removeContainer(id);
    this.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(this.get(id));
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const all = [...this.containers.values()];
    return (filter.sandboxId === undefined ? all : this.containersOf(filter.sandboxId)).map((c) => this.statusOf(c));
  }

  async containerLogs(id: string, opts: LogOptions = {}): Promise<Readable> {
    this.get(id);
    const exited = () => {
      const c = this.containers.get(id);
      if (!c) return true;
      this.refresh(c);
      return c.exited !== undefined;
    };
    const stream = readContainerLog(this.files.file(id, "container.log"), opts, exited);
    this.logStreams.add(stream);
    stream.once("close", () => this.logStreams.delete(stream));
    return stream;
  }

  async exec(id: string, command: string[], timeoutSeconds: number): Promise<ExecResult> {
    const c = this.get(id);
    this.refresh(c);
    if (stateOf(c) !== "CONTAINER_RUNNING") throw new Error(`container ${id} is not running`);
    const { config, mountNamespace } = c.rec;
    const workdir = this.files.file(id, "workdir");
    const cwd = config.workingDir || workdir;
    const user = isRoot() ? config.user : undefined;
    return execCommand(
      command,
      { env: containerEnv(config), cwd, hostCwd: mountNamespace ? workdir : cwd, uid: user?.uid, gid: user?.gid, mountNamespaceOf: mountNamespace ? c.started!.pid : undefined },
      timeoutSeconds,
    );
  }

  /** Stops timers and log streams; the processes keep running for the next agent to adopt. */
  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const c of this.containers.values()) clearTimeout(c.stopping?.timer);
    const waiters = [...this.waiters.values()].flat();
    this.waiters.clear();
    for (const w of waiters) w.reject(new Error("the process runtime was closed"));
    for (const s of this.logStreams) s.destroy();
    this.logStreams.clear();
  }

  private async launch(c: Container): Promise<void> {
    const { id } = c.rec;
    try {
      const { spec, mountNamespace } = planLaunch(c.rec, this.files, this.warn);
      c.rec.mountNamespace = mountNamespace;
      this.files.saveContainer(c.rec);
      this.files.saveSpec(id, spec);
      const { started, monitor } = await spawnMonitor(this.files.containerDir(id), this.files.file(id, "monitor.log"));
      c.started = started;
      c.monitor = monitor;
      monitor.once("exit", () => this.refresh(c));
    } catch (err) {
      // As containerd: a container that could not start has exited, with 128 and StartError.
      const message = err instanceof Error ? err.message : String(err);
      c.exited = { exitCode: 128, finishedAt: Date.now(), reason: "StartError", message };
      this.files.saveExited(id, c.exited);
      throw new Error(`failed to start container "${c.rec.config.name}": ${message}`);
    }
  }

  /** Brings what the runtime knows of a container up to date with its monitor's records and /proc. */
  private refresh(c: Container): void {
    if (c.exited || c.starting) return;
    const { id } = c.rec;
    c.exited = this.files.exited(id);
    c.started ??= this.files.started(id);
    if (!c.exited && c.started && !isRunning(c.started.monitor) && !isRunning(c.started)) {
      // The monitor may have recorded the exit between the first look and now.
      c.exited = this.files.exited(id) ?? { exitCode: 255, finishedAt: Date.now(), reason: "Unknown", message: "the container's monitor went away without recording its exit" };
      this.files.saveExited(id, c.exited);
    }
    if (c.exited) this.settle(id, (w) => w.resolve());
  }

  private waitForExit(c: Container): Promise<void> {
    this.refresh(c);
    if (c.exited) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const list = this.waiters.get(c.rec.id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(c.rec.id, list);
      this.pollTimer ??= setInterval(() => {
        for (const id of this.waiters.keys()) {
          const w = this.containers.get(id);
          if (w) this.refresh(w);
          else this.settle(id, (x) => x.resolve());
        }
      }, EXIT_POLL_MS);
    });
  }

  private settle(id: string, how: (w: ExitWaiter) => void): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const w of list) how(w);
    if (this.waiters.size === 0) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private get(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeNotFoundError("container", id);
    return c;
  }

  private containersOf(sandboxId: string): Container[] {
    return [...this.containers.values()].filter((c) => c.rec.sandboxId === sandboxId);
  }

  private statusOf(c: Container): ContainerStatus {
    this.refresh(c);
    const { rec, started, exited } = c;
    return {
      id: rec.id,
      sandboxId: rec.sandboxId,
      name: rec.config.name,
      image: rec.config.image,
      imageRef: rec.imageRef,
      state: stateOf(c),
      createdAt: rec.createdAt,
      startedAt: started?.startedAt ?? 0,
      finishedAt: exited?.finishedAt ?? 0,
      exitCode: exited?.exitCode ?? 0,
      reason: exited?.reason,
      message: exited?.message,
      labels: rec.config.labels,
    };
  }
}

function stateOf(c: Container): ContainerState {
  if (c.exited) return "CONTAINER_EXITED";
  return c.started ? "CONTAINER_RUNNING" : "CONTAINER_CREATED";
}
