// What the kubelet's container and sandbox configs become in the engine's create requests.
import { describe, expect, it } from "vitest";
import type { ContainerConfig, PodSandboxConfig } from "../runtime.js";
import { commandAndArgs, containerCreateBody, milliCPUToQuota, milliCPUToShares, resourcesHostConfig, sandboxCreateBody, userSpec } from "./create-config.js";

const sandbox: PodSandboxConfig = { name: "web", namespace: "ns", uid: "u1", attempt: 1, hostname: "web-0", hostNetwork: false, labels: { app: "web" }, annotations: {} };

describe("create bodies", () => {
  it("gives command and args Kubernetes' meaning", () => {
    expect(commandAndArgs({})).toEqual({});
    expect(commandAndArgs({ command: [], args: [] })).toEqual({});
    expect(commandAndArgs({ args: ["-x"] })).toEqual({ Cmd: ["-x"] });
    // command alone drops the image's CMD.
    expect(commandAndArgs({ command: ["run"] })).toEqual({ Entrypoint: ["run"], Cmd: [] });
    expect(commandAndArgs({ command: ["run"], args: ["-x"] })).toEqual({ Entrypoint: ["run"], Cmd: ["-x"] });
  });

  it("computes CPU shares, quota and memory as the kubelet", () => {
    expect([0, 1, 100, 250, 1000, 2500].map(milliCPUToShares)).toEqual([2, 2, 102, 256, 1024, 2560]);
    expect(milliCPUToQuota(250)).toEqual({ CpuQuota: 25_000, CpuPeriod: 100_000 });
    expect(milliCPUToQuota(1)).toEqual({ CpuQuota: 1000, CpuPeriod: 100_000 });
    expect(resourcesHostConfig({})).toEqual({ CpuShares: 2 });
    expect(resourcesHostConfig({ cpuLimitMillis: 500 })).toEqual({ CpuShares: 512, CpuQuota: 50_000, CpuPeriod: 100_000 });
    expect(resourcesHostConfig({ cpuRequestMillis: 100, memoryLimitBytes: 1 << 26 })).toEqual({ CpuShares: 102, Memory: 1 << 26, MemorySwap: 1 << 26 });
  });

  it("runs as uid:gid, keeping the image's user when only the group is set", () => {
    expect(userSpec(undefined)).toBeUndefined();
    expect(userSpec({ uid: 1000 })).toBe("1000");
    expect(userSpec({ uid: 1000, gid: 3000 })).toBe("1000:3000");
    expect(userSpec({ gid: 3000 }, "nobody:nogroup")).toBe("nobody:3000");
    expect(userSpec({ gid: 3000 })).toBe("0:3000");
  });

  it("puts ports, DNS and the hostname on the infra container, with the ulimits podman needs", () => {
    const body = sandboxCreateBody(
      { ...sandbox, portMappings: [{ protocol: "TCP", containerPort: 80, hostPort: 8080, hostIP: "127.0.0.1" }, { protocol: "UDP", containerPort: 53, hostPort: 0 }], dns: { servers: ["10.96.0.10"], searches: ["ns.svc"], options: ["ndots:5"] } },
      { nodeName: "n1", image: "pause:1", command: ["/pause"], network: "edgeplane-n1" },
    ) as any;
    expect(body).toMatchObject({ Image: "pause:1", Entrypoint: ["/pause"], Cmd: [], Hostname: "web-0", ExposedPorts: { "80/tcp": {} } });
    expect(body.HostConfig).toMatchObject({ NetworkMode: "edgeplane-n1", IpcMode: "shareable", PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }] }, Dns: ["10.96.0.10"], DnsSearch: ["ns.svc"], DnsOptions: ["ndots:5"] });
    expect(body.HostConfig.Ulimits).toEqual([{ Name: "nofile", Soft: 1024, Hard: 1024 }, { Name: "nproc", Soft: 1024, Hard: 1024 }]);
    expect(body.Labels).toMatchObject({ app: "web", "io.edgeplane.node": "n1", "io.edgeplane.sandbox": "true" });
    const host = sandboxCreateBody({ ...sandbox, hostNetwork: true }, { nodeName: "n1", image: "pause:1", command: ["/pause"], network: "x" }) as any;
    expect(host.HostConfig.NetworkMode).toBe("host");
    expect(host.Hostname).toBeUndefined();
  });

  it("joins app containers to the sandbox's namespaces with binds, env and labels", () => {
    const config: ContainerConfig = {
      name: "app",
      image: "busybox:1",
      env: [{ name: "A", value: "1=2" }],
      workingDir: "/w",
      mounts: [
        { hostPath: "/h/ro", containerPath: "/ro", readOnly: true },
        { hostPath: "/h/rw", containerPath: "/rw", readOnly: false },
        { hostPath: "/h/a:b", containerPath: "/ab", readOnly: true },
      ],
      terminationMessagePath: "/dev/termination-log",
      kind: "regular",
      labels: { "io.kubernetes.container.name": "app" },
      annotations: { a: "b" },
    };
    const body = containerCreateBody(config, { nodeName: "n1", sandboxId: "abc", sandbox, hostname: "web-0" }) as any;
    expect(body).toMatchObject({ Image: "busybox:1", Env: ["A=1=2"], WorkingDir: "/w", Hostname: "web-0" });
    expect(body.HostConfig).toMatchObject({ NetworkMode: "container:abc", IpcMode: "container:abc", Binds: ["/h/ro:/ro:ro", "/h/rw:/rw:rw"], Mounts: [{ Type: "bind", Source: "/h/a:b", Target: "/ab", ReadOnly: true }] });
    expect(body.Labels).toMatchObject({ "io.kubernetes.container.name": "app", "io.edgeplane.node": "n1", "io.edgeplane.sandbox-id": "abc", "io.edgeplane.termination-message-path": "/dev/termination-log" });
    expect(body.User).toBeUndefined();
  });
});
