// The simulated runtime (as kwok's): no processes, only the bookkeeping a runtime keeps.
// A started container runs at once and forever, an init container completes at once with
// exit code 0, and a stopped container behaves as a process that ignores SIGTERM: it exits
// (137, killed) when the grace period ends. Pods get addresses from the node's pod CIDR.
// Nothing survives the agent: after a restart the kubelet starts the pods again.
import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { PodIPAllocator } from "../network/ipam.js";
import {
  NotSupportedError,
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecResult,
  type PodSandbox,
  type PodSandboxConfig,
  type RuntimeContext,
  type RuntimeDescriptor,
  type RuntimeVersion,
} from "./runtime.js";

export const SIMULATED_RUNTIME_VERSION = "0.1.0";

interface Container {
  status: ContainerStatus;
  kind: ContainerConfig["kind"];
  /** Set while a stop is pending: when the container is killed, and who waits for it. */
  stopping?: { deadline: number; timer: NodeJS.Timeout; waiters: Array<() => void> };
}

const newId = () => randomBytes(16).toString("hex");

export class SimulatedRuntime implements ContainerRuntime {
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly ipam: PodIPAllocator;

  constructor(
    ctx: RuntimeContext,
    private readonly now: () => number = Date.now,
  ) {
    this.ipam = new PodIPAllocator(ctx.podCIDR);
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: "simulated", runtimeVersion: SIMULATED_RUNTIME_VERSION, runtimeApiVersion: "v1" };
  }

  async imageStatus(image: string): Promise<string | undefined> {
    return this.pullImage(image);
  }

  async pullImage(image: string): Promise<string> {
    return `sha256:${createHash("sha256").update(image).digest("hex")}`;
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    const ip = config.hostNetwork ? undefined : this.ipam.allocate();
    this.sandboxes.set(id, { id, config, state: "SANDBOX_READY", createdAt: this.now(), ip });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    for (const c of this.containers.values()) if (c.status.sandboxId === id) this.exit(c, 137, "Error");
    if (sandbox.state === "SANDBOX_READY" && sandbox.ip) this.ipam.release(sandbox.ip);
    sandbox.state = "SANDBOX_NOTREADY";
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const [cid, c] of this.containers) if (c.status.sandboxId === id) this.containers.delete(cid);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeNotFoundError("pod sandbox", id);
    return { ...s };
  }

  async listPodSandboxes(): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) throw new RuntimeNotFoundError("pod sandbox", sandboxId);
    if (sandbox.state !== "SANDBOX_READY") throw new Error(`pod sandbox ${sandboxId} is not ready`);
    const id = newId();
    const status: ContainerStatus = {
      id,
      sandboxId,
      name: config.name,
      image: config.image,
      imageRef: await this.pullImage(config.image),
      state: "CONTAINER_CREATED",
      createdAt: this.now(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      labels: config.labels,
    };
    this.containers.set(id, { status, kind: config.kind });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.get(id);
    if (c.status.state !== "CONTAINER_CREATED") throw new Error(`container ${id} is not in the created state`);
    c.status.state = "CONTAINER_RUNNING";
    c.status.startedAt = this.now();
    if (c.kind === "init") this.exit(c, 0, "Completed");
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || c.status.state !== "CONTAINER_RUNNING") {
      if (c && c.status.state === "CONTAINER_CREATED") this.exit(c, 0, "Completed");
      return Promise.resolve();
    }
    const deadline = this.now() + Math.max(0, timeoutSeconds) * 1000;
    return new Promise<void>((resolve) => {
      if (c.stopping && c.stopping.deadline <= deadline) {
        c.stopping.waiters.push(resolve);
        return;
      }
      const waiters = c.stopping?.waiters ?? [];
      if (c.stopping) clearTimeout(c.stopping.timer);
      waiters.push(resolve);
      const delay = Math.max(0, deadline - this.now());
      if (delay === 0) {
        c.stopping = undefined;
        this.exit(c, 137, "Error");
        for (const w of waiters) w();
        return;
      }
      const timer = setTimeout(() => {
        c.stopping = undefined;
        this.exit(c, 137, "Error");
        for (const w of waiters) w();
      }, delay);
      c.stopping = { deadline, timer, waiters };
    });
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.exit(c, 137, "Error");
    this.containers.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return { ...this.get(id).status };
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      if (filter.sandboxId === undefined || c.status.sandboxId === filter.sandboxId) out.push({ ...c.status });
    }
    return out;
  }

  async containerLogs(): Promise<Readable> {
    throw new NotSupportedError("the simulated runtime runs no processes, so its containers have no logs");
  }

  /** Nothing runs, so every command succeeds at once (exec probes of simulated pods pass). */
  async exec(id: string): Promise<ExecResult> {
    this.get(id);
    return { exitCode: 0, output: "", timedOut: false };
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) {
      if (c.stopping) clearTimeout(c.stopping.timer);
      const waiters = c.stopping?.waiters ?? [];
      c.stopping = undefined;
      for (const w of waiters) w();
    }
    this.containers.clear();
    this.sandboxes.clear();
  }

  private get(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeNotFoundError("container", id);
    return c;
  }

  /** The container's process ends (a no-op for one that has already). */
  private exit(c: Container, exitCode: number, reason: string): void {
    if (c.status.state === "CONTAINER_EXITED") return;
    if (c.stopping) {
      clearTimeout(c.stopping.timer);
      const waiters = c.stopping.waiters;
      c.stopping = undefined;
      for (const w of waiters) w();
    }
    c.status.state = "CONTAINER_EXITED";
    c.status.exitCode = exitCode;
    c.status.reason = reason;
    c.status.finishedAt = this.now();
  }
}

export const simulatedRuntime: RuntimeDescriptor = {
  name: "simulated",
  description: "no containers: pods run at once; one process can simulate many nodes (like kwok)",
  multiNode: true,
  simulatedAddresses: true,
  create: (ctx) => new SimulatedRuntime(ctx),
};
