// The docker runtime against real Podman (its Docker-compatible service): sandboxes with pod IPs
// from the node's CIDR, containers sharing the pod's network, what the kubelet passes (command,
// env, mounts, limits, ports, DNS) as the process sees it, stops, logs, exec, images, and a second
// agent adopting what the first made.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_INDEX_HTML, ensureBusyboxImage, startPodman, type Podman } from "../../../test/support/podman.js";
import { cidrContains, parseCidr } from "../../network/ipam.js";
import { ImagePullError, RuntimeNotFoundError, type ContainerConfig, type PodSandboxConfig } from "../runtime.js";
import { DockerRuntime } from "./docker-runtime.js";
import { detectDocker } from "./descriptor.js";

const NODE = `dkr-${randomBytes(3).toString("hex")}`;
// A subnet of its own, so it overlaps no other suite's network.
const POD_CIDR = `10.${200 + Math.floor(Math.random() * 40)}.${Math.floor(Math.random() * 250)}.0/24`;

let podman: Podman;
let image: string;
let rt: DockerRuntime;
let sandboxId: string;
let podIP: string;
let hostDir: string;
const warnings: string[] = [];
const others: DockerRuntime[] = [];

const sandboxConfig = (name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({
  name,
  namespace: "default",
  uid: `uid-${name}`,
  attempt: 0,
  hostname: name,
  hostNetwork: false,
  labels: { "io.kubernetes.pod.name": name, app: "x" },
  annotations: { "note/one": "a b", two: "{\"json\":1}" },
  ...extra,
});
const container = (name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name,
  image,
  kind: "regular",
  labels: { "io.kubernetes.container.name": name },
  annotations: {},
  ...extra,
});

async function run(sandbox: string, name: string, extra: Partial<ContainerConfig>): Promise<string> {
  const id = await rt.createContainer(sandbox, container(name, extra));
  await rt.startContainer(id);
  return id;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (id: string) => until(`${id} to exit`, async () => {
  const s = await rt.containerStatus(id);
  return s.state === "CONTAINER_EXITED" ? s : undefined;
});

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out;
}

beforeAll(async () => {
  podman = await startPodman();
  image = await ensureBusyboxImage();
  hostDir = await mkdtemp(join(tmpdir(), "edgeplane-dkr-"));
  await writeFile(join(hostDir, "hello.txt"), "from the host\n");
  rt = new DockerRuntime({ nodeName: NODE, podCIDR: POD_CIDR, endpoint: podman.endpoint }, (m) => warnings.push(m));
  sandboxId = await rt.runPodSandbox(sandboxConfig("web", { dns: { servers: ["10.96.0.10"], searches: ["default.svc.cluster.local"], options: ["ndots:5"] } }));
  podIP = (await rt.podSandboxStatus(sandboxId)).ip ?? "";
}, 60_000);

afterAll(async () => {
  try {
    for (const r of others) await r.close();
    await rt?.close();
    await podman?.removeByLabel(`io.edgeplane.node=${NODE}`);
    await podman?.removeNetwork(`edgeplane-${NODE}`);
  } finally {
    await podman?.stop();
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  }
}, 60_000);

describe("the docker runtime on podman", () => {
  it("detects the engine and reports its version", async () => {
    expect(await detectDocker(podman.endpoint)).toEqual({ ok: true, detail: `podman ${podman.version} at ${podman.endpoint}` });
    expect(await detectDocker(podman.socket)).toMatchObject({ ok: true });
    expect(await detectDocker("unix:///nonexistent/docker.sock")).toMatchObject({ ok: false, reason: expect.stringContaining("/nonexistent/docker.sock") });
    expect(await rt.version()).toMatchObject({ runtimeName: "podman", runtimeVersion: podman.version, runtimeApiVersion: "1.41" });
  });

  it("gives the sandbox an IP inside the node's pod CIDR on the node's own network", async () => {
    expect(warnings).toEqual([]);
    expect(cidrContains(parseCidr(POD_CIDR)!, podIP)).toBe(true);
    const s = await rt.podSandboxStatus(sandboxId);
    expect(s).toMatchObject({ id: sandboxId, state: "SANDBOX_READY", config: { name: "web", hostname: "web" } });
  });

  it("runs two containers that share the pod's localhost, reachable on the pod IP from the host", async () => {
    const httpd = await run(sandboxId, "httpd", { command: ["httpd", "-f", "-p", "8080", "-h", "/www"] });
    const client = await run(sandboxId, "client", { command: ["sleep", "3600"] });
    const viaLocalhost = await until("httpd on localhost", async () => {
      const r = await rt.exec(client, ["wget", "-qO-", "http://127.0.0.1:8080/"], 5);
      return r.exitCode === 0 ? r.output : undefined;
    });
    expect(viaLocalhost).toBe(BUSYBOX_INDEX_HTML);
    const res = await fetch(`http://${podIP}:8080/`, { signal: AbortSignal.timeout(5000) });
    expect(await res.text()).toBe(BUSYBOX_INDEX_HTML);
    // The pod's hostname and DNS, as every container of the pod sees them.
    const r = await rt.exec(client, ["sh", "-c", "hostname; cat /etc/resolv.conf"], 5);
    expect(r.output).toMatch(/^web\n/);
    expect(r.output).toContain("nameserver 10.96.0.10");
    expect(r.output).toContain("search default.svc.cluster.local");
    expect((await rt.containerStatus(httpd)).state).toBe("CONTAINER_RUNNING");
  });

  it("passes command, args, env and workingDir with Kubernetes' meaning", async () => {
    const both = await run(sandboxId, "both", {
      command: ["sh", "-c", 'echo "$GREETING|$(pwd)|$*"', "sh"],
      args: ["a1", "a 2"],
      env: [{ name: "GREETING", value: "hello world" }],
      workingDir: "/www",
    });
    // args alone replace the image's CMD (["/bin/sh"]).
    const argsOnly = await run(sandboxId, "args-only", { args: ["echo", "args", "only"] });
    await exited(both);
    await exited(argsOnly);
    expect(await text(await rt.containerLogs(both))).toBe("hello world|/www|a1 a 2\n");
    expect(await text(await rt.containerLogs(argsOnly))).toBe("args only\n");
  });

  it("mounts host paths, enforcing readOnly", async () => {
    const id = await run(sandboxId, "mounts", {
      command: ["sleep", "3600"],
      mounts: [
        { hostPath: hostDir, containerPath: "/ro", readOnly: true },
        { hostPath: hostDir, containerPath: "/rw", readOnly: false },
      ],
    });
    expect(await rt.exec(id, ["cat", "/ro/hello.txt"], 5)).toMatchObject({ exitCode: 0, output: "from the host\n" });
    const denied = await rt.exec(id, ["touch", "/ro/new"], 5);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.output).toMatch(/Read-only file system/);
    expect((await rt.exec(id, ["sh", "-c", "echo written > /rw/new.txt"], 5)).exitCode).toBe(0);
  });

  it("applies memory and CPU limits to the container's cgroup", async () => {
    const id = await run(sandboxId, "limited", { command: ["sleep", "3600"], resources: { memoryLimitBytes: 64 * 1024 * 1024, cpuLimitMillis: 250, cpuRequestMillis: 100 } });
    const mem = await rt.exec(id, ["sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"], 5);
    expect(mem.output.trim()).toBe(String(64 * 1024 * 1024));
    const cpu = await rt.exec(id, ["sh", "-c", "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares"], 5);
    expect(cpu.output.split(/\s+/).filter(Boolean)).toEqual(expect.arrayContaining(["25000"]));
  });

  it("reports exit codes, reasons, times and the termination message of exited containers", async () => {
    const before = Date.now() - 1000;
    const failed = await run(sandboxId, "fails", { command: ["sh", "-c", "printf 'it broke' > /tmp/termination-log; exit 3"], terminationMessagePath: "/tmp/termination-log" });
    const done = await run(sandboxId, "succeeds", { command: ["true"], terminationMessagePath: "/tmp/never-written" });
    const f = await exited(failed);
    expect(f).toMatchObject({ exitCode: 3, reason: "Error", message: "it broke", name: "fails", sandboxId, image, labels: { "io.kubernetes.container.name": "fails" } });
    expect(f.imageRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(f.createdAt).toBeGreaterThan(before);
    expect(f.startedAt).toBeGreaterThanOrEqual(f.createdAt);
    expect(f.finishedAt).toBeGreaterThanOrEqual(f.startedAt);
    const ok = await exited(done);
    expect(ok).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(ok.message).toBeUndefined();
    const created = await rt.createContainer(sandboxId, container("never-started"));
    expect(await rt.containerStatus(created)).toMatchObject({ state: "CONTAINER_CREATED", startedAt: 0, finishedAt: 0 });
  });

  it("stops with a grace period: TERM handled in time, ignored until the kill, brought forward", async () => {
    const polite = await run(sandboxId, "polite", { command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"] });
    const stubborn = await run(sandboxId, "stubborn", { command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"] });
    const hasty = await run(sandboxId, "hasty", { command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"] });
    await new Promise((r) => setTimeout(r, 300)); // the traps are set
    let t = Date.now();
    await rt.stopContainer(polite, 10);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(await rt.containerStatus(polite)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0 });

    t = Date.now();
    await rt.stopContainer(stubborn, 2);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1900);
    expect(await rt.containerStatus(stubborn)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 137 });

    t = Date.now();
    const slow = rt.stopContainer(hasty, 30);
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all([slow, rt.stopContainer(hasty, 0)]);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(await rt.containerStatus(hasty)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 137 });
    // Idempotent: exited, and missing.
    await rt.stopContainer(hasty, 0);
    await rt.stopContainer("0".repeat(64), 0);
  });

  it("serves logs with tail, timestamps, since, limitBytes and follow", async () => {
    const id = await run(sandboxId, "logger", { command: ["sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; sleep 1.5; echo four; echo five"] });
    const mid = await until("the first lines", async () => ((await text(await rt.containerLogs(id))).includes("three") ? Date.now() : undefined));
    // Follow from the start: the lines written later arrive, and the stream ends when the container exits.
    expect(await text(await rt.containerLogs(id, { follow: true }))).toBe("one\ntwo\nthree\nfour\nfive\n");
    expect(await text(await rt.containerLogs(id, { tailLines: 2 }))).toBe("four\nfive\n");
    expect(await text(await rt.containerLogs(id, { sinceTime: mid + 200 }))).toBe("four\nfive\n");
    expect(await text(await rt.containerLogs(id, { limitBytes: 6 }))).toBe("one\ntw");
    const stamped = (await text(await rt.containerLogs(id, { timestamps: true }))).split("\n").filter(Boolean);
    expect(stamped).toHaveLength(5);
    for (const line of stamped) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (one|two|three|four|five)$/);
  });

  it("stops following logs when the signal aborts", async () => {
    const id = await run(sandboxId, "ticker", { command: ["sh", "-c", "while true; do echo tick; sleep 0.2; done"] });
    const ac = new AbortController();
    const stream = await rt.containerLogs(id, { follow: true, signal: ac.signal });
    const got = text(stream);
    await new Promise((r) => setTimeout(r, 700));
    ac.abort();
    const out = await got;
    expect(out).toMatch(/^(tick\n)+$/);
    await rt.stopContainer(id, 0);
  });

  it("execs with exit codes, output and a timeout", async () => {
    const id = await run(sandboxId, "exec-target", { command: ["sleep", "3600"] });
    expect(await rt.exec(id, ["sh", "-c", "echo out; echo err >&2; exit 4"], 5)).toEqual({ exitCode: 4, output: "out\nerr\n", timedOut: false });
    const t = Date.now();
    expect(await rt.exec(id, ["sleep", "30"], 1)).toMatchObject({ exitCode: -1, timedOut: true });
    expect(Date.now() - t).toBeLessThan(3000);
    await expect(rt.exec("f".repeat(64), ["true"], 1)).rejects.toBeInstanceOf(RuntimeNotFoundError);
  });

  it("answers image status, and fails fast to pull an image no registry has", async () => {
    expect(await rt.imageStatus(image)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await rt.imageStatus("localhost/edgeplane-test/no-such-image:1")).toBeUndefined();
    const t = Date.now();
    const err = await rt.pullImage("docker.io/library/no-such-image-edgeplane:1").catch((e) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect(err.message.length).toBeGreaterThan(0);
    expect(Date.now() - t).toBeLessThan(20_000);
  });

  it("publishes port mappings on the host and runs hostNetwork pods without an IP", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const sb = await rt.runPodSandbox(sandboxConfig("ported", { portMappings: [{ protocol: "TCP", containerPort: 80, hostPort: port, hostIP: "127.0.0.1" }] }));
    await run(sb, "httpd", { command: ["httpd", "-f", "-p", "80", "-h", "/www"] });
    const page = await until("the published port", async () => {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })).text();
      } catch {
        return undefined;
      }
    });
    expect(page).toBe(BUSYBOX_INDEX_HTML);
    const host = await rt.runPodSandbox(sandboxConfig("host-net", { hostNetwork: true }));
    const s = await rt.podSandboxStatus(host);
    expect(s.state).toBe("SANDBOX_READY");
    expect(s.ip).toBeUndefined();
    await rt.stopPodSandbox(host);
    expect((await rt.podSandboxStatus(host)).state).toBe("SANDBOX_NOTREADY");
    await rt.removePodSandbox(host);
  });

  it("lets another agent of the node adopt its sandboxes, and hides them from other nodes", async () => {
    const config = sandboxConfig("adopted", { attempt: 2, portMappings: [{ protocol: "UDP", containerPort: 53, hostPort: 0 }] });
    const sb = await rt.runPodSandbox(config);
    const c = await run(sb, "app", { command: ["sleep", "3600"] });
    const again = new DockerRuntime({ nodeName: NODE, podCIDR: POD_CIDR, endpoint: podman.endpoint });
    const other = new DockerRuntime({ nodeName: `${NODE}-other`, podCIDR: POD_CIDR, endpoint: podman.socket });
    others.push(again, other);
    const found = (await again.listPodSandboxes()).find((s) => s.id === sb);
    expect(found).toMatchObject({ state: "SANDBOX_READY", config });
    expect(found?.ip).toBe((await rt.podSandboxStatus(sb)).ip);
    expect((await again.listContainers({ sandboxId: sb })).map((s) => [s.id, s.name, s.state])).toEqual([[c, "app", "CONTAINER_RUNNING"]]);
    expect(await other.listPodSandboxes()).toEqual([]);
    expect(await other.listContainers()).toEqual([]);
    await expect(other.podSandboxStatus(sb)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(other.containerStatus(c)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    // Another node can neither stop nor remove them.
    await other.stopContainer(c, 0);
    await other.removeContainer(c);
    await other.removePodSandbox(sb);
    expect((await again.containerStatus(c)).state).toBe("CONTAINER_RUNNING");
    // dockershim's names; the same attempt again gets a name of its own.
    const inspectName = async (id: string) => (await rt.engine.json<{ Name: string }>("GET", `/containers/${id}/json`)).Name.replace(/^\//, "");
    expect(await inspectName(sb)).toBe("k8s_POD_adopted_default_uid-adopted_2");
    expect(await inspectName(c)).toBe("k8s_app_adopted_default_uid-adopted_0");
    const twin = await rt.runPodSandbox(config);
    expect(twin).not.toBe(sb);
    expect(await inspectName(twin)).toMatch(/^k8s_POD_adopted_default_uid-adopted_2_[0-9a-f]{6}$/);
    await rt.removePodSandbox(twin);
    // A container is not a sandbox, nor the other way round.
    await expect(again.podSandboxStatus(c)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(again.containerStatus(sb)).rejects.toBeInstanceOf(RuntimeNotFoundError);
  });

  it("stops a sandbox's containers with it and removes them all", async () => {
    const sb = await rt.runPodSandbox(sandboxConfig("doomed"));
    const a = await run(sb, "a", { command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"] });
    const b = await run(sb, "b", { command: ["sleep", "3600"] });
    const t = Date.now();
    await rt.stopPodSandbox(sb);
    expect(Date.now() - t).toBeLessThan(5000);
    expect((await rt.podSandboxStatus(sb)).state).toBe("SANDBOX_NOTREADY");
    expect((await rt.listContainers({ sandboxId: sb })).map((s) => s.state)).toEqual(["CONTAINER_EXITED", "CONTAINER_EXITED"]);
    await rt.removePodSandbox(sb);
    expect(await rt.listContainers({ sandboxId: sb })).toEqual([]);
    await expect(rt.containerStatus(a)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(rt.containerStatus(b)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(rt.podSandboxStatus(sb)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    expect(await podman.containersByLabel(`io.edgeplane.sandbox-id=${sb}`)).toEqual([]);
    // Idempotent.
    await rt.stopPodSandbox(sb);
    await rt.removePodSandbox(sb);
  });
});
