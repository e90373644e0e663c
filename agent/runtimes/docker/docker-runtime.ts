// The docker runtime: pods as containers of a Docker Engine API (Docker, or Podman's compatible
// service), as dockershim ran them: an infra container per sandbox holds the pod's network, app
// containers join it. Everything is recorded in the containers' labels, so the runtime keeps no
// state and a restarted agent finds its pods; a node sees only containers labelled with its name.
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import {
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecResult,
  type LogOptions,
  type PodSandbox,
  type PodSandboxConfig,
  type RuntimeContext,
  type RuntimeVersion,
} from "../runtime.js";
import { containerCreateBody, sandboxCreateBody } from "./create-config.js";
import { EngineClient, engineInfo, isNotFound, readAll, type EngineInfo } from "./engine-client.js";
import { execInContainer } from "./exec.js";
import { imagePath, imageStatus, pullImage } from "./images.js";
import { appContainerName, containerNameFromLabels, NODE_LABEL, SANDBOX_ID_LABEL, SANDBOX_LABEL, sandboxContainerName, TERMINATION_MESSAGE_PATH_LABEL } from "./labels.js";
import { openLogs } from "./logs.js";
import { DEFAULT_NETWORK, ensurePodNetwork, podNetworkName } from "./network.js";
import { ensurePauseImage, pauseImageFor } from "./pause-image.js";
import { containerStatusFrom, engineTime, sandboxFrom, type ContainerInspect } from "./status.js";
import { firstFileOfTar } from "./tar.js";

/** At most this much of a termination message is kept (upstream's limit). */
const MAX_TERMINATION_MESSAGE = 4096;

/** A pending stop: when the kill is due, and the stop everyone waits on. */
interface Stop {
  deadline: number;
  timer?: NodeJS.Timeout;
  done: Promise<void>;
}

interface ContainerSummary {
  Id: string;
  Labels: Record<string, string> | null;
  /** created, running, exited… (what the list says; an inspect is only needed when it changes). */
  State?: string;
}

export class DockerRuntime implements ContainerRuntime {
  readonly engine: EngineClient;
  private info?: Promise<EngineInfo>;
  /** The last inspect of each container, with the list state it was made in. */
  private readonly inspected = new Map<string, { state: string; inspect: ContainerInspect }>();
  private network?: Promise<string>;
  private pause?: Promise<{ image: string; command: string[] }>;
  private readonly stops = new Map<string, Stop>();
  /** Termination messages of exited containers, read once (an exited container's files do not change). */
  private readonly messages = new Map<string, string>();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly warn: (msg: string) => void = (msg) => console.warn(`docker runtime: ${msg}`),
  ) {
    this.engine = new EngineClient(ctx.endpoint);
  }

  private engineInfo(): Promise<EngineInfo> {
    return (this.info ??= engineInfo(this.engine).catch((err) => {
      this.info = undefined;
      throw err;
    }));
  }

  async version(): Promise<RuntimeVersion> {
    const info = await this.engineInfo();
    return { runtimeName: info.name, runtimeVersion: info.version, runtimeApiVersion: info.apiVersion };
  }

  // ImageService

  imageStatus(image: string): Promise<string | undefined> {
    return imageStatus(this.engine, image);
  }

  pullImage(image: string): Promise<string> {
    return pullImage(this.engine, image);
  }

  // Sandboxes

  private podNetwork(): Promise<string> {
    return (this.network ??= ensurePodNetwork(this.engine, this.ctx.nodeName, this.ctx.podCIDR, this.warn).catch((err) => {
      this.network = undefined;
      throw err;
    }));
  }

  private pauseImage(): Promise<{ image: string; command: string[] }> {
    return (this.pause ??= (async () => {
      const image = await pauseImageFor((await this.engineInfo()).arch);
      return { image: await ensurePauseImage(this.engine, image), command: image.command };
    })().catch((err) => {
      this.pause = undefined;
      throw err;
    }));
  }

  /** Creates a container, under another name when the first is taken (an earlier attempt left one). */
  private async create(name: (unique: boolean) => string, body: Record<string, unknown>): Promise<string> {
    try {
      return (await this.engine.json<{ Id: string }>("POST", "/containers/create", { query: { name: name(false) }, body })).Id;
    } catch (err) {
      // Docker answers 409 for a name in use, Podman 500: look whether the name is taken.
      const taken = await this.engine.json("GET", `/containers/${encodeURIComponent(name(false))}/json`).then(
        () => true,
        () => false,
      );
      if (!taken) throw err;
      return (await this.engine.json<{ Id: string }>("POST", "/containers/create", { query: { name: name(true) }, body })).Id;
    }
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const createInfra = async () => {
      const [{ image, command }, network] = await Promise.all([this.pauseImage(), config.hostNetwork ? DEFAULT_NETWORK : this.podNetwork()]);
      const body = sandboxCreateBody(config, { nodeName: this.ctx.nodeName, image, command, network });
      return this.create((unique) => sandboxContainerName(config, unique), body);
    };
    let id: string;
    try {
      id = await createInfra();
    } catch {
      // The pause image or the network may have been removed behind our back: make them again, once.
      this.pause = this.network = undefined;
      id = await createInfra();
    }
    try {
      await this.engine.json("POST", `/containers/${id}/start`);
    } catch (err) {
      await this.engine.json("DELETE", `/containers/${id}`, { query: { force: 1 } }).catch(() => {});
      throw err;
    }
    return id;
  }

  /** Inspects a container this node owns; RuntimeNotFoundError for one it does not (or a missing one). */
  private async inspect(what: "pod sandbox" | "container", id: string): Promise<ContainerInspect> {
    let c: ContainerInspect;
    try {
      c = await this.engine.json<ContainerInspect>("GET", `/containers/${encodeURIComponent(id)}/json`);
    } catch (err) {
      if (isNotFound(err)) throw new RuntimeNotFoundError(what, id);
      throw err;
    }
    const labels = c.Config.Labels ?? {};
    const isSandbox = labels[SANDBOX_LABEL] === "true";
    if (labels[NODE_LABEL] !== this.ctx.nodeName || isSandbox !== (what === "pod sandbox")) throw new RuntimeNotFoundError(what, id);
    return c;
  }

  /** The ids of this node's containers carrying all of `labels`. */
  private async list(labels: string[]): Promise<ContainerSummary[]> {
    const filters = JSON.stringify({ label: [`${NODE_LABEL}=${this.ctx.nodeName}`, ...labels] });
    return this.engine.json<ContainerSummary[]>("GET", "/containers/json", { query: { all: 1, filters } });
  }

  /**
   * Inspects each, leaving out those removed meanwhile. What an inspect says does not change while
   * the container stays in one state, so a container the list shows in the state it had at its
   * last inspect is not inspected again: the PLEG's relist every second costs one list call.
   */
  private async inspectAll(found: ContainerSummary[], what: "pod sandbox" | "container"): Promise<ContainerInspect[]> {
    const out = await Promise.all(
      found.map(async (summary) => {
        const cached = this.inspected.get(summary.Id);
        if (cached && summary.State && cached.state === summary.State) return cached.inspect;
        const c = await this.inspect(what, summary.Id).catch((err) => (err instanceof RuntimeNotFoundError ? undefined : Promise.reject(err)));
        if (c && summary.State) this.inspected.set(summary.Id, { state: summary.State, inspect: c });
        return c;
      }),
    );
    return out.filter((c): c is ContainerInspect => c !== undefined);
  }

  private async networkName(): Promise<string> {
    return this.network ? this.network.catch(() => podNetworkName(this.ctx.nodeName)) : podNetworkName(this.ctx.nodeName);
  }

  async stopPodSandbox(id: string): Promise<void> {
    const containers = await this.list([`${SANDBOX_ID_LABEL}=${id}`]);
    await Promise.all(containers.map((c) => this.stop("container", c.Id, 0)));
    // The pause process ignores SIGTERM: kill it at once.
    await this.stop("pod sandbox", id, 0);
  }

  async removePodSandbox(id: string): Promise<void> {
    const containers = await this.list([`${SANDBOX_ID_LABEL}=${id}`]);
    await Promise.all(containers.map((c) => this.removeContainer(c.Id)));
    try {
      await this.inspect("pod sandbox", id);
    } catch (err) {
      if (err instanceof RuntimeNotFoundError) return;
      throw err;
    }
    await this.remove(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    return sandboxFrom(await this.inspect("pod sandbox", id), await this.networkName());
  }

  async listPodSandboxes(): Promise<PodSandbox[]> {
    const found = await this.list([`${SANDBOX_LABEL}=true`]);
    const network = await this.networkName();
    return (await this.inspectAll(found, "pod sandbox")).map((c) => sandboxFrom(c, network));
  }

  // Containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const infra = await this.inspect("pod sandbox", sandboxId);
    const sandbox = sandboxFrom(infra, await this.networkName());
    if (sandbox.state !== "SANDBOX_READY") throw new Error(`pod sandbox ${sandboxId} is not ready`);
    const siblings = await this.list([`${SANDBOX_ID_LABEL}=${infra.Id}`]);
    const attempt = siblings.filter((c) => containerNameFromLabels(c.Labels ?? {}) === config.name).length;
    let imageUser: string | undefined;
    if (config.user?.gid !== undefined && config.user.uid === undefined) {
      imageUser = await this.engine.json<{ Config?: { User?: string } }>("GET", imagePath(config.image)).then((i) => i.Config?.User, () => undefined);
    }
    const podman = (await this.engineInfo()).name === "podman";
    const body = containerCreateBody(config, {
      nodeName: this.ctx.nodeName,
      sandboxId: infra.Id,
      sandbox: sandbox.config,
      hostname: podman && !sandbox.config.hostNetwork ? sandbox.config.hostname || undefined : undefined,
      imageUser,
    });
    return this.create((unique) => appContainerName(sandbox.config, config, attempt, unique), body);
  }

  async startContainer(id: string): Promise<void> {
    await this.inspect("container", id);
    try {
      await this.engine.json("POST", `/containers/${encodeURIComponent(id)}/start`);
    } catch (err) {
      // Podman may fail after starting a process that exits at once (its cgroup is gone when it looks): it did start.
      const c = await this.engine.json<ContainerInspect>("GET", `/containers/${encodeURIComponent(id)}/json`).catch(() => undefined);
      if (c && engineTime(c.State.StartedAt) !== 0) return;
      throw err;
    }
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    return this.stop("container", id, timeoutSeconds);
  }

  private stop(what: "pod sandbox" | "container", id: string, timeoutSeconds: number): Promise<void> {
    const t = Math.max(0, Math.floor(timeoutSeconds));
    const deadline = Date.now() + t * 1000;
    const pending = this.stops.get(id);
    if (pending) {
      // Already stopping: a shorter grace brings the kill forward.
      if (deadline < pending.deadline) {
        pending.deadline = deadline;
        clearTimeout(pending.timer);
        pending.timer = setTimeout(() => void this.kill(id), Math.max(0, deadline - Date.now()));
      }
      return pending.done;
    }
    const stop: Stop = { deadline, done: Promise.resolve() };
    stop.done = this.stopNow(what, id, t).finally(() => {
      clearTimeout(stop.timer);
      this.stops.delete(id);
    });
    this.stops.set(id, stop);
    return stop.done;
  }

  /** `POST /stop` (SIGTERM, SIGKILL after t) answers once the container has exited. Nothing for one missing or not running. */
  private async stopNow(what: "pod sandbox" | "container", id: string, t: number): Promise<void> {
    try {
      if (!(await this.inspect(what, id)).State.Running) return;
    } catch (err) {
      if (err instanceof RuntimeNotFoundError) return;
      throw err;
    }
    try {
      await this.engine.json("POST", `/containers/${encodeURIComponent(id)}/stop`, { query: { t }, timeoutMs: (t + 60) * 1000 });
    } catch (err) {
      if (isNotFound(err)) return;
      // Refused (exited meanwhile, being removed…): fine if it is not running.
      const state = await this.engine.json<ContainerInspect>("GET", `/containers/${encodeURIComponent(id)}/json`).catch(() => undefined);
      if (!state?.State.Running) return;
      throw err;
    }
  }

  private async kill(id: string): Promise<void> {
    await this.engine.json("POST", `/containers/${encodeURIComponent(id)}/kill`, { query: { signal: "KILL" } }).catch(() => {});
  }

  private async remove(id: string): Promise<void> {
    this.messages.delete(id);
    this.inspected.delete(id);
    try {
      await this.engine.json("DELETE", `/containers/${encodeURIComponent(id)}`, { query: { force: 1, v: 1 } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.inspect("container", id);
    } catch (err) {
      if (err instanceof RuntimeNotFoundError) return;
      throw err;
    }
    await this.remove(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(await this.inspect("container", id));
  }

  private async statusOf(c: ContainerInspect): Promise<ContainerStatus> {
    const status = containerStatusFrom(c);
    if (status.state !== "CONTAINER_EXITED") return status;
    const message = await this.terminationMessage(c);
    return message ? containerStatusFrom(c, message) : status;
  }

  /** The file at terminationMessagePath: the host file mounted there, else read out of the exited container; best effort. */
  private async terminationMessage(c: ContainerInspect): Promise<string | undefined> {
    const path = c.Config.Labels?.[TERMINATION_MESSAGE_PATH_LABEL];
    if (!path) return undefined;
    const known = this.messages.get(c.Id);
    if (known !== undefined) return known;
    // The kubelet bind-mounts a host file there (as upstream does): read it on the host.
    const hostFile = c.Mounts?.find((m) => m.Destination === path)?.Source;
    if (hostFile) {
      const message = await readHead(hostFile, MAX_TERMINATION_MESSAGE);
      if (message !== undefined) this.messages.set(c.Id, message);
      return message;
    }
    // Podman answers an empty body while it is still cleaning the exited container up: ask again shortly.
    for (let attempt = 0; attempt < 10; attempt++) {
      let tar: Buffer;
      try {
        const res = await this.engine.request("GET", `/containers/${encodeURIComponent(c.Id)}/archive`, { query: { path }, timeoutMs: 10_000 });
        tar = await readAll(res, MAX_TERMINATION_MESSAGE + 1024);
      } catch (err) {
        if (!isNotFound(err)) return undefined; // best effort: the next status asks again
        this.messages.set(c.Id, ""); // no such file
        return "";
      }
      if (tar.length > 0) {
        const message = firstFileOfTar(tar, MAX_TERMINATION_MESSAGE)?.toString("utf8") ?? "";
        this.messages.set(c.Id, message);
        return message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  /** Drops what is cached of containers the engine no longer has (removed by someone else, or a reset engine). */
  private forgetAllBut(ids: Set<string>): void {
    for (const id of this.inspected.keys()) if (!ids.has(id)) this.inspected.delete(id);
    for (const id of this.messages.keys()) if (!ids.has(id)) this.messages.delete(id);
  }

  async listContainers(filter: { sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const found = await this.list(filter.sandboxId !== undefined ? [`${SANDBOX_ID_LABEL}=${filter.sandboxId}`] : []);
    if (filter.sandboxId === undefined) this.forgetAllBut(new Set(found.map((c) => c.Id)));
    const apps = found.filter((c) => c.Labels?.[SANDBOX_LABEL] !== "true");
    return Promise.all((await this.inspectAll(apps, "container")).map((c) => this.statusOf(c)));
  }

  async containerLogs(id: string, opts: LogOptions = {}): Promise<Readable> {
    const c = await this.inspect("container", id);
    return openLogs(this.engine, c.Id, !!c.Config.Tty, opts);
  }

  async exec(id: string, command: string[], timeoutSeconds: number): Promise<ExecResult> {
    const c = await this.inspect("container", id);
    return execInContainer(this.engine, c.Id, command, timeoutSeconds);
  }

  async close(): Promise<void> {
    for (const s of this.stops.values()) clearTimeout(s.timer);
    this.engine.close();
  }
}

/** The first `limit` bytes of a host file as text; undefined when it cannot be read. */
async function readHead(path: string, limit: number): Promise<string | undefined> {
  try {
    const fh = await open(path, "r");
    try {
      const buf = Buffer.alloc(limit);
      const { bytesRead } = await fh.read(buf, 0, limit, 0);
      return buf.subarray(0, bytesRead).toString("utf8");
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
