// The engine's view of a container (`GET /containers/{id}/json`) in CRI's terms: the state, the
// times, and the reason upstream's dockershim gave (OOMKilled, Completed, Error, ContainerCannotRun);
// for an infra container, the sandbox with its config read back from its labels.
import type { ContainerState, ContainerStatus, PodSandbox } from "../runtime.js";
import { containerNameFromLabels, SANDBOX_ID_LABEL, sandboxConfigFromLabels, userLabels } from "./labels.js";

export interface ContainerInspect {
  Id: string;
  Name?: string;
  Created: string;
  /** The image's id (`sha256:…`). */
  Image: string;
  Config: { Image: string; Labels: Record<string, string> | null; Tty?: boolean };
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    OOMKilled?: boolean;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
  };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string } | null> | null };
  HostConfig?: { NetworkMode?: string };
  /** Bind mounts: Source on the host, Destination in the container. */
  Mounts?: Array<{ Source?: string; Destination?: string }> | null;
}

/** Unix milliseconds of an engine time; 0 for Go's zero time (`0001-01-01T00:00:00Z`) or none. */
export function engineTime(text: string | undefined): number {
  if (!text || text.startsWith("0001-01-01")) return 0;
  // Date.parse wants at most milliseconds; the engine gives nanoseconds.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) || ms < 0 ? 0 : ms;
}

/** `sha256:<hex>`, whether or not the engine put the algorithm in front. */
export function imageRef(id: string): string {
  return id.includes(":") ? id : `sha256:${id}`;
}

const RUNNING = new Set(["running", "paused", "restarting"]);
const EXITED = new Set(["exited", "stopped", "dead"]);
// Podman's names for a container made but never started.
const CREATED = new Set(["created", "configured", "initialized"]);

export function containerStatusFrom(c: ContainerInspect, terminationMessage?: string): ContainerStatus {
  const labels = c.Config.Labels ?? {};
  const createdAt = engineTime(c.Created);
  let startedAt = engineTime(c.State.StartedAt);
  // Podman may date the end a moment before the start of a process that exits at once.
  let finishedAt = engineTime(c.State.FinishedAt);
  if (finishedAt !== 0 && finishedAt < startedAt) finishedAt = startedAt;
  const status = c.State.Status?.toLowerCase() ?? "";
  let state: ContainerState;
  let reason: string | undefined;
  let message: string | undefined;
  if (c.State.Running || RUNNING.has(status)) {
    state = "CONTAINER_RUNNING";
  } else if (finishedAt !== 0) {
    // It ran and exited.
    state = "CONTAINER_EXITED";
    reason = c.State.OOMKilled ? "OOMKilled" : c.State.ExitCode === 0 ? "Completed" : "Error";
  } else if (c.State.ExitCode !== 0 || EXITED.has(status)) {
    // It never started (a missing executable…): dockershim dates both times at creation.
    state = "CONTAINER_EXITED";
    startedAt = finishedAt = createdAt;
    reason = "ContainerCannotRun";
  } else {
    state = CREATED.has(status) ? "CONTAINER_CREATED" : "CONTAINER_UNKNOWN";
  }
  if (state === "CONTAINER_EXITED") message = terminationMessage || c.State.Error || undefined;
  const out: ContainerStatus = {
    id: c.Id,
    sandboxId: labels[SANDBOX_ID_LABEL] ?? "",
    name: containerNameFromLabels(labels),
    image: c.Config.Image,
    imageRef: imageRef(c.Image),
    state,
    createdAt,
    startedAt,
    finishedAt,
    exitCode: state === "CONTAINER_EXITED" ? c.State.ExitCode : 0,
    labels: userLabels(labels),
  };
  if (reason) out.reason = reason;
  if (message) out.message = message;
  return out;
}

/** The address the infra container has on `network` (or on whichever network it is on). */
export function containerIP(c: ContainerInspect, network: string): string | undefined {
  const nets = c.NetworkSettings?.Networks ?? {};
  const ip = nets[network]?.IPAddress || c.NetworkSettings?.IPAddress || Object.values(nets).find((n) => n?.IPAddress)?.IPAddress;
  return ip || undefined;
}

export function sandboxFrom(c: ContainerInspect, network: string): PodSandbox {
  const config = sandboxConfigFromLabels(c.Config.Labels ?? {});
  const ready = c.State.Running;
  const sandbox: PodSandbox = { id: c.Id, config, state: ready ? "SANDBOX_READY" : "SANDBOX_NOTREADY", createdAt: engineTime(c.Created) };
  if (ready && !config.hostNetwork) {
    const ip = containerIP(c, network);
    if (ip) sandbox.ip = ip;
  }
  return sandbox;
}
