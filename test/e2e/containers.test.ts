// Real containers end to end: `edgeplane up` (no local node) plus a real `edgeplane agent
// --runtime docker` talking to Podman's Docker-compatible service, with an image built from
// Debian's busybox-static. The seed's demo (a Deployment of busybox httpd answering on its pod
// IP, replaced when deleted, scaled, rolled to a new image), probes, CrashLoopBackOff, env and
// volumes from ConfigMaps and Secrets, the service account token, image pull failures.
// Logs, agent restarts and static pods are in containers-lifecycle.test.ts, on the same setup.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBusyboxImage, type Podman } from "../support/podman.js";
import { api, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { kubectlFor, type Kubectl } from "./kubectl-helpers.js";
import { containerSpec, deployment, eventsFor, fetchText, podsOf, readyCondition, podsOn, startContainerNode, stopContainerNode, type ContainerNode } from "./containers-helpers.js";

const NODE = "box";
const NS = "default";
let podman: Podman;
let h: Edgeplane;
let kubectl: Kubectl;
let image: string;
let image2: string;

let n: ContainerNode;

beforeAll(async () => {
  n = await startContainerNode(NODE, "10.251.0.0/16");
  ({ h, podman, image } = n);
  image2 = await ensureBusyboxImage("localhost/edgeplane-test/busybox:2");
  kubectl = kubectlFor(h);
}, 180_000);

afterAll(() => stopContainerNode(n, NODE), 120_000);

const { pod, getPod, create } = podsOn(() => h, NODE, NS);

describe("the seed's demo with real containers", () => {
  it("runs a Deployment of busybox httpd whose pods answer on their pod IPs", async () => {
    const apply = await kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(deployment("web", image, 2)) });
    expect(apply.code, apply.stderr).toBe(0);
    const pods = await until("2 web pods Ready", async () => {
      const list = await podsOf(h, "app=web");
      return list.length === 2 && list.every((p) => readyCondition(p) === "True") ? list : undefined;
    }, 60_000);
    for (const p of pods) {
      expect(p.status.podIP).toMatch(/^10\.251\.0\.\d+$/);
      expect(p.status.containerStatuses[0]).toMatchObject({ ready: true, started: true, restartCount: 0, image });
      expect(p.status.containerStatuses[0].containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
      expect(p.status.containerStatuses[0].imageID).toMatch(/sha256:[0-9a-f]{64}/);
      expect(await fetchText(`http://${p.status.podIP}/`)).toContain("edgeplane busybox");
    }
    const wide = await kubectl(["get", "pods", "-l", "app=web", "-o", "wide"]);
    expect(wide.stdout).toContain(NODE);
    for (const p of pods) expect(wide.stdout).toContain(p.status.podIP);
    const events = await eventsFor(h, pods[0].metadata.name);
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(["Scheduled", "Pulled", "Created", "Started"]));
  }, 90_000);

  it("replaces a deleted pod, scales up, and rolls out a changed image", async () => {
    const [victim] = await podsOf(h, "app=web");
    expect((await kubectl(["delete", "pod", victim.metadata.name])).code).toBe(0);
    await until("a replacement Ready", async () => {
      const list = await podsOf(h, "app=web");
      return list.length === 2 && !list.some((p) => p.metadata.name === victim.metadata.name) && list.every((p) => readyCondition(p) === "True") ? list : undefined;
    }, 60_000);
    expect((await kubectl(["scale", "deployment/web", "--replicas=3"])).code).toBe(0);
    await until("3 web pods Ready", async () => {
      const list = await podsOf(h, "app=web");
      return list.length === 3 && list.every((p) => readyCondition(p) === "True") ? list : undefined;
    }, 60_000);
    expect((await kubectl(["set", "image", "deployment/web", `httpd=${image2}`])).code).toBe(0);
    const status = await kubectl(["rollout", "status", "deployment/web", "--timeout=90s"], { timeoutMs: 100_000 });
    expect(status.code, status.stderr).toBe(0);
    const rolled = await until("3 pods on the new image", async () => {
      const list = await podsOf(h, "app=web");
      return list.length === 3 && list.every((p) => p.spec.containers[0].image === image2 && readyCondition(p) === "True") ? list : undefined;
    }, 60_000);
    for (const p of rolled) expect(await fetchText(`http://${p.status.podIP}/`)).toContain("edgeplane busybox");
  }, 240_000);
});

describe("probes and restarts", () => {
  it("restarts a container whose liveness probe fails, and records why", async () => {
    await create(pod("liveness", [containerSpec(image, "c", ["sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 600"], { livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: 1, failureThreshold: 1 } })]));
    const p = await until("a restart", async () => {
      const cur = await getPod("liveness");
      return cur?.status?.containerStatuses?.[0]?.restartCount >= 1 ? cur : undefined;
    }, 60_000);
    expect(p.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
    const events = await eventsFor(h, "liveness");
    expect(events.find((e) => e.reason === "Unhealthy")?.message).toMatch(/^Liveness probe failed: /);
    expect(events.find((e) => e.reason === "Killing")?.message).toBe("Container c failed liveness probe, will be restarted");
  }, 90_000);

  it("keeps a pod whose readiness probe fails out of Ready, and marks it Ready once the probe passes", async () => {
    await create(pod("never-ready", [containerSpec(image, "c", ["sleep", "600"], { readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 } })]));
    await create(pod("late-ready", [containerSpec(image, "c", ["sh", "-c", "sleep 4; touch /tmp/ready; sleep 600"], { readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 } })]));
    await until("late-ready Ready", async () => (readyCondition(await getPod("late-ready")) === "True" ? true : undefined), 60_000);
    const never = await getPod("never-ready");
    expect(never.status.phase).toBe("Running");
    expect(readyCondition(never)).toBe("False");
    expect(never.status.conditions.find((c: any) => c.type === "ContainersReady")).toMatchObject({ status: "False", reason: "ContainersNotReady" });
    expect(never.status.containerStatuses[0]).toMatchObject({ ready: false, started: true, restartCount: 0 });
  }, 90_000);

  it("backs off a crashing container 10 s, then 20 s (CrashLoopBackOff)", async () => {
    await create(pod("crash", [containerSpec(image, "c", ["sh", "-c", "echo crashing; exit 3"])]));
    const looping = await until("CrashLoopBackOff", async () => {
      const cur = await getPod("crash");
      return cur?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff" ? cur : undefined;
    }, 30_000);
    const cs = looping.status.containerStatuses[0];
    expect(cs.state.waiting.message).toMatch(/^back-off 10s restarting failed container=c pod=crash_default\(/);
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    // The restarts: the first at once, then after 10 s and 20 s of back-off. Each instance is seen
    // as lastState while the next waits; the third has exited once the back-off says 40s.
    const starts = new Map<string, number>();
    await until("the third restart's instance exited", async () => {
      const s = (await getPod("crash")).status.containerStatuses[0];
      const last = s.lastState?.terminated;
      if (last?.containerID && last.startedAt) starts.set(last.containerID, Date.parse(last.startedAt));
      return s.state?.waiting?.message?.startsWith("back-off 40s") ? true : undefined;
    }, 90_000);
    const sorted = [...starts.values()].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((t, i) => (t - sorted[i]) / 1000);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    // Start to start: the back-off plus the second the instance took to exit (podman reports whole seconds).
    expect(gaps.at(-2)).toBeGreaterThanOrEqual(9);
    expect(gaps.at(-2)).toBeLessThan(16);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(19);
    expect(gaps.at(-1)).toBeLessThan(27);
    const events = await eventsFor(h, "crash");
    expect(events.find((e) => e.reason === "BackOff")?.message).toMatch(/^Back-off restarting failed container c in pod crash_default\(/);
  }, 120_000);

  it("ends a restartPolicy Never pod in Succeeded or Failed with the exit code", async () => {
    await create(pod("job-ok", [containerSpec(image, "c", ["sh", "-c", "exit 0"])], { restartPolicy: "Never" }));
    await create(pod("job-fail", [containerSpec(image, "c", ["sh", "-c", "echo bad > /dev/termination-log; exit 7"])], { restartPolicy: "Never" }));
    const ok = await until("Succeeded", async () => ((await getPod("job-ok")).status?.phase === "Succeeded" ? await getPod("job-ok") : undefined), 60_000);
    expect(ok.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    const failed = await until("Failed", async () => ((await getPod("job-fail")).status?.phase === "Failed" ? await getPod("job-fail") : undefined), 60_000);
    expect(failed.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 7, reason: "Error", message: "bad\n" });
  }, 90_000);
});

describe("what a container is given", () => {
  it("passes env from values, the downward API, a ConfigMap and a Secret, and expands $(VAR) in args", async () => {
    await api(h, "POST", `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: "cfg" }, data: { color: "blue", size: "L" } });
    await api(h, "POST", `/api/v1/namespaces/${NS}/secrets`, { metadata: { name: "sec" }, stringData: { password: "s3cr3t" } });
    await create(
      pod("env", [
        containerSpec(image, "c", ["sh", "-c"], {
          args: ['echo "name=$POD_NAME ip=$POD_IP color=$COLOR pw=$PASSWORD size=$CFG_size greet=$(GREETING)"; sleep 600'],
          env: [
            { name: "GREETING", value: "hello" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "COLOR", valueFrom: { configMapKeyRef: { name: "cfg", key: "color" } } },
            { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "sec", key: "password" } } },
          ],
          envFrom: [{ prefix: "CFG_", configMapRef: { name: "cfg" } }],
        }),
      ]),
    );
    const p = await until("env Running", async () => ((await getPod("env")).status?.phase === "Running" ? await getPod("env") : undefined), 60_000);
    const logs = await until("the env line", async () => {
      const r = await kubectl(["logs", "env"]);
      return r.stdout.includes("name=") ? r.stdout : undefined;
    }, 30_000);
    expect(logs.trim()).toBe(`name=env ip=${p.status.podIP} color=blue pw=s3cr3t size=L greet=hello`);
  }, 90_000);

  it("leaves a container waiting with CreateContainerConfigError for a missing key", async () => {
    await create(pod("bad-env", [containerSpec(image, "c", ["sleep", "600"], { env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope" } } }] })]));
    const p = await until("CreateContainerConfigError", async () => {
      const cur = await getPod("bad-env");
      return cur?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError" ? cur : undefined;
    }, 30_000);
    expect(p.status.containerStatuses[0].state.waiting.message).toBe("couldn't find key nope in ConfigMap default/cfg");
  }, 60_000);

  it("mounts a configMap volume that follows the ConfigMap, and the service account token", async () => {
    await create(
      pod("vol", [
        containerSpec(image, "c", ["sh", "-c", "while true; do echo \"color=$(cat /etc/cfg/color) ns=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)\"; sleep 1; done"], {
          volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg", readOnly: true }],
        }),
      ], { volumes: [{ name: "cfg", configMap: { name: "cfg" } }] }),
    );
    await until("blue", async () => ((await kubectl(["logs", "vol", "--tail", "1"])).stdout.includes("color=blue ns=default") ? true : undefined), 60_000);
    await api(h, "PATCH", `/api/v1/namespaces/${NS}/configmaps/cfg`, { data: { color: "green" } });
    await until("green", async () => ((await kubectl(["logs", "vol", "--tail", "1"])).stdout.includes("color=green") ? true : undefined), 30_000);
  }, 120_000);

  it("gives the pod a token the API accepts as its service account", async () => {
    await create(pod("sa", [containerSpec(image, "c", ["sh", "-c", "cat /var/run/secrets/kubernetes.io/serviceaccount/token; echo; sleep 600"])]));
    const token = await until("the token", async () => {
      const out = (await kubectl(["logs", "sa"])).stdout.trim();
      return out.split(".").length === 3 ? out : undefined;
    }, 60_000);
    const r = await api(h, "GET", "/apis/authentication.k8s.io/v1", undefined, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    const denied = await api(h, "GET", "/api/v1/namespaces/kube-system/secrets", undefined, { authorization: `Bearer ${token}` });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("system:serviceaccount:default:default");
  }, 90_000);

  it("reports ErrImagePull then ImagePullBackOff for an image no registry has", async () => {
    await create(pod("no-image", [{ name: "c", image: "localhost/edgeplane-test/missing:1" }]));
    const p = await until("ImagePullBackOff", async () => {
      const cur = await getPod("no-image");
      return cur?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff" ? cur : undefined;
    }, 90_000);
    expect(p.status.containerStatuses[0].state.waiting.message).toBe('Back-off pulling image "localhost/edgeplane-test/missing:1"');
    const reasons = (await eventsFor(h, "no-image")).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["Pulling", "Failed", "BackOff"]));
    const never = { ...pod("never-pull", [{ name: "c", image: "localhost/edgeplane-test/missing:1", imagePullPolicy: "Never" }]) };
    await create(never);
    const n = await until("ErrImageNeverPull", async () => {
      const cur = await getPod("never-pull");
      return cur?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImageNeverPull" ? cur : undefined;
    }, 60_000);
    expect(n.status.containerStatuses[0].state.waiting.message).toBe('Container image "localhost/edgeplane-test/missing:1" is not present with pull policy of Never');
  }, 120_000);
});
