// Upstream's conformance tests of container probes, lifecycle hooks and pod networking
// (test/e2e/common/node/container_probe.go, lifecycle_hook.go, node/pre_stop.go,
// common/network/networking.go), written from their descriptions against a real `edgeplane agent
// --runtime docker` on Podman. Probes run every second with short delays (upstream's take minutes);
// busybox httpd stands in for upstream's servers: with -vv it logs each request a hook or probe
// makes. Each `it` title starts with the upstream testname (docs/conformance.md cites them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./harness.js";
import { condition, containerStatus, createPod, lines, outputOf, podLog, podOn, sh, startConformanceNode, stopConformanceNode, waitForLog, type ConformanceNode } from "./conformance-node-helpers.js";

const NODE = "conf-probe";
let n: ConformanceNode;
let img: string;
const pod = (name: string, containers: any[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => podOn(NODE, name, containers, spec, meta);
/** How long a container has been running, by its status. */
const runningFor = (p: any, c: string) => Date.now() - Date.parse(containerStatus(p, c).state.running?.startedAt ?? new Date().toISOString());
const HOOK_PATHS = ["poststart-exec", "poststart-http", "prestop-exec", "prestop-http", "prestop-pod"];

/** The hook pods and the network client need the servers' addresses. */
async function createServersAndDependents(): Promise<void> {
  const server = await n.pods.until("hook-server", "a pod IP", (p) => p.status?.phase === "Running" && p.status.podIP);
  const always = { restartPolicy: "Always", terminationGracePeriodSeconds: 5 };
  const wget = (path: string) => ["sh", "-c", `wget -qO- http://${server}:8080/${path}`];
  const net0 = await n.pods.until("netserver-0", "a pod IP", (p) => p.status?.phase === "Running" && p.status.podIP);
  const net1 = await n.pods.until("netserver-1", "a pod IP", (p) => p.status?.phase === "Running" && p.status.podIP);
  await Promise.all([
    createPod(n.h, pod("poststart-exec", [sh(img, "c", "sleep 600", { lifecycle: { postStart: { exec: { command: wget("poststart-exec") } } } })], always)),
    createPod(n.h, pod("poststart-http", [sh(img, "c", "sleep 600", { lifecycle: { postStart: { httpGet: { host: server, port: 8080, path: "/poststart-http" } } } })], always)),
    createPod(n.h, pod("prestop-exec", [sh(img, "c", "sleep 600", { lifecycle: { preStop: { exec: { command: wget("prestop-exec") } } } })], always)),
    createPod(n.h, pod("prestop-http", [sh(img, "c", "sleep 600", { lifecycle: { preStop: { httpGet: { host: server, port: 8080, path: "/prestop-http" } } } })], always)),
    createPod(n.h, pod("prestop-pod", [sh(img, "c", "sleep 600", { lifecycle: { preStop: { exec: { command: wget("prestop-pod") } } } })], always)),
    createPod(n.h, pod("net-client", [sh(img, "c", `for ip in ${net0} ${net1}; do wget -qO- http://$ip:8080/hostname; done`)])),
  ]);
}

beforeAll(async () => {
  n = await startConformanceNode(NODE, "10.254.64.0/18");
  img = n.image;
  const always = { restartPolicy: "Always" };
  const pods = [
    // Exec probes get 5 s: an exec through the engine's API can take over a second on a busy machine, and a timed-out exec fails.
    pod("liveness-ok", [
      sh(img, "http", "mkdir -p /w && echo ok > /w/index.html && httpd -f -vv -p 8080 -h /w", { livenessProbe: { httpGet: { path: "/", port: 8080 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 } }),
      sh(img, "exec", "echo ok > /tmp/health; sleep 600", { livenessProbe: { exec: { command: ["cat", "/tmp/health"] }, initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 1 } }),
      sh(img, "tcp", "mkdir -p /w && httpd -f -p 8081 -h /w", { livenessProbe: { tcpSocket: { port: 8081 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 } }),
    ], always),
    pod("liveness-restart", [
      sh(img, "http", "mkdir -p /w && echo ok > /w/healthz && httpd -p 8080 -h /w && sleep 3 && rm /w/healthz && sleep 600", { livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 } }),
      sh(img, "exec", "echo ok > /tmp/health; sleep 3; rm /tmp/health; sleep 600", { livenessProbe: { exec: { command: ["cat", "/tmp/health"] }, initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 1 } }),
    ], always),
    pod("readiness-delay", [sh(img, "c", "sleep 600", { readinessProbe: { exec: { command: ["true"] }, initialDelaySeconds: 6, periodSeconds: 1 } })], always),
    pod("readiness-fail", [sh(img, "c", "sleep 600", { readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 } })], always),
    pod("hook-server", [sh(img, "c", `mkdir -p /w && for p in ${HOOK_PATHS.join(" ")}; do echo ok > /w/$p; done && httpd -f -vv -p 8080 -h /w`)], always),
    pod("netserver-0", [sh(img, "c", "mkdir -p /w && hostname > /w/hostname && httpd -f -p 8080 -h /w")], always),
    pod("netserver-1", [sh(img, "c", "mkdir -p /w && hostname > /w/hostname && httpd -f -p 8080 -h /w")], always),
  ];
  await Promise.all(pods.map((p) => createPod(n.h, p)));
  await createServersAndDependents();
}, 240_000);

afterAll(async () => {
  await stopConformanceNode(n, NODE);
}, 120_000);

describe("Container probes", () => {
  /** Waits until the pod's containers have run `ms` since their start. */
  const ranFor = (name: string, containers: string[], ms: number) =>
    n.pods.until(name, `running ${ms / 1000}s`, (p) => (p.status?.phase === "Running" && containers.every((c) => containerStatus(p, c).state.running && runningFor(p, c) >= ms) ? p : undefined), 60_000 + ms);

  it("Pod liveness probe, using http endpoint, failure: a probe that passes never restarts the container", async () => {
    const p = await ranFor("liveness-ok", ["http"], 10_000);
    expect(containerStatus(p, "http").restartCount).toBe(0);
    // The probes did run: busybox httpd logs each request.
    const probes = lines(await podLog(n.h, "liveness-ok", "http")).filter((l) => l.endsWith(" url:/"));
    expect(probes.length).toBeGreaterThanOrEqual(5);
  }, 90_000);
  it("Pod liveness probe, using local file, no restart: cat of a file that exists keeps restartCount 0", async () => {
    const p = await ranFor("liveness-ok", ["exec"], 10_000);
    expect(containerStatus(p, "exec").restartCount).toBe(0);
  }, 90_000);
  it("Pod liveness probe, using tcp socket, no restart: an open port keeps restartCount 0", async () => {
    const p = await ranFor("liveness-ok", ["tcp"], 10_000);
    expect(containerStatus(p, "tcp").restartCount).toBe(0);
  }, 90_000);
  it("Pod liveness probe, using http endpoint, restart: /healthz answering 404 gets the container killed and restarted", async () => {
    const p = await n.pods.until("liveness-restart", "http restarted", (x) => (containerStatus(x, "http").restartCount >= 1 ? x : undefined));
    expect(containerStatus(p, "http").lastState.terminated).toBeDefined();
  });
  it("Pod liveness probe, using local file, restart: the file removed gets the container killed and restarted", async () => {
    const p = await n.pods.until("liveness-restart", "exec restarted", (x) => (containerStatus(x, "exec").restartCount >= 1 ? x : undefined));
    expect(containerStatus(p, "exec").lastState.terminated).toBeDefined();
  });
  it("Pod liveness probe, using http endpoint, multiple restarts (slow): the restart count goes up one at a time (seen to 3)", async () => {
    const seen: number[] = [];
    await n.pods.until("liveness-restart", "3 restarts of http", (x) => {
      const c = containerStatus(x, "http").restartCount;
      if (seen.at(-1) !== c) seen.push(c);
      return c >= 3 ? true : undefined;
    }, 120_000);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1] + 1);
  }, 130_000);
  it("Pod readiness probe, with initial delay: Ready only after initialDelaySeconds, never restarted", async () => {
    const p = await n.pods.until("readiness-delay", "Ready", (x) => (condition(x, "Ready")?.status === "True" ? x : undefined));
    const started = Date.parse(containerStatus(p, "c").state.running.startedAt);
    const ready = Date.parse(condition(p, "Ready").lastTransitionTime);
    // initialDelaySeconds 6; the two times are given to the second.
    expect(ready - started).toBeGreaterThanOrEqual(5000);
    expect(containerStatus(p, "c").restartCount).toBe(0);
  });
  it("Pod readiness probe, failure: a probe that always fails leaves the pod not Ready, not restarted", async () => {
    const p = await ranFor("readiness-fail", ["c"], 10_000);
    expect(condition(p, "Ready")?.status).toBe("False");
    expect(containerStatus(p, "c")).toMatchObject({ ready: false, restartCount: 0 });
  }, 90_000);
});

describe("Container lifecycle hooks", () => {
  const serverLog = () => podLog(n.h, "hook-server", "c");
  const deleteAndWait = async (name: string) => {
    await n.pods.phase(name, ["Running"]);
    expect((await api(n.h, "DELETE", `/api/v1/namespaces/default/pods/${name}`)).status).toBe(200);
    await n.pods.gone(name, 30_000);
  };
  it("Pod Lifecycle, post start exec hook: the hook ran in the container and reached the server", async () => {
    await n.pods.phase("poststart-exec", ["Running"]);
    await waitForLog(n.h, "hook-server", "c", (t) => t.includes("url:/poststart-exec"), 20_000);
  });
  it("Pod Lifecycle, post start http hook: the kubelet asked the server", async () => {
    await n.pods.phase("poststart-http", ["Running"]);
    await waitForLog(n.h, "hook-server", "c", (t) => t.includes("url:/poststart-http"), 20_000);
  });
  it("Pod Lifecycle, prestop exec hook: deleting the pod ran the hook before the container stopped", async () => {
    expect(await serverLog()).not.toContain("url:/prestop-exec");
    await deleteAndWait("prestop-exec");
    expect(await serverLog()).toContain("url:/prestop-exec");
  });
  it("Pod Lifecycle, prestop http hook: deleting the pod made the kubelet ask the server", async () => {
    expect(await serverLog()).not.toContain("url:/prestop-http");
    await deleteAndWait("prestop-http");
    expect(await serverLog()).toContain("url:/prestop-http");
  });
  it("Pods, prestop hook: the server saw the tester's preStop request before the pod was gone", async () => {
    expect(await serverLog()).not.toContain("url:/prestop-pod");
    await deleteAndWait("prestop-pod");
    expect(await serverLog()).toContain("url:/prestop-pod");
  });
});

describe("Pod networking", () => {
  it("Networking, intra pod http: a pod reaches each server pod on its pod IP, and each answers with its own hostname", async () => {
    expect(lines(await outputOf(n, "net-client", "c"))).toEqual(["netserver-0", "netserver-1"]);
  });
  it("Networking, intra pod http, from node: the node reaches each server pod on its pod IP", async () => {
    for (const name of ["netserver-0", "netserver-1"]) {
      const ip = n.pods.get(name).status.podIP;
      const res = await fetch(`http://${ip}:8080/hostname`, { signal: AbortSignal.timeout(5000) });
      expect((await res.text()).trim()).toBe(name);
    }
  });
});
