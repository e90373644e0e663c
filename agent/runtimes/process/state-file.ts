// What the process runtime keeps on disk so that a restarted agent finds its pods again:
// one JSON file per sandbox, one directory per container. The container's monitor
// (monitor.mjs) writes started.json and exited.json into that directory itself, so a
// container's fate is recorded even while no agent runs.
//
//   <stateDir>/sandboxes/<id>.json
//   <stateDir>/containers/<id>/container.json   the agent's record (config, sandbox)
//                             /spec.json        what the monitor runs
//                             /started.json     written by the monitor once the process runs
//                             /exited.json      written by the monitor when it has exited
//                             /container.log    the CRI log
//                             /monitor.log      the monitor's own errors
//                             /workdir/         the working directory when none is set
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ContainerConfig, PodSandbox } from "../runtime.js";
import type { ProcessRef } from "./proc.js";

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  createdAt: number;
  /** Why the start failed before any process ran (the container then reads as exited, StartError). */
  startError?: string;
  /** Whether the process runs in its own mount namespace (exec then enters it). */
  mountNamespace?: boolean;
}

/** Written by the monitor when the container's process runs. */
export interface StartedRecord extends ProcessRef {
  startedAt: number;
  monitor: ProcessRef;
}

/** Written by the monitor when the process has exited (or by the runtime when it lost track of it). */
export interface ExitedRecord {
  exitCode: number;
  finishedAt: number;
  reason: string;
  message?: string;
}

/** What the monitor runs (spec.json); argv[0] is an absolute path. */
export interface MonitorSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  logPath: string;
  /** The termination message's path on the host. */
  terminationMessagePath?: string;
}

export class StateDir {
  constructor(readonly root: string) {
    mkdirSync(join(root, "sandboxes"), { recursive: true });
    mkdirSync(join(root, "containers"), { recursive: true });
  }

  containerDir(id: string): string {
    return join(this.root, "containers", id);
  }

  file(id: string, name: "container.json" | "spec.json" | "started.json" | "exited.json" | "container.log" | "monitor.log" | "workdir"): string {
    return join(this.containerDir(id), name);
  }

  loadSandboxes(): PodSandbox[] {
    return readdirSync(join(this.root, "sandboxes"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => readJson<PodSandbox>(join(this.root, "sandboxes", f)))
      .filter((s): s is PodSandbox => s !== undefined);
  }

  saveSandbox(s: PodSandbox): void {
    writeJson(join(this.root, "sandboxes", `${s.id}.json`), s);
  }

  removeSandbox(id: string): void {
    rmSync(join(this.root, "sandboxes", `${id}.json`), { force: true });
  }

  loadContainers(): ContainerRecord[] {
    return readdirSync(join(this.root, "containers"))
      .map((id) => readJson<ContainerRecord>(this.file(id, "container.json")))
      .filter((c): c is ContainerRecord => c !== undefined);
  }

  /** Makes the container's directory, its empty log and default working directory, and saves its record. */
  createContainer(rec: ContainerRecord): void {
    mkdirSync(this.file(rec.id, "workdir"), { recursive: true });
    writeFileSync(this.file(rec.id, "container.log"), "", { flag: "a" });
    this.saveContainer(rec);
  }

  saveContainer(rec: ContainerRecord): void {
    writeJson(this.file(rec.id, "container.json"), rec);
  }

  removeContainer(id: string): void {
    rmSync(this.containerDir(id), { recursive: true, force: true });
  }

  started(id: string): StartedRecord | undefined {
    return readJson<StartedRecord>(this.file(id, "started.json"));
  }

  exited(id: string): ExitedRecord | undefined {
    return readJson<ExitedRecord>(this.file(id, "exited.json"));
  }

  saveExited(id: string, exited: ExitedRecord): void {
    writeJson(this.file(id, "exited.json"), exited);
  }

  saveSpec(id: string, spec: MonitorSpec): void {
    writeJson(this.file(id, "spec.json"), spec);
  }
}

/** The file's JSON, or undefined when it is missing or torn. */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a record. */
export function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}
