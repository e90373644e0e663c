// The simulated runtime: what it reports is what the kubelet's tests and the scale runs rely on.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cidrContains, parseCidr } from "../network/ipam.js";
import { NotSupportedError, RuntimeNotFoundError, type ContainerConfig, type PodSandboxConfig } from "./runtime.js";
import { SimulatedRuntime, simulatedRuntime } from "./simulated.js";

const sandboxConfig = (name = "web", hostNetwork = false): PodSandboxConfig => ({ name, namespace: "default", uid: `uid-${name}`, attempt: 0, hostname: name, hostNetwork, labels: {}, annotations: {} });
const container = (name: string, kind: ContainerConfig["kind"] = "regular"): ContainerConfig => ({ name, image: "nginx:1.27", kind, labels: { "io.kubernetes.container.name": name }, annotations: {} });

afterEach(() => {
  vi.useRealTimers();
});

describe("SimulatedRuntime", () => {
  it("says what it is, as the Node's containerRuntimeVersion shows it", async () => {
    const rt = simulatedRuntime.create({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    expect(await rt.version()).toEqual({ runtimeName: "simulated", runtimeVersion: "0.1.0", runtimeApiVersion: "v1" });
    expect(simulatedRuntime).toMatchObject({ name: "simulated", multiNode: true, simulatedAddresses: true });
  });

  it("gives each sandbox a distinct address in the node's pod CIDR, and none with hostNetwork", async () => {
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.7.0/24" });
    const cidr = parseCidr("10.244.7.0/24")!;
    const ips = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = await rt.podSandboxStatus(await rt.runPodSandbox(sandboxConfig(`p${i}`)));
      expect(s.state).toBe("SANDBOX_READY");
      expect(cidrContains(cidr, s.ip!)).toBe(true);
      ips.add(s.ip!);
    }
    expect(ips.size).toBe(20);
    expect(ips.has("10.244.7.0")).toBe(false);
    expect(ips.has("10.244.7.1")).toBe(false);
    const host = await rt.podSandboxStatus(await rt.runPodSandbox(sandboxConfig("h", true)));
    expect(host.ip).toBeUndefined();
  });

  it("runs a started container at once and completes an init container at once with exit code 0", async () => {
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" }, () => 1000);
    const sb = await rt.runPodSandbox(sandboxConfig());
    const init = await rt.createContainer(sb, container("init", "init"));
    const app = await rt.createContainer(sb, container("app"));
    expect((await rt.containerStatus(app)).state).toBe("CONTAINER_CREATED");
    await rt.startContainer(init);
    await rt.startContainer(app);
    expect(await rt.containerStatus(init)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0, reason: "Completed", startedAt: 1000, finishedAt: 1000 });
    expect(await rt.containerStatus(app)).toMatchObject({ state: "CONTAINER_RUNNING", startedAt: 1000, image: "nginx:1.27", imageRef: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect((await rt.listContainers({ sandboxId: sb })).map((c) => c.name).sort()).toEqual(["app", "init"]);
  });

  it("stops a container at the end of its grace period, as a process that ignores SIGTERM; a shorter one brings it forward", async () => {
    vi.useFakeTimers();
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    const sb = await rt.runPodSandbox(sandboxConfig());
    const id = await rt.createContainer(sb, container("app"));
    await rt.startContainer(id);
    let stopped = false;
    const first = rt.stopContainer(id, 30).then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    expect((await rt.containerStatus(id)).state).toBe("CONTAINER_RUNNING");
    let second = false;
    const shorter = rt.stopContainer(id, 2).then(() => (second = true));
    await vi.advanceTimersByTimeAsync(1_900);
    expect(stopped || second).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all([first, shorter]);
    expect(stopped && second).toBe(true);
    expect(await rt.containerStatus(id)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 137, reason: "Error" });
  });

  it("stops at once with a grace period of 0, and a longer second request does not delay it", async () => {
    vi.useFakeTimers();
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    const sb = await rt.runPodSandbox(sandboxConfig());
    const a = await rt.createContainer(sb, container("a"));
    await rt.startContainer(a);
    await rt.stopContainer(a, 0);
    expect((await rt.containerStatus(a)).state).toBe("CONTAINER_EXITED");
    const b = await rt.createContainer(sb, container("b"));
    await rt.startContainer(b);
    const p1 = rt.stopContainer(b, 1);
    const p2 = rt.stopContainer(b, 60);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([p1, p2]);
    expect((await rt.containerStatus(b)).state).toBe("CONTAINER_EXITED");
  });

  it("releases the address when the sandbox stops and forgets everything when it is removed", async () => {
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/30" }); // room for one pod (.2)
    const sb = await rt.runPodSandbox(sandboxConfig("a"));
    const id = await rt.createContainer(sb, container("app"));
    await rt.startContainer(id);
    await expect(rt.runPodSandbox(sandboxConfig("b"))).rejects.toThrow(/no free pod address/);
    await rt.stopPodSandbox(sb);
    expect((await rt.containerStatus(id)).state).toBe("CONTAINER_EXITED");
    expect((await rt.podSandboxStatus(sb)).state).toBe("SANDBOX_NOTREADY");
    await rt.removePodSandbox(sb);
    await expect(rt.podSandboxStatus(sb)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(rt.containerStatus(id)).rejects.toBeInstanceOf(RuntimeNotFoundError);
    expect(await rt.listPodSandboxes()).toEqual([]);
    expect((await rt.podSandboxStatus(await rt.runPodSandbox(sandboxConfig("b")))).ip).toBe("10.244.0.2");
  });

  it("has no logs to give", async () => {
    const rt = new SimulatedRuntime({ nodeName: "n", podCIDR: "10.244.0.0/24" });
    await expect(rt.containerLogs()).rejects.toBeInstanceOf(NotSupportedError);
  });
});
