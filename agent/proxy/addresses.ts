// ClusterIPs made local to the host, so that the proxy's listeners can bind them and pods (through
// their bridge) and host processes reach them: each one a /32 on lo, added with `ip` as root. This
// machine has no dummy interface (upstream's ipvs proxier puts them on kube-ipvs0); a /32 on lo is
// routed the same way. Only what this process added is removed again: an address that was already
// there belongs to someone else (another agent on the same machine) and stays.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { networkInterfaces } from "node:os";
import type { Logger } from "../log.js";
import { ipToNumber } from "../network/ipam.js";

/** What the proxier needs of the host's addresses. */
export interface ClusterIPAddresses {
  /**
   * Makes these addresses local, and removes those this manager added that are no longer asked for.
   * Resolves to the asked-for addresses that are local now (a listener can bind them); never rejects.
   */
  sync(ips: Iterable<string>): Promise<Set<string>>;
  /** Removes every address this manager added. */
  stop(): Promise<void>;
}

export interface HostAddressesOptions {
  log: Logger;
  /** Default lo. */
  device?: string;
  /** The iproute2 command; default `ip` from the PATH. */
  ipCommand?: string;
  isRoot?: () => boolean;
  /** The host's IPv4 addresses now; default from os.networkInterfaces(). */
  localAddresses?: () => Set<string>;
  /**
   * Where the added addresses are written after each change, so that an agent started after a
   * crash takes back those its predecessor added (they are still on the device) and removes them
   * when they are no longer wanted. Without it, they would look like another process's for good.
   */
  stateFile?: string;
}

/** 127.0.0.0/8 is local on Linux without being configured: nothing to add for it. */
export const isLoopback = (ip: string) => ip.startsWith("127.") && ipToNumber(ip) !== undefined;

export function hostIPv4Addresses(): Set<string> {
  const out = new Set<string>();
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === "IPv4") out.add(a.address);
  return out;
}

export interface IpBatchResult {
  /** 1-based numbers of the lines that failed. */
  failedLines: Set<number>;
  stderr: string;
}

/** Runs `ip -force -batch -` (every line tried, failures named as `Command failed -:N` on stderr). */
export function runIpBatch(ipCommand: string, lines: string[]): Promise<IpBatchResult> {
  return new Promise((resolve) => {
    const child = spawn(ipCommand, ["-force", "-batch", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const all = () => new Set(lines.map((_, i) => i + 1));
    child.on("error", (err) => resolve({ failedLines: all(), stderr: err.message }));
    child.stdin.on("error", () => {});
    child.stdin.end(lines.map((l) => `${l}\n`).join(""));
    child.on("close", (code) => {
      const failedLines = new Set([...stderr.matchAll(/Command failed -:(\d+)/g)].map((m) => Number(m[1])));
      // A failure without line numbers (killed, cannot read its input): count every line as failed.
      resolve({ failedLines: code !== 0 && failedLines.size === 0 ? all() : failedLines, stderr });
    });
  });
}

export class HostAddresses implements ClusterIPAddresses {
  /** The addresses this process added (and so removes). */
  private readonly added = new Set<string>();
  private unavailable = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly device: string;
  private readonly ip: string;
  private readonly local: () => Set<string>;

  constructor(private readonly o: HostAddressesOptions) {
    this.device = o.device ?? "lo";
    this.ip = o.ipCommand ?? "ip";
    this.local = o.localAddresses ?? hostIPv4Addresses;
    if (o.stateFile) {
      const present = this.local();
      for (const ip of readAddresses(o.stateFile)) if (present.has(ip)) this.added.add(ip);
    }
  }

  /** The addresses this manager added and has not removed yet. */
  get owned(): string[] {
    return [...this.added];
  }

  sync(ips: Iterable<string>): Promise<Set<string>> {
    const wanted = new Set([...ips].filter((ip) => ipToNumber(ip) !== undefined));
    return this.serialized(() => this.apply(wanted));
  }

  stop(): Promise<void> {
    return this.serialized(async () => {
      await this.apply(new Set());
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async apply(wanted: Set<string>): Promise<Set<string>> {
    const before = this.local();
    const remove = [...this.added].filter((ip) => !wanted.has(ip));
    let add = [...wanted].filter((ip) => !isLoopback(ip) && !before.has(ip));
    if (add.length > 0 && !this.unavailable && !(this.o.isRoot ?? defaultIsRoot)()) {
      this.giveUp("not running as root");
    }
    if (this.unavailable) add = [];
    if (remove.length + add.length > 0) {
      const lines = [...remove.map((ip) => `addr del ${ip}/32 dev ${this.device}`), ...add.map((ip) => `addr add ${ip}/32 dev ${this.device}`)];
      const { failedLines, stderr } = await runIpBatch(this.ip, lines);
      // A failed delete means the address is gone already.
      for (const ip of remove) this.added.delete(ip);
      const failedAdds: string[] = [];
      add.forEach((ip, i) => {
        if (failedLines.has(remove.length + i + 1)) failedAdds.push(ip);
        else this.added.add(ip);
      });
      if (failedAdds.length > 0) {
        // "File exists": someone else added it meanwhile, and it stays theirs.
        const after = this.local();
        const missing = failedAdds.filter((ip) => !after.has(ip));
        if (missing.length > 0 && missing.length === add.length) this.giveUp(firstLine(stderr) || "ip failed");
        else if (missing.length > 0) this.o.log.error(`✗ service proxy: cannot add ${missing.join(", ")} to ${this.device}: ${firstLine(stderr)}`);
      }
    }
    if (this.o.stateFile && add.length + remove.length > 0) writeAddresses(this.o.stateFile, this.added);
    const now = add.length + remove.length > 0 ? this.local() : before;
    return new Set([...wanted].filter((ip) => isLoopback(ip) || now.has(ip)));
  }

  private giveUp(why: string): void {
    this.unavailable = true;
    this.o.log.error(`✗ service proxy: cannot add ClusterIPs to ${this.device} (${why}): ClusterIPs are unreachable on this node, NodePorts still work`);
  }
}

const defaultIsRoot = () => process.getuid?.() === 0;

function readAddresses(file: string): string[] {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return Array.isArray(parsed) ? parsed.filter((ip): ip is string => typeof ip === "string" && ipToNumber(ip) !== undefined) : [];
  } catch {
    return [];
  }
}

function writeAddresses(file: string, ips: Set<string>): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify([...ips].sort())}\n`);
  } catch {
    // Only a restart after a crash needs it; the addresses themselves are in place.
  }
}
const firstLine = (text: string) => text.split("\n").find((l) => l.trim() && !l.startsWith("Command failed"))?.trim() ?? "";
