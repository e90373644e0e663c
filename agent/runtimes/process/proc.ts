// Processes as /proc shows them. A pid alone can name another process after it is reused, so
// the runtime keeps (pid, start time) pairs and only signals a pid whose start time still matches.
import { readFileSync } from "node:fs";

/** A process the runtime started: its pid and its start time (clock ticks after boot, /proc/<pid>/stat field 22). */
export interface ProcessRef {
  pid: number;
  /** Empty where /proc is missing (not Linux): then the pid is trusted as it is. */
  startTime: string;
}

/** The start time of a live process (zombies count as gone); undefined when there is none. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return hasProc() ? undefined : aliveWithoutProc(pid) ? "" : undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return fields[19];
}

/** Whether the process is still the one that was started (same pid, same start time, not a zombie). */
export function isRunning(ref: ProcessRef): boolean {
  const now = processStartTime(ref.pid);
  return now !== undefined && (ref.startTime === "" || now === ref.startTime);
}

/** Sends a signal to the process group the process leads; false when there was none left to signal. */
export function signalGroup(ref: ProcessRef, signal: NodeJS.Signals): boolean {
  if (!isRunning(ref)) return false;
  try {
    process.kill(-ref.pid, signal);
    return true;
  } catch {
    return false;
  }
}

let procMounted: boolean | undefined;
function hasProc(): boolean {
  if (procMounted === undefined) {
    try {
      readFileSync("/proc/self/stat");
      procMounted = true;
    } catch {
      procMounted = false;
    }
  }
  return procMounted;
}

function aliveWithoutProc(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
