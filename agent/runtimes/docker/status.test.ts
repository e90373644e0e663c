// Engine container states in CRI's terms, and what the labels keep of a sandbox's config.
import { describe, expect, it } from "vitest";
import type { PodSandboxConfig } from "../runtime.js";
import { appContainerName, sandboxConfigFromLabels, sandboxContainerName, sandboxLabels } from "./labels.js";
import { containerStatusFrom, engineTime, sandboxFrom, type ContainerInspect } from "./status.js";

const ZERO = "0001-01-01T00:00:00Z";
const inspect = (state: Partial<ContainerInspect["State"]>, labels: Record<string, string> = {}): ContainerInspect => ({
  Id: "c1",
  Created: "2026-11-26T07:00:00.000000001Z",
  Image: "sha256:abc",
  Config: { Image: "busybox", Labels: { "io.edgeplane.sandbox-id": "s1", "io.edgeplane.container.name": "app", app: "x", ...labels } },
  State: { Status: "running", Running: false, ExitCode: 0, StartedAt: ZERO, FinishedAt: ZERO, ...state },
});

describe("container status", () => {
  it("reads the engine's times, with Go's zero time as 0", () => {
    expect(engineTime(ZERO)).toBe(0);
    expect(engineTime("2026-11-26T07:00:00.123456789Z")).toBe(Date.UTC(2026, 10, 26, 7, 0, 0, 123));
    expect(engineTime(undefined)).toBe(0);
  });

  it("maps states, exit codes and reasons as dockershim", () => {
    const t1 = "2026-11-26T07:00:01Z";
    const t2 = "2026-11-26T07:00:02Z";
    expect(containerStatusFrom(inspect({ Status: "running", Running: true, StartedAt: t1 }))).toMatchObject({ state: "CONTAINER_RUNNING", startedAt: Date.parse(t1), finishedAt: 0, name: "app", sandboxId: "s1", imageRef: "sha256:abc", labels: { app: "x" } });
    expect(containerStatusFrom(inspect({ Status: "exited", ExitCode: 0, StartedAt: t1, FinishedAt: t2 }))).toMatchObject({ state: "CONTAINER_EXITED", reason: "Completed", exitCode: 0, finishedAt: Date.parse(t2) });
    expect(containerStatusFrom(inspect({ Status: "exited", ExitCode: 2, StartedAt: t1, FinishedAt: t2 }), "bye")).toMatchObject({ reason: "Error", exitCode: 2, message: "bye" });
    expect(containerStatusFrom(inspect({ Status: "exited", ExitCode: 137, OOMKilled: true, StartedAt: t1, FinishedAt: t2 }))).toMatchObject({ reason: "OOMKilled" });
    // Podman's "stopped" is exited; "configured" is created.
    expect(containerStatusFrom(inspect({ Status: "stopped", ExitCode: 1, StartedAt: t1, FinishedAt: t2 })).state).toBe("CONTAINER_EXITED");
    expect(containerStatusFrom(inspect({ Status: "configured" }))).toMatchObject({ state: "CONTAINER_CREATED", startedAt: 0, exitCode: 0 });
    const cannot = containerStatusFrom(inspect({ Status: "exited", ExitCode: 127, Error: "exec: not found" }));
    expect(cannot).toMatchObject({ state: "CONTAINER_EXITED", reason: "ContainerCannotRun", message: "exec: not found", exitCode: 127 });
    expect(cannot.startedAt).toBe(cannot.createdAt);
    expect(containerStatusFrom(inspect({ Status: "removing" })).state).toBe("CONTAINER_UNKNOWN");
  });

  it("keeps a sandbox's whole config in its labels", () => {
    const config: PodSandboxConfig = {
      name: "web",
      namespace: "ns",
      uid: "u-1",
      attempt: 3,
      hostname: "h",
      hostNetwork: true,
      labels: { app: "web", "io.kubernetes.pod.name": "web" },
      annotations: { "a/b": "c d", json: '{"x":1}' },
      portMappings: [{ protocol: "TCP", containerPort: 80, hostPort: 8080 }],
      dns: { servers: ["1.1.1.1"], searches: [], options: [] },
    };
    const labels = sandboxLabels("n1", config);
    expect(sandboxConfigFromLabels(labels)).toEqual(config);
    const s = sandboxFrom({ ...inspect({ Running: true }), Config: { Image: "pause", Labels: labels }, NetworkSettings: { Networks: { "edgeplane-n1": { IPAddress: "10.1.2.3" } } } }, "edgeplane-n1");
    expect(s).toMatchObject({ state: "SANDBOX_READY", config });
    expect(s.ip).toBeUndefined(); // hostNetwork
    expect(sandboxFrom({ ...inspect({ Running: true }), Config: { Image: "pause", Labels: sandboxLabels("n1", { ...config, hostNetwork: false }) }, NetworkSettings: { Networks: { "edgeplane-n1": { IPAddress: "10.1.2.3" } } } }, "edgeplane-n1").ip).toBe("10.1.2.3");
  });

  it("names containers as dockershim did", () => {
    const config: PodSandboxConfig = { name: "web", namespace: "ns", uid: "u-1", attempt: 3, hostname: "", hostNetwork: false, labels: {}, annotations: {} };
    expect(sandboxContainerName(config)).toBe("k8s_POD_web_ns_u-1_3");
    expect(sandboxContainerName(config, true)).toMatch(/^k8s_POD_web_ns_u-1_3_[0-9a-f]{6}$/);
    expect(appContainerName(config, { name: "app", image: "x", kind: "regular", labels: {}, annotations: {} }, 0)).toBe("k8s_app_web_ns_u-1_0");
  });
});
