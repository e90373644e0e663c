// The process runtime on real host processes: what the kubelet relies on (env, working
// directory, logs, exit codes, grace periods, process groups, exec, adoption after a restart).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ContainerConfig, ContainerRuntime, LogOptions, PodSandboxConfig } from "../runtime.js";
import { processRuntime } from "./descriptor.js";
import { isRunning, processStartTime } from "./proc.js";
import { ProcessRuntime } from "./process-runtime.js";
import type { StartedRecord } from "./state-file.js";

const sandboxConfig = (name = "web"): PodSandboxConfig => ({ name, namespace: "default", uid: `uid-${name}`, attempt: 0, hostname: name, hostNetwork: false, labels: {}, annotations: {} });
const sh = (script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name: "c",
  image: "busybox:1.36",
  command: ["sh", "-c", script],
  kind: "regular",
  labels: { "io.kubernetes.container.name": "c" },
  annotations: {},
  ...extra,
});

const dirs: string[] = [];
const runtimes: ContainerRuntime[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ep-process-test-"));
  dirs.push(d);
  return d;
};
const newRuntime = (stateDir = tempDir(), warnings: string[] = []) => {
  const rt = new ProcessRuntime({ nodeName: "n1", podCIDR: "10.244.0.0/24", hostIP: "192.0.2.10", stateDir }, (l) => warnings.push(l));
  runtimes.push(rt);
  return rt;
};

afterEach(async () => {
  for (const rt of runtimes.splice(0)) {
    for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
    await rt.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Creates and starts one container in a new sandbox. */
async function run(rt: ContainerRuntime, config: ContainerConfig) {
  const sb = await rt.runPodSandbox(sandboxConfig());
  const id = await rt.createContainer(sb, config);
  await rt.startContainer(id);
  return { sb, id };
}

async function exited(rt: ContainerRuntime, id: string, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await rt.containerStatus(id);
    if (s.state === "CONTAINER_EXITED") return s;
    if (Date.now() > until) throw new Error(`container ${id} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out;
}

const logs = async (rt: ContainerRuntime, id: string, opts: LogOptions = {}) => text(await rt.containerLogs(id, opts));
const logRecords = (stateDir: string, id: string) => readFileSync(join(stateDir, "containers", id, "container.log"), "utf8").trimEnd().split("\n");

describe("ProcessRuntime", () => {
  it("describes itself, shares the host's address, and names images by a digest", async () => {
    expect(processRuntime).toMatchObject({ name: "process", multiNode: false, simulatedAddresses: false });
    expect(await processRuntime.detect!()).toEqual({ ok: true, detail: "host processes" });
    const rt = newRuntime();
    expect((await rt.version()).runtimeName).toBe("process");
    expect(await rt.podSandboxStatus(await rt.runPodSandbox(sandboxConfig()))).toMatchObject({ state: "SANDBOX_READY", ip: "192.0.2.10" });
    const local = new ProcessRuntime({ nodeName: "n2", podCIDR: "10.244.1.0/24", stateDir: tempDir() });
    runtimes.push(local);
    expect((await local.podSandboxStatus(await local.runPodSandbox(sandboxConfig()))).ip).toBe("127.0.0.1");
    expect(await rt.imageStatus("nginx:1.27")).toMatch(/^process:\/\/sha256:[0-9a-f]{64}$/);
    expect(await rt.pullImage("nginx:1.27")).toBe(await rt.imageStatus("nginx:1.27"));
  });

  it("refuses a container without a command", async () => {
    const rt = newRuntime();
    const sb = await rt.runPodSandbox(sandboxConfig());
    await expect(rt.createContainer(sb, sh("", { command: undefined }))).rejects.toThrow(/process runtime .*needs the container's command/);
  });

  it("runs the command with exactly the configured environment (plus PATH) in its working directory", async () => {
    const rt = newRuntime();
    const work = tempDir();
    const { id } = await run(rt, sh('echo "$FOO"; pwd; echo "home=${HOME:-unset}"; command -v sh', { env: [{ name: "FOO", value: "bar baz" }], workingDir: work }));
    expect(await exited(rt, id)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0, reason: "Completed" });
    const [foo, pwd, home, shPath] = (await logs(rt, id)).trimEnd().split("\n");
    expect({ foo, pwd, home }).toEqual({ foo: "bar baz", pwd: work, home: "home=unset" });
    expect(shPath).toMatch(/\/sh$/);
  });

  it("gives a container without workingDir its own directory, and fails the start for a missing one", async () => {
    const stateDir = tempDir();
    const rt = newRuntime(stateDir);
    const { id } = await run(rt, sh("pwd"));
    await exited(rt, id);
    expect(await logs(rt, id)).toBe(`${join(stateDir, "containers", id, "workdir")}\n`);

    const sb = await rt.runPodSandbox(sandboxConfig("other"));
    const bad = await rt.createContainer(sb, sh("pwd", { workingDir: "/nonexistent/dir" }));
    await expect(rt.startContainer(bad)).rejects.toThrow(/working directory "\/nonexistent\/dir" does not exist/);
    expect(await rt.containerStatus(bad)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 128, reason: "StartError" });
    const missing = await rt.createContainer(sb, { ...sh(""), command: ["no-such-command-xyz"] });
    await expect(rt.startContainer(missing)).rejects.toThrow(/executable file not found in \$PATH/);
  });

  it("writes stdout and stderr to a CRI log in order, and cuts long lines into partial records", async () => {
    const stateDir = tempDir();
    const rt = newRuntime(stateDir);
    const long = "x".repeat(40_000);
    const { id } = await run(rt, sh(`echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three; printf '%s\\n' ${long}; printf 'no newline'`));
    await exited(rt, id);
    const records = logRecords(stateDir, id);
    for (const r of records) expect(r).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (stdout|stderr) [FP] /);
    expect(records.map((r) => r.split(" ").slice(1, 3).join(" "))).toEqual(["stdout F", "stderr F", "stdout F", "stdout P", "stdout P", "stdout F", "stdout F"]);
    expect(records[3].split(" ")[3]).toHaveLength(16 * 1024);
    expect(await logs(rt, id)).toBe(`one\ntwo\nthree\n${long}\nno newline\n`);
    expect(await logs(rt, id, { tailLines: 2 })).toBe(`${long}\nno newline\n`);
  });

  it("reports the exit code, the reason and the termination message", async () => {
    const rt = newRuntime();
    const msg = join(tempDir(), "termination-log");
    const { id } = await run(rt, sh(`printf 'it broke' > ${msg}; exit 3`, { terminationMessagePath: msg }));
    const s = await exited(rt, id);
    expect(s).toMatchObject({ exitCode: 3, reason: "Error", message: "it broke" });
    expect(s.startedAt).toBeGreaterThan(0);
    expect(s.finishedAt).toBeGreaterThanOrEqual(s.startedAt);
  });

  it("serves logs with tailLines, sinceTime, timestamps and limitBytes", async () => {
    const rt = newRuntime();
    const { id } = await run(rt, sh("for i in 1 2 3 4 5; do echo line$i; sleep 0.02; done"));
    await exited(rt, id);
    expect(await logs(rt, id)).toBe("line1\nline2\nline3\nline4\nline5\n");
    expect(await logs(rt, id, { tailLines: 2 })).toBe("line4\nline5\n");
    expect(await logs(rt, id, { tailLines: 0 })).toBe("");
    expect(await logs(rt, id, { tailLines: 10 })).toBe("line1\nline2\nline3\nline4\nline5\n");
    const stamped = (await logs(rt, id, { timestamps: true })).trimEnd().split("\n");
    expect(stamped).toHaveLength(5);
    for (const [i, l] of stamped.entries()) expect(l).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z line${i + 1}$`));
    const third = Date.parse(stamped[2].split(" ")[0]);
    expect(await logs(rt, id, { sinceTime: third })).toMatch(/^line3\nline4\nline5\n$/);
    expect(await logs(rt, id, { limitBytes: 8 })).toBe("line1\nli");
  });

  it("follows the log while the container runs and ends when it has exited", async () => {
    const rt = newRuntime();
    const { id } = await run(rt, sh("for i in 1 2 3 4 5; do echo tick$i; sleep 0.15; done"));
    const stream = await rt.containerLogs(id, { follow: true });
    const seen: Array<{ at: number; state: string; text: string }> = [];
    for await (const chunk of stream) seen.push({ at: Date.now(), state: (await rt.containerStatus(id)).state, text: (chunk as Buffer).toString() });
    expect(seen.map((s) => s.text).join("")).toBe("tick1\ntick2\ntick3\ntick4\ntick5\n");
    expect(seen[0].state).toBe("CONTAINER_RUNNING"); // lines came while it ran, not all at the end
    expect(seen.length).toBeGreaterThan(2);
    expect((await rt.containerStatus(id)).state).toBe("CONTAINER_EXITED");

    // A follow of a container that keeps running ends when it is aborted.
    const { id: forever } = await run(rt, sh("echo up; while true; do sleep 0.1; done"));
    const abort = new AbortController();
    const following = text(await rt.containerLogs(forever, { follow: true, signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    expect(await following).toBe("up\n");
  });

  it("stops a container that traps SIGTERM within its grace period", async () => {
    const rt = newRuntime();
    const { id } = await run(rt, sh("trap 'echo bye; exit 0' TERM; echo ready; sleep 30 & wait"));
    await waitForLog(rt, id, "ready");
    const t0 = Date.now();
    await rt.stopContainer(id, 10);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await rt.containerStatus(id)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0, reason: "Completed" });
    expect(await logs(rt, id)).toBe("ready\nbye\n");
    await rt.stopContainer(id, 10); // idempotent
  });

  it("kills a container that ignores SIGTERM at the deadline; a shorter second stop brings the kill forward", async () => {
    const rt = newRuntime();
    const { id } = await run(rt, sh("trap '' TERM; echo ready; while true; do sleep 0.05; done"));
    await waitForLog(rt, id, "ready");
    const t0 = Date.now();
    const long = rt.stopContainer(id, 30);
    await new Promise((r) => setTimeout(r, 200));
    expect((await rt.containerStatus(id)).state).toBe("CONTAINER_RUNNING"); // SIGTERM was ignored
    await rt.stopContainer(id, 1);
    await long;
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1100);
    expect(took).toBeLessThan(3000);
    expect(await rt.containerStatus(id)).toMatchObject({ exitCode: 137, reason: "Error" });
  });

  it("kills the whole process group: a grandchild dies with the container", async () => {
    const rt = newRuntime();
    const work = tempDir();
    // The container's main process exits on its own, leaving a background child behind.
    const { id } = await run(rt, sh("sleep 300 & echo $! > gc.pid; echo ok", { workingDir: work }));
    await exited(rt, id);
    const orphan = Number(readFileSync(join(work, "gc.pid"), "utf8"));
    expect(processStartTime(orphan)).toBeUndefined();

    // A stopped container takes its children along.
    const { id: stopped } = await run(rt, sh("sleep 300 & echo $! > gc2.pid; wait", { workingDir: work }));
    await waitFor(() => existsSync(join(work, "gc2.pid")));
    const child = Number(readFileSync(join(work, "gc2.pid"), "utf8"));
    expect(processStartTime(child)).toBeDefined();
    await rt.stopContainer(stopped, 5);
    await waitFor(() => processStartTime(child) === undefined);
  });

  it("execs beside the container with its environment, and kills a command that times out", async () => {
    const rt = newRuntime();
    const work = tempDir();
    const { id } = await run(rt, sh("while true; do sleep 0.1; done", { env: [{ name: "GREETING", value: "hello" }], workingDir: work }));
    expect(await rt.exec(id, ["sh", "-c", 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 4'], 5)).toEqual({ exitCode: 4, output: `hello from ${work}\noops\n`, timedOut: false });
    const big = await rt.exec(id, ["sh", "-c", "yes | head -c 100000"], 5);
    expect(big.output).toHaveLength(4096);
    const t0 = Date.now();
    const slow = await rt.exec(id, ["sh", "-c", "sleep 30"], 1);
    expect(slow.timedOut).toBe(true);
    expect(slow.exitCode).toBe(137);
    expect(Date.now() - t0).toBeLessThan(2500);
    await expect(rt.exec(id, ["no-such-command-xyz"], 1)).rejects.toThrow(/executable file not found/);
  });

  it("a new runtime on the same state directory adopts a running container, its logs and its exit", async () => {
    const stateDir = tempDir();
    const first = newRuntime(stateDir);
    const { sb, id } = await run(first, sh("trap 'echo stopping; exit 7' TERM; echo before; sleep 30 & wait"));
    await waitForLog(first, id, "before");
    await first.close();
    const started = JSON.parse(readFileSync(join(stateDir, "containers", id, "started.json"), "utf8")) as StartedRecord;
    expect(isRunning(started)).toBe(true); // close() leaves the processes alone

    const second = newRuntime(stateDir);
    expect((await second.listPodSandboxes()).map((s) => s.id)).toEqual([sb]);
    expect(await second.listContainers({ sandboxId: sb })).toMatchObject([{ id, state: "CONTAINER_RUNNING", startedAt: started.startedAt }]);
    await second.stopContainer(id, 5);
    // The monitor kept writing the log and recorded the real exit code while no runtime was watching it.
    expect(await second.containerStatus(id)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 7, reason: "Error" });
    expect(await logs(second, id)).toBe("before\nstopping\n");
  });

  it("reports a container whose monitor and process vanished as exited with an unknown exit code", async () => {
    const stateDir = tempDir();
    const first = newRuntime(stateDir);
    const { id } = await run(first, sh("while true; do sleep 0.1; done"));
    await first.close();
    const started = JSON.parse(readFileSync(join(stateDir, "containers", id, "started.json"), "utf8")) as StartedRecord;
    process.kill(started.monitor.pid, "SIGKILL");
    process.kill(-started.pid, "SIGKILL");
    await waitFor(() => !isRunning(started) && !isRunning(started.monitor));

    const second = newRuntime(stateDir);
    expect(await second.containerStatus(id)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 255, reason: "Unknown" });
  });

  it("stops every container of a sandbox at once, and removes them with it", async () => {
    const stateDir = tempDir();
    const rt = newRuntime(stateDir);
    const sb = await rt.runPodSandbox(sandboxConfig());
    const ids = [];
    for (const name of ["a", "b"]) {
      const id = await rt.createContainer(sb, sh("trap '' TERM; while true; do sleep 0.05; done", { name }));
      await rt.startContainer(id);
      ids.push(id);
    }
    const t0 = Date.now();
    await rt.stopPodSandbox(sb);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect((await rt.listContainers({ sandboxId: sb })).map((c) => [c.state, c.exitCode])).toEqual([
      ["CONTAINER_EXITED", 137],
      ["CONTAINER_EXITED", 137],
    ]);
    expect((await rt.podSandboxStatus(sb)).state).toBe("SANDBOX_NOTREADY");
    await rt.removePodSandbox(sb);
    expect(await rt.listContainers()).toEqual([]);
    for (const id of ids) expect(existsSync(join(stateDir, "containers", id))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("bind-mounts the container's mounts in its own mount namespace (as root)", async () => {
    const warnings: string[] = [];
    const rt = newRuntime(tempDir(), warnings);
    const host = tempDir();
    writeFileSync(join(host, "config.txt"), "from the host\n");
    const target = join(tempDir(), "etc", "app");
    // The command itself lives in the volume: it is found through the mount, as the process will see it.
    writeFileSync(join(host, "run.sh"), `#!/bin/sh\ncat ${target}/config.txt\n{ echo x > ${target}/new; } 2>/dev/null || echo read-only\nwhile true; do sleep 0.1; done\n`, { mode: 0o755 });
    const { id } = await run(rt, sh("", { command: [`${target}/run.sh`], mounts: [{ hostPath: host, containerPath: target, readOnly: true }] }));
    await waitForLog(rt, id, "read-only");
    expect(await logs(rt, id)).toBe("from the host\nread-only\n");
    expect(existsSync(join(target, "config.txt"))).toBe(false); // the host does not see the mount
    expect((await rt.exec(id, ["cat", `${target}/config.txt`], 5)).output).toBe("from the host\n"); // exec joins the namespace
    expect(warnings).toEqual([]);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForLog(rt: ContainerRuntime, id: string, line: string) {
  const until = Date.now() + 5000;
  while (!(await logs(rt, id)).split("\n").includes(line)) {
    if (Date.now() > until) throw new Error(`no "${line}" in the log of ${id}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
