// What the machine the agent runs on is, read once: CPUs, memory, the disk under the agent's
// folder, the OS and kernel, and the ids the kubelet reports in status.nodeInfo.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, statfsSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";

export interface Machine {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the working directory, in bytes. */
  diskBytes: number;
  /** linux, darwin, windows (Kubernetes' GOOS names). */
  os: string;
  /** amd64, arm64… (Kubernetes' GOARCH names). */
  arch: string;
  osImage: string;
  kernelVersion: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };
const GOOS: Record<string, string> = { win32: "windows", sunos: "solaris" };

export function goArch(nodeArch: string = arch()): string {
  return GOARCH[nodeArch] ?? nodeArch;
}

export function goOS(nodePlatform: string = platform()): string {
  return GOOS[nodePlatform] ?? nodePlatform;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function osImage(): string {
  const text = readTrimmed("/etc/os-release");
  const pretty = text && /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  return pretty || `${platform()} ${release()}`;
}

function diskBytes(path: string): number {
  try {
    const s = statfsSync(path);
    return Number(s.blocks) * Number(s.bsize);
  } catch {
    return 0;
  }
}

/** Reads the machine (cheap; called once per process). */
export function readMachine(cwd = process.cwd()): Machine {
  const machineID = readTrimmed("/etc/machine-id") ?? readTrimmed("/var/lib/dbus/machine-id") ?? randomUUID().replace(/-/g, "");
  return {
    cpus: Math.max(1, cpus().length),
    memoryBytes: totalmem(),
    diskBytes: diskBytes(cwd),
    os: goOS(),
    arch: goArch(),
    osImage: osImage(),
    kernelVersion: release(),
    machineID,
    systemUUID: readTrimmed("/sys/class/dmi/id/product_uuid") ?? readTrimmed("/sys/devices/virtual/dmi/id/product_uuid") ?? uuidFrom(machineID),
    bootID: readTrimmed("/proc/sys/kernel/random/boot_id") ?? randomUUID(),
  };
}

/** 32 hex digits (or more) as a UUID. */
export function uuidFrom(hex: string): string {
  const h = (hex.replace(/[^0-9a-f]/gi, "").toLowerCase() + "0".repeat(32)).slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The machine as a simulated node reports it: its own machine id, system UUID and boot id. */
export function simulatedMachine(m: Machine, nodeName: string): Machine {
  const id = createHash("sha256").update(`${m.machineID}/${nodeName}`).digest("hex").slice(0, 32);
  return { ...m, machineID: id, systemUUID: uuidFrom(id), bootID: randomUUID() };
}
