// exec for a host process (exec probes, preStop hooks): the command runs beside the container
// with its environment, working directory and user, in its mount namespace when it has one.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ExecResult } from "../runtime.js";
import { hostTool, lookPath } from "./launch.js";

/** How much output an exec keeps (the start of it). */
export const EXEC_OUTPUT_LIMIT = 4096;
/** How long output may still come after the command exited (a background child holding the pipe). */
const DRAIN_MS = 500;

export interface ExecTarget {
  env: Record<string, string>;
  cwd: string;
  /** Where to start when `cwd` is only visible inside the mount namespace. */
  hostCwd: string;
  uid?: number;
  gid?: number;
  /** The container's pid, when the command must join its mount namespace. */
  mountNamespaceOf?: number;
}

export function execCommand(command: string[], target: ExecTarget, timeoutSeconds: number): Promise<ExecResult> {
  if (command.length === 0) return Promise.reject(new Error("exec needs a command"));
  const nsenter = target.mountNamespaceOf !== undefined ? hostTool("nsenter") : undefined;
  let argv: string[];
  let spawnUser: { uid?: number; gid?: number } = { uid: target.uid, gid: target.gid };
  if (nsenter) {
    const user = target.uid !== undefined || target.gid !== undefined ? [`--setuid=${target.uid ?? 0}`, `--setgid=${target.gid ?? 0}`] : [];
    argv = [nsenter, `--target=${target.mountNamespaceOf}`, "--mount", `--wd=${target.cwd}`, ...user, "--", ...command];
    spawnUser = {};
  } else {
    argv = [lookPath(command[0], target.env.PATH ?? "", target.cwd), ...command.slice(1)];
  }

  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: nsenter ? target.hostCwd : target.cwd,
      env: target.env,
      ...spawnUser,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: Buffer) => {
      if (kept >= EXEC_OUTPUT_LIMIT) return;
      const part = chunk.subarray(0, EXEC_OUTPUT_LIMIT - kept);
      chunks.push(part);
      kept += part.length;
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);

    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer =
      timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            killGroup();
          }, timeoutSeconds * 1000)
        : undefined;

    let exitCode: number | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(drainTimer);
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({ exitCode: exitCode ?? 0, output: Buffer.concat(chunks).toString("utf8"), timedOut });
    };
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.on("close", () => {
      if (exitCode !== undefined) finish();
    });
  });
}
