// The container's monitor, as conmon or containerd-shim: one small detached Node process per
// container that owns the container's stdout and stderr pipes, writes them to the CRI log and
// records the exit code. It outlives the agent, so a container keeps its logs (with exact
// timestamps, stdout and stderr in the order they were read) and its exit code while the agent
// restarts. Plain JavaScript with no imports but Node's own, so it starts without the agent's
// TypeScript loader (and quickly, ~7 MB of private memory).
//
// Usage: node monitor.mjs <container dir>   (reads spec.json; see state-file.ts for the layout)
// It prints one JSON line on stdout once the process runs ({pid, startTime, startedAt, monitor}
// or {error}) and never writes there again, so a parent that has gone away does not matter.
import { spawn } from "node:child_process";
import { openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";

const MAX_RECORD = 16 * 1024; // longer lines are cut into partial (P) records, as containerd does
const MAX_MESSAGE = 4096; // the kubelet's limit for a termination message
const DRAIN_MS = 2000; // how long output may still come after the process exited (a stray holder of the pipe)

const dir = process.argv[2];
const spec = JSON.parse(readFileSync(join(dir, "spec.json"), "utf8"));
// The agent's session ending (or a Ctrl-C meant for it) must not take the container's logs with it.
for (const signal of ["SIGHUP", "SIGINT", "SIGTERM"]) process.on(signal, () => {});

const writeJson = (name, value) => {
  const tmp = join(dir, `${name}.tmp`);
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, join(dir, name));
};

const report = (value) => {
  try {
    writeSync(1, `${JSON.stringify(value)}\n`);
  } catch {
    // the agent is gone; started.json says the same
  }
};

const startTimeOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
};

// RFC 3339 with nanoseconds, as Go's time.RFC3339Nano prints it. Wall clock for the seconds, the
// monotonic clock for the digits Date lacks; re-anchored when the two drift apart.
let anchorNs = BigInt(Date.now()) * 1_000_000n;
let anchorMono = process.hrtime.bigint();
const timestamp = () => {
  let ns = anchorNs + (process.hrtime.bigint() - anchorMono);
  const wall = Date.now();
  if (Math.abs(Number(ns / 1_000_000n) - wall) > 5) {
    anchorNs = BigInt(wall) * 1_000_000n;
    anchorMono = process.hrtime.bigint();
    ns = anchorNs;
  }
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
};

const log = openSync(spec.logPath, "a");
const NEWLINE = Buffer.from("\n");
const record = (stream, tag, bytes) => {
  writeSync(log, Buffer.concat([Buffer.from(`${timestamp()} ${stream} ${tag} `), bytes, NEWLINE]));
};

/** Writes one stream as CRI records; resolves once it has ended. */
const pipeRecords = (readable, stream) =>
  new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    readable.on("data", (chunk) => {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
        let line = buf.subarray(0, nl);
        for (; line.length > MAX_RECORD; line = line.subarray(MAX_RECORD)) record(stream, "P", line.subarray(0, MAX_RECORD));
        record(stream, "F", line);
        buf = buf.subarray(nl + 1);
      }
      for (; buf.length >= MAX_RECORD; buf = buf.subarray(MAX_RECORD)) record(stream, "P", buf.subarray(0, MAX_RECORD));
      pending = Buffer.from(buf);
    });
    readable.on("error", () => {});
    readable.on("close", () => {
      if (pending.length > 0) record(stream, "F", pending);
      pending = Buffer.alloc(0);
      resolve();
    });
  });

const terminationMessage = () => {
  if (!spec.terminationMessagePath) return undefined;
  try {
    const bytes = readFileSync(spec.terminationMessagePath);
    return bytes.length > 0 ? bytes.subarray(0, MAX_MESSAGE).toString("utf8") : undefined;
  } catch {
    return undefined;
  }
};

// detached: the container leads its own session and process group, so the agent signals the
// whole group and the monitor is not in it.
const child = spawn(spec.argv[0], spec.argv.slice(1), {
  cwd: spec.cwd,
  env: spec.env,
  uid: spec.uid,
  gid: spec.gid,
  detached: true,
  stdio: ["ignore", "pipe", "pipe"],
});
let spawned = false;

child.on("error", (err) => {
  if (spawned) return;
  report({ error: err.message });
  process.exit(1);
});

child.on("spawn", () => {
  spawned = true;
  const started = {
    pid: child.pid,
    startTime: startTimeOf(child.pid),
    startedAt: Date.now(),
    monitor: { pid: process.pid, startTime: startTimeOf(process.pid) },
  };
  writeJson("started.json", started);
  report(started);
});

const drained = Promise.all([pipeRecords(child.stdout, "stdout"), pipeRecords(child.stderr, "stderr")]);

child.on("exit", async (code, signal) => {
  const finishedAt = Date.now();
  // As when a container's init process exits: whatever it left behind in its group goes too.
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // the group is empty
  }
  await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS))]);
  const exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  writeJson("exited.json", { exitCode, finishedAt, reason: exitCode === 0 ? "Completed" : "Error", message: terminationMessage() });
  process.exit(0);
});
