// Why: what the figures depend on outside the stores: the machine (CPU, cores, memory, Node),
// free loopback ports, the RSS of a process tree (workerd under wrangler) and files' sizes on disk.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** os.loadavg() when the run started and ended, as "1.00 0.50 0.20". */
  loadStart: string;
  loadEnd?: string;
}

export function loadAverage(): string {
  return loadavg().map((v) => v.toFixed(2)).join(" ");
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    if (pretty) os = `${pretty} (${process.arch})`;
  } catch {
    // no os-release
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os,
    date: new Date().toISOString(),
    loadStart: loadAverage(),
  };
}

/** A port nobody listens on at this moment on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({ pid: Number(entry), ppid: Number(fields[1]), comm });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Descendants of `root` (children, grandchildren…) whose command name starts with `name`. */
export function descendantsNamed(root: number, name: string): number[] {
  const all = processes();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of all) {
      if (p.ppid !== parent) continue;
      queue.push(p.pid);
      if (p.comm.startsWith(name)) found.push(p.pid);
    }
  }
  return found;
}

/** Resident set size of a process in bytes (VmRSS), or NaN if it is gone. */
export function rss(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The peak RSS (VmHWM) of a process in bytes, or NaN. */
export function rssHighWater(pid: number): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/PID/clear_refs`); false if not allowed. */
export function resetHighWater(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The first words of a process's command line, for the report. */
export function commandLine(pid: number, words = 3): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).slice(0, words).map((w) => w.split("/").pop()).join(" ");
  } catch {
    return "?";
  }
}

/** Samples a process's RSS every `everyMs` while it is running; stop() answers the peak seen. */
export function rssPeak(pid: number, everyMs = 10): { stop(): number } {
  let peak = rss(pid);
  const timer = setInterval(() => {
    const v = rss(pid);
    if (v > peak) peak = v;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rss(pid));
    },
  };
}

/** Files under dir (recursively) with their sizes. */
export function filesUnder(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      try {
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else out.push({ path: p, bytes: st.size });
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(dir);
  return out;
}
