// The probe manager's workers: periods, initial delay, thresholds, startup gating, liveness
// holds, results by container id. Exec probes through a runtime stub under fake timers; one
// readiness probe against a real HTTP server in real time.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../../client/api-client.js";
import type { ContainerRuntime, ExecResult } from "../../runtimes/runtime.js";
import { EventRecorder } from "../events.js";
import { ProbeManager } from "./manager.js";

const T0 = Date.parse("2026-03-01T10:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

function events() {
  const list: any[] = [];
  const client = {
    transport: { connectivity: { reachable: true } },
    post: async (_p: string, e: any) => void list.push(e),
    put: async (_p: string, e: any) => void list.push(e),
  } as unknown as ApiClient;
  return { recorder: new EventRecorder(client, "n1"), list };
}

/** exec answers by the command's first word: "ok" passes, "bad" fails; calls are counted. */
function execRuntime(answers: Record<string, () => ExecResult> = {}) {
  const calls: string[] = [];
  const runtime = {
    exec: async (_id: string, cmd: string[]) => {
      calls.push(cmd.join(" "));
      const a = answers[cmd[0]];
      if (a) return a();
      return { exitCode: cmd[0] === "ok" ? 0 : 1, output: cmd[0] === "ok" ? "" : "unhealthy\n", timedOut: false };
    },
  } as unknown as ContainerRuntime;
  return { runtime, calls };
}

function pod(container: any, meta: any = {}): Pod {
  return { metadata: { name: "web", namespace: "default", uid: "u1", ...meta }, spec: { restartPolicy: "Always", containers: [{ name: "app", image: "x", ...container }] } } as unknown as Pod;
}

/** Plays the kubelet: computes the container's status from the manager's view after every result. */
function harness(p: Pod, runtime: ContainerRuntime, podIP = "10.0.0.5") {
  const ev = events();
  const synced: string[] = [];
  let containerId = "c1";
  let startedAt = Date.now();
  let running = true;
  const m = new ProbeManager({ runtime, events: ev.recorder, onResult: (key) => (synced.push(key), sync()) });
  const status = () => {
    const started = running && m.isStarted("u1", "app", containerId);
    return {
      phase: "Running",
      podIP,
      containerStatuses: [
        {
          name: "app",
          containerID: `simulated://${containerId}`,
          state: running ? { running: { startedAt: new Date(startedAt).toISOString() } } : { terminated: { exitCode: 137 } },
          started,
          ready: started && m.isReady("u1", "app", containerId),
          restartCount: 0,
          image: "x",
          imageID: "",
        },
      ],
    };
  };
  const sync = () => m.updatePodStatus(p, status() as any);
  m.addPod(p);
  sync();
  return {
    m,
    ev,
    synced,
    status,
    sync,
    replace(id: string) {
      containerId = id;
      startedAt = Date.now();
      running = true;
      sync();
    },
    exit() {
      running = false;
      sync();
    },
  };
}

const probe = (cmd: string, extra: any = {}) => ({ exec: { command: [cmd] }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...extra });

describe("ProbeManager", () => {
  it("readiness: not ready until the probe passes, then ready; onResult asks for a sync", async () => {
    vi.useFakeTimers({ now: T0 });
    const { runtime } = execRuntime();
    const h = harness(pod({ readinessProbe: probe("ok") }), runtime);
    expect(h.status().containerStatuses[0].ready).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.m.get("readiness", "c1")).toBe("Success");
    expect(h.status().containerStatuses[0].ready).toBe(true);
    expect(h.synced).toContain("default/web");
  });

  it("readiness turns false only after failureThreshold failures in a row, with an Unhealthy event each time", async () => {
    vi.useFakeTimers({ now: T0 });
    let healthy = true;
    const { runtime, calls } = execRuntime({ check: () => ({ exitCode: healthy ? 0 : 1, output: healthy ? "" : "down", timedOut: false }) });
    const h = harness(pod({ readinessProbe: probe("check", { periodSeconds: 5 }) }), runtime);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.m.get("readiness", "c1")).toBe("Success");
    healthy = false;
    await vi.advanceTimersByTimeAsync(5000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.m.get("readiness", "c1")).toBe("Success");
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.m.get("readiness", "c1")).toBe("Failure");
    expect(calls.length).toBeGreaterThanOrEqual(4); // then re-run at once while unready, as upstream's manual trigger
    const unhealthy = h.ev.list.filter((e) => e.reason === "Unhealthy");
    expect(unhealthy.at(-1).count).toBeGreaterThanOrEqual(3); // one Event, counted (the correlator)
    expect(unhealthy.at(-1)).toMatchObject({ type: "Warning", message: "Readiness probe failed: down", involvedObject: expect.objectContaining({ fieldPath: "spec.containers{app}" }) });
  });

  it("waits initialDelaySeconds after the container started", async () => {
    vi.useFakeTimers({ now: T0 });
    const { runtime, calls } = execRuntime();
    harness(pod({ livenessProbe: probe("ok", { initialDelaySeconds: 15, periodSeconds: 10 }) }), runtime);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(["ok"]);
  });

  it("startup gates liveness and readiness, then stops probing", async () => {
    vi.useFakeTimers({ now: T0 });
    let up = false;
    const { runtime, calls } = execRuntime({ boot: () => ({ exitCode: up ? 0 : 1, output: "", timedOut: false }) });
    const h = harness(pod({ startupProbe: probe("boot", { periodSeconds: 1, failureThreshold: 30 }), livenessProbe: probe("ok", { periodSeconds: 1 }), readinessProbe: probe("ok", { periodSeconds: 1 }) }), runtime);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.every((c) => c === "boot")).toBe(true);
    expect(h.status().containerStatuses[0]).toMatchObject({ started: false, ready: false });
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.m.get("startup", "c1")).toBe("Success");
    expect(h.status().containerStatuses[0]).toMatchObject({ started: true });
    calls.length = 0;
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).not.toContain("boot");
    expect(calls).toContain("ok");
    expect(h.status().containerStatuses[0].ready).toBe(true);
  });

  it("liveness failure puts the worker on hold until a new container replaces it", async () => {
    vi.useFakeTimers({ now: T0 });
    const { runtime, calls } = execRuntime();
    const h = harness(pod({ livenessProbe: probe("bad", { periodSeconds: 1, failureThreshold: 2 }) }), runtime);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.m.get("liveness", "c1")).toBe("Failure");
    const n = calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.length).toBe(n); // on hold
    h.replace("c2");
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.m.get("liveness", "c1")).toBeUndefined();
    expect(h.m.get("liveness", "c2")).toBe("Success"); // initial value until failureThreshold failures
    expect(calls.length).toBeGreaterThan(n);
    expect(h.ev.list.find((e) => e.reason === "Unhealthy")?.message).toBe("Liveness probe failed: unhealthy\n");
  });

  it("marks an exited container's probes failed, stops for a deleted pod's liveness, and removePod stops everything", async () => {
    vi.useFakeTimers({ now: T0 });
    const { runtime } = execRuntime();
    const h = harness(pod({ readinessProbe: probe("ok", { periodSeconds: 1 }), livenessProbe: probe("ok", { periodSeconds: 1 }) }), runtime);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.m.workerCount).toBe(2);
    h.exit();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.m.get("readiness", "c1")).toBe("Failure");
    h.m.removePod("u1");
    expect(h.m.workerCount).toBe(0);
    expect(h.m.get("readiness", "c1")).toBeUndefined();

    const deleted = pod({ livenessProbe: probe("ok", { periodSeconds: 1 }) }, { deletionTimestamp: "2026-03-01T10:00:00Z" });
    const d = harness(deleted, runtime);
    await vi.advanceTimersByTimeAsync(1000);
    expect(d.m.workerCount).toBe(0);
    expect(d.m.get("liveness", "c1")).toBe("Success");
  });

  it("reports a probe that cannot run as errored and keeps the previous result", async () => {
    vi.useFakeTimers({ now: T0 });
    const runtime = { exec: async () => Promise.reject(new Error("container c1 is not running")) } as unknown as ContainerRuntime;
    const h = harness(pod({ readinessProbe: probe("ok") }), runtime);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.m.get("readiness", "c1")).toBe("Failure"); // the initial value
    expect(h.ev.list[0]).toMatchObject({ reason: "Unhealthy", message: "Readiness probe errored and resulted in unknown state: container c1 is not running" });
  });

  it("probes a sidecar's readiness but not a regular init container's", () => {
    const { runtime } = execRuntime();
    const p = { metadata: { name: "w", namespace: "d", uid: "u9" }, spec: { initContainers: [{ name: "side", restartPolicy: "Always", readinessProbe: probe("ok") }, { name: "init", readinessProbe: probe("ok") }], containers: [{ name: "app" }] } } as unknown as Pod;
    const m = new ProbeManager({ runtime, events: events().recorder, onResult: () => {} });
    m.addPod(p);
    m.addPod(p);
    expect(m.workerCount).toBe(1);
    m.stop();
  });
});

describe("ProbeManager against a real HTTP server", () => {
  it("follows a readiness endpoint that goes down and comes back", async () => {
    let healthy = true;
    const server = http.createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const h = harness(pod({ readinessProbe: { httpGet: { path: "/ready", port, scheme: "HTTP" }, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 } }), { exec: async () => ({}) } as unknown as ContainerRuntime, "127.0.0.1");
      await vi.waitFor(() => expect(h.status().containerStatuses[0].ready).toBe(true), { timeout: 3000 });
      healthy = false;
      await vi.waitFor(() => expect(h.status().containerStatuses[0].ready).toBe(false), { timeout: 3000 });
      expect(h.ev.list.some((e) => e.message === "Readiness probe failed: HTTP probe failed with statuscode: 503")).toBe(true);
      healthy = true;
      await vi.waitFor(() => expect(h.status().containerStatuses[0].ready).toBe(true), { timeout: 3000 });
      h.m.stop();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
