// Upstream's conformance tests of the node (test/e2e/common/node, node/), written from their
// descriptions against a real `edgeplane agent --runtime docker` on Podman: command and args, env
// and the downward API, $(VAR) expansion, termination messages, restart policies, init
// containers, logs, security contexts and pod status. Each `it` title starts with the upstream
// testname (docs/conformance.md cites them). Every pod is created up front so that they start
// together; each test then waits for its own. Probes, hooks and networking are in
// conformance-node-probes.test.ts, volumes in conformance-node-volume*.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient } from "./harness.js";
import { recordWatch } from "./helpers.js";
import {
  ENTRYPOINT_DEFAULT_OUTPUT,
  ENTRYPOINT_IMAGE,
  ceilUnits,
  condition,
  containerStatus,
  create,
  createPod,
  lines,
  outputOf,
  podLog,
  podOn,
  sh,
  startConformanceNode,
  stopConformanceNode,
  waitForLog,
  type ConformanceNode,
} from "./conformance-node-helpers.js";

const NODE = "conf";
let n: ConformanceNode;
let img: string;
const pod = (name: string, containers: any[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => podOn(NODE, name, containers, spec, meta);

/** `env` output as a map. */
const envOf = (text: string) => new Map(lines(text).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const resourceEnv = (name: string, resource: string) => ({ name, valueFrom: { resourceFieldRef: { resource } } });

// Upstream's restart-count script: exit 1 on the first run, 0 on the second, then run forever.
const RESTART_SCRIPT = "f=/restart-count/restartCount; count=$(echo 'hello' >> $f ; wc -l $f | awk {'print $1'}); if [ $count -eq 1 ]; then exit 1; fi; if [ $count -eq 2 ]; then exit 0; fi; while true; do sleep 1; done";


beforeAll(async () => {
  n = await startConformanceNode(NODE, "10.254.0.0/18");
  img = n.image;
  const h = n.h;
  await create(h, "/api/v1/namespaces/default/configmaps", { metadata: { name: "env-cm" }, data: { "data-1": "value-1", "data-2": "value-2", "data-3": "value-3" } });
  await create(h, "/api/v1/namespaces/default/secrets", { metadata: { name: "env-secret" }, stringData: { "data-1": "value-1", "data-2": "value-2", "data-3": "value-3" } });
  // envFrom keys as upstream's: names a shell keeps (busybox sh drops variables like data-1 from what it passes on).
  await create(h, "/api/v1/namespaces/default/configmaps", { metadata: { name: "envfrom-cm" }, data: { data_1: "value-1", data_2: "value-2", data_3: "value-3" } });
  await create(h, "/api/v1/namespaces/default/secrets", { metadata: { name: "envfrom-secret" }, stringData: { data_1: "value-1", data_2: "value-2", data_3: "value-3" } });
  const always = { restartPolicy: "Always" };
  const env = (name: string, envs: any[], extra: Record<string, unknown> = {}) => sh(img, name, "env", { env: envs, ...extra });
  const restartPod = (name: string, restartPolicy: string) =>
    pod(name, [sh(img, "c", RESTART_SCRIPT, { volumeMounts: [{ name: "restart-count", mountPath: "/restart-count" }] })], { restartPolicy, volumes: [{ name: "restart-count", emptyDir: { medium: "Memory" } }] });
  const fallback = { terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "FallbackToLogsOnError" };
  const pods = [
    pod("containers", [
      { name: "defaults", image: ENTRYPOINT_IMAGE },
      { name: "args", image: ENTRYPOINT_IMAGE, args: ["override", "arguments"] },
      { name: "command", image: ENTRYPOINT_IMAGE, command: ["/bin/echo", "command-override"] },
      { name: "command-args", image: ENTRYPOINT_IMAGE, command: ["/bin/echo", "command-override"], args: ["override", "arguments"] },
    ]),
    pod("env", [
      env("configmap-field", [{ name: "CONFIG_DATA_1", valueFrom: { configMapKeyRef: { name: "env-cm", key: "data-1" } } }]),
      env("configmap-from", [], { envFrom: [{ configMapRef: { name: "envfrom-cm" } }, { prefix: "p_", configMapRef: { name: "envfrom-cm" } }] }),
      env("secret-field", [{ name: "SECRET_DATA", valueFrom: { secretKeyRef: { name: "env-secret", key: "data-1" } } }]),
      env("secret-from", [], { envFrom: [{ secretRef: { name: "envfrom-secret" } }, { prefix: "p_", secretRef: { name: "envfrom-secret" } }] }),
      env("dapi-name-ip", [fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"), fieldEnv("POD_IP", "status.podIP")]),
      env("dapi-host-ip", [fieldEnv("HOST_IP", "status.hostIP")]),
      env("dapi-uid", [fieldEnv("POD_UID", "metadata.uid")]),
      env("dapi-resources", [resourceEnv("CPU_LIMIT", "limits.cpu"), resourceEnv("MEMORY_LIMIT", "limits.memory"), resourceEnv("CPU_REQUEST", "requests.cpu"), resourceEnv("MEMORY_REQUEST", "requests.memory")], {
        resources: { limits: { cpu: "1250m", memory: "64Mi" }, requests: { cpu: "250m", memory: "32Mi" } },
      }),
      env("dapi-default-resources", [resourceEnv("CPU_LIMIT", "limits.cpu"), resourceEnv("MEMORY_LIMIT", "limits.memory")]),
      env("expansion", [{ name: "FOO", value: "foo-value" }, { name: "BAR", value: "bar-value" }, { name: "FOOBAR", value: "$(FOO);;$(BAR)" }]),
      { name: "command-expansion", image: img, command: ["sh", "-c", 'TEST_VAR=wrong echo "$(TEST_VAR)"'], env: [{ name: "TEST_VAR", value: "test-value" }] },
      { name: "args-expansion", image: img, command: ["sh", "-c"], args: ['TEST_VAR=wrong echo "$(TEST_VAR)"'], env: [{ name: "TEST_VAR", value: "test-value" }] },
    ]),
    pod("term-log-ok", [{ name: "c", image: img, command: ["/bin/sh", "-c"], args: ["/bin/echo -n DONE; /bin/true"], ...fallback }]),
    pod("term-file-ok", [{ name: "c", image: img, command: ["/bin/sh", "-c"], args: ["/bin/echo -n OK > /dev/termination-log; /bin/echo DONE; /bin/true"], ...fallback }]),
    pod("term-log-fail", [{ name: "c", image: img, command: ["/bin/sh", "-c"], args: ["/bin/echo -n DONE; /bin/false"], ...fallback }]),
    pod("term-non-root", [{ name: "c", image: img, command: ["/bin/sh", "-c"], args: ["/bin/echo -n DONE > /dev/termination-custom-log"], terminationMessagePath: "/dev/termination-custom-log", securityContext: { runAsUser: 10000 } }]),
    restartPod("restart-always", "Always"),
    restartPod("restart-onfailure", "OnFailure"),
    restartPod("restart-never", "Never"),
    pod("init-never", [sh(img, "run1", "true")], { initContainers: [sh(img, "init1", "true"), sh(img, "init2", "true")] }),
    pod("init-always", [sh(img, "run1", "sleep 600")], { ...always, initContainers: [sh(img, "init1", "true"), sh(img, "init2", "true")] }),
    pod("init-fail-never", [sh(img, "run1", "true")], { initContainers: [sh(img, "init1", "false"), sh(img, "init2", "true")] }),
    pod("init-fail-always", [sh(img, "run1", "sleep 600")], { ...always, initContainers: [sh(img, "init1", "false"), sh(img, "init2", "true")] }),
    pod("hello", [sh(img, "c", "echo 'Hello World' ; sleep 240")]),
    pod("bin-false", [{ name: "c", image: img, command: ["/bin/false"] }]),
    pod("host-aliases", [sh(img, "c", "cat /etc/hosts")], { hostAliases: [{ ip: "123.45.67.89", hostnames: ["foo", "bar"] }] }),
    pod("etc-hosts-own", [sh(img, "c", "cat /etc/hosts", { volumeMounts: [{ name: "h", mountPath: "/etc/hosts" }] })], { volumes: [{ name: "h", hostPath: { path: "/etc/hosts", type: "File" } }] }),
    pod("etc-hosts-host-network", [sh(img, "c", "cat /etc/hosts")], { hostNetwork: true }),
    pod("read-only-root", [{ name: "c", image: img, command: ["/bin/sh", "-c", "echo test > /file"], securityContext: { readOnlyRootFilesystem: true } }]),
    pod("security", [
      sh(img, "run-as-user", "id -u", { securityContext: { runAsUser: 65534 } }),
      sh(img, "not-privileged", "ip link add dummy1 type dummy 2>&1 || true", { securityContext: { privileged: false } }),
      sh(img, "writable-root", "echo test > /file && cat /file", { securityContext: { readOnlyRootFilesystem: false } }),
      sh(img, "run-as-group", "id -u; id -g", { securityContext: { runAsUser: 1001, runAsGroup: 2002 } }),
      sh(img, "no-privilege-escalation", "id -u; grep NoNewPrivs /proc/self/status", { securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false } }),
    ]),
    pod("security-pod-level", [sh(img, "c", "id -u; id -g")], { securityContext: { runAsUser: 1001, runAsGroup: 2002 } }),
    pod("qos", [sh(img, "c", "sleep 600", { resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } } })], always),
    pod("lifecycle", [sh(img, "c", "sleep 600")], always, { labels: { time: "lifecycle-test" } }),
    pod("deadline", [sh(img, "c", "sleep 600")], always),
  ];
  await Promise.all(pods.map((p) => createPod(h, p)));
}, 240_000);

afterAll(async () => {
  await stopConformanceNode(n, NODE);
}, 120_000);

describe("Containers (command and args)", () => {
  it("Containers, without command and arguments: the image's ENTRYPOINT and CMD run", async () => {
    expect(await outputOf(n, "containers", "defaults")).toBe(`${ENTRYPOINT_DEFAULT_OUTPUT}\n`);
  });
  it("Containers, with arguments: the image's ENTRYPOINT runs with the pod's args instead of its CMD", async () => {
    expect(await outputOf(n, "containers", "args")).toBe("[image-entrypoint override arguments]\n");
  });
  it("Containers, with command: the pod's command replaces the ENTRYPOINT, and the image's CMD is dropped", async () => {
    expect(await outputOf(n, "containers", "command")).toBe("command-override\n");
  });
  it("Containers, with command and arguments: the pod's command and args replace both", async () => {
    expect(await outputOf(n, "containers", "command-args")).toBe("command-override override arguments\n");
  });
});

describe("env from ConfigMaps, Secrets and the downward API", () => {
  it("ConfigMap, from environment field: a ConfigMap key is in the environment", async () => {
    expect(envOf(await outputOf(n, "env", "configmap-field")).get("CONFIG_DATA_1")).toBe("value-1");
  });
  it("ConfigMap, from environment variables: every key of the ConfigMap, also with a prefix", async () => {
    const e = envOf(await outputOf(n, "env", "configmap-from"));
    for (const k of ["data_1", "data_2", "data_3"]) {
      expect(e.get(k)).toBe(`value-${k.slice(-1)}`);
      expect(e.get(`p_${k}`)).toBe(`value-${k.slice(-1)}`);
    }
  });
  it("Secrets, pod environment field: a Secret key is in the environment", async () => {
    expect(envOf(await outputOf(n, "env", "secret-field")).get("SECRET_DATA")).toBe("value-1");
  });
  it("Secrets, pod environment from source: every key of the Secret, also with a prefix", async () => {
    const e = envOf(await outputOf(n, "env", "secret-from"));
    expect([e.get("data_1"), e.get("data_2"), e.get("data_3"), e.get("p_data_1"), e.get("p_data_3")]).toEqual(["value-1", "value-2", "value-3", "value-1", "value-3"]);
  });
  it("DownwardAPI, environment for name, namespace and ip: POD_NAME, POD_NAMESPACE and POD_IP", async () => {
    const e = envOf(await outputOf(n, "env", "dapi-name-ip"));
    const p = n.pods.get("env");
    expect([e.get("POD_NAME"), e.get("POD_NAMESPACE")]).toEqual(["env", "default"]);
    expect(e.get("POD_IP")).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(e.get("POD_IP")).toBe(p.status.podIP);
  });
  it("DownwardAPI, environment for host ip: HOST_IP is the pod's status.hostIP", async () => {
    const e = envOf(await outputOf(n, "env", "dapi-host-ip"));
    expect(e.get("HOST_IP")).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(e.get("HOST_IP")).toBe(n.pods.get("env").status.hostIP);
  });
  it("DownwardAPI, environment for Pod UID: POD_UID is metadata.uid", async () => {
    const e = envOf(await outputOf(n, "env", "dapi-uid"));
    expect(e.get("POD_UID")).toMatch(/^[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}$/);
    expect(e.get("POD_UID")).toBe(n.pods.get("env").metadata.uid);
  });
  it("DownwardAPI, environment for CPU and memory limits and requests: in whole cores (rounded up) and bytes", async () => {
    const e = envOf(await outputOf(n, "env", "dapi-resources"));
    expect(Object.fromEntries(["CPU_LIMIT", "MEMORY_LIMIT", "CPU_REQUEST", "MEMORY_REQUEST"].map((k) => [k, e.get(k)]))).toEqual({ CPU_LIMIT: "2", MEMORY_LIMIT: "67108864", CPU_REQUEST: "1", MEMORY_REQUEST: "33554432" });
  });
  it("DownwardAPI, environment for default CPU and memory limits and requests: without limits, the node's allocatable", async () => {
    const e = envOf(await outputOf(n, "env", "dapi-default-resources"));
    const node = (await api(n.h, "GET", `/api/v1/nodes/${NODE}`)).body;
    expect(e.get("CPU_LIMIT")).toBe(String(ceilUnits(node.status.allocatable.cpu)));
    expect(e.get("MEMORY_LIMIT")).toBe(String(ceilUnits(node.status.allocatable.memory)));
    expect(Number(e.get("CPU_LIMIT"))).toBeGreaterThan(0);
  });
});

describe("Environment variable expansion", () => {
  it("Environment variables, expansion: $(FOO);;$(BAR) composes earlier variables", async () => {
    const e = envOf(await outputOf(n, "env", "expansion"));
    expect([e.get("FOO"), e.get("BAR"), e.get("FOOBAR")]).toEqual(["foo-value", "bar-value", "foo-value;;bar-value"]);
  });
  it("Environment variables, command expansion: $(TEST_VAR) in the command is replaced before the shell runs", async () => {
    expect(await outputOf(n, "env", "command-expansion")).toBe("test-value\n");
  });
  it("Environment variables, command argument expansion: $(TEST_VAR) in the args is replaced before the shell runs", async () => {
    expect(await outputOf(n, "env", "args-expansion")).toBe("test-value\n");
  });
});

describe("Container runtime: termination messages and restart policies", () => {
  const terminated = async (name: string, phase: string) => {
    const p = await n.pods.finished(name);
    expect(p.status.phase).toBe(phase);
    return containerStatus(p, "c").state.terminated;
  };
  it("Container Runtime, TerminationMessage, from log output of succeeding container: no message when it succeeds (FallbackToLogsOnError)", async () => {
    const t = await terminated("term-log-ok", "Succeeded");
    expect(t.message ?? "").toBe("");
  });
  it("Container Runtime, TerminationMessage, from file of succeeding container: the file's content", async () => {
    expect((await terminated("term-file-ok", "Succeeded")).message).toBe("OK");
  });
  it("Container Runtime, TerminationMessage, from container's log output of failing container: the end of its output (FallbackToLogsOnError)", async () => {
    expect((await terminated("term-log-fail", "Failed")).message).toBe("DONE");
  });
  it("Container Runtime, TerminationMessagePath, non-root user and non-default path: the message a uid-10000 container wrote", async () => {
    expect((await terminated("term-non-root", "Succeeded")).message).toBe("DONE");
  });

  it("Container Runtime, Restart Policy, Pod Phases: Always restarts (2), OnFailure until it succeeds (1), Never not at all (0); each can be deleted", async () => {
    const always = await n.pods.until("restart-always", "2 restarts, Running and Ready", (p) => {
      const s = p.status?.containerStatuses?.[0];
      return s?.restartCount === 2 && s.state.running && p.status.phase === "Running" && condition(p, "Ready")?.status === "True" ? p : undefined;
    }, 90_000);
    expect(containerStatus(always, "c").ready).toBe(true);
    const onFailure = await n.pods.phase("restart-onfailure", ["Succeeded"], 60_000);
    expect(containerStatus(onFailure, "c")).toMatchObject({ restartCount: 1, ready: false, state: { terminated: { exitCode: 0 } } });
    const never = await n.pods.phase("restart-never", ["Failed"], 60_000);
    expect(containerStatus(never, "c")).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 1 } } });
    expect(condition(never, "Ready")?.status).toBe("False");
    for (const name of ["restart-always", "restart-onfailure", "restart-never"]) {
      expect((await api(n.h, "DELETE", `/api/v1/namespaces/default/pods/${name}`)).status).toBe(200);
    }
    for (const name of ["restart-always", "restart-onfailure", "restart-never"]) await n.pods.gone(name, 30_000);
  }, 120_000);
});

describe("Init containers", () => {
  const initialized = (p: any) => condition(p, "Initialized");
  it("init-container-starts-app-restartnever-pod: both init containers then the app ran to completion, none restarted", async () => {
    const p = await n.pods.phase("init-never", ["Succeeded"]);
    expect(initialized(p)?.status).toBe("True");
    for (const c of ["init1", "init2", "run1"]) expect(containerStatus(p, c)).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } });
    const [i1, i2, r1] = ["init1", "init2", "run1"].map((c) => containerStatus(p, c).state.terminated);
    // In order: each starts after the one before finished.
    expect(Date.parse(i2.startedAt)).toBeGreaterThanOrEqual(Date.parse(i1.finishedAt));
    expect(Date.parse(r1.startedAt)).toBeGreaterThanOrEqual(Date.parse(i2.finishedAt));
  });
  it("init-container-starts-app-restartalways-pod: init containers completed once, the app runs and the pod is Ready", async () => {
    const p = await n.pods.until("init-always", "Running and Ready", (x) => (x.status?.phase === "Running" && condition(x, "Ready")?.status === "True" ? x : undefined));
    expect(initialized(p)?.status).toBe("True");
    for (const c of ["init1", "init2"]) expect(containerStatus(p, c)).toMatchObject({ restartCount: 0, ready: true, state: { terminated: { exitCode: 0, reason: "Completed" } } });
    expect(containerStatus(p, "run1")).toMatchObject({ restartCount: 0, ready: true, started: true });
    expect(containerStatus(p, "run1").state.running).toBeDefined();
  });
  it("init-container-fails-stops-app-restartnever-pod: a failed init container fails the pod, and the app never starts", async () => {
    const p = await n.pods.phase("init-fail-never", ["Failed"]);
    expect(initialized(p)).toMatchObject({ status: "False", reason: "ContainersNotInitialized" });
    expect(containerStatus(p, "init1").state.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(containerStatus(p, "init2").state.terminated?.startedAt).toBeUndefined();
    expect(containerStatus(p, "init2").state.running).toBeUndefined();
    const run1 = containerStatus(p, "run1");
    expect(run1.state.running).toBeUndefined();
    expect(run1.state.terminated?.startedAt).toBeUndefined();
  });
  it("init-container-fails-stops-app-restartalways-pod: the failing init container is restarted, the next one and the app never start", async () => {
    const p = await n.pods.until("init-fail-always", "init1 restarted 3 times", (x) => (containerStatus(x, "init1").restartCount >= 3 ? x : undefined), 90_000);
    expect(p.status.phase).toBe("Pending");
    expect(initialized(p)).toMatchObject({ status: "False", reason: "ContainersNotInitialized" });
    expect(containerStatus(p, "init1").lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(containerStatus(p, "init2")).toMatchObject({ restartCount: 0, state: { waiting: { reason: "PodInitializing" } } });
    expect(containerStatus(p, "run1")).toMatchObject({ restartCount: 0, state: { waiting: { reason: "PodInitializing" } } });
  }, 100_000);
});

describe("Kubelet", () => {
  it("Kubelet, log output, default: stdout goes to the pod's log", async () => {
    await n.pods.phase("hello", ["Running"]);
    const since = new Date(Date.now() - 3600_000).toISOString();
    const text = await waitForLog(n.h, "hello", "c", (t) => t.length > 0);
    expect(text).toBe("Hello World\n");
    expect(await podLog(n.h, "hello", "c", `sinceTime=${encodeURIComponent(since)}`)).toBe("Hello World\n");
  });
  it("Kubelet, failed pod, terminated reason: the one container is terminated with a non-zero exit code and a reason", async () => {
    const p = await n.pods.finished("bin-false");
    expect(p.status.containerStatuses).toHaveLength(1);
    const t = p.status.containerStatuses[0].state.terminated;
    expect(t.exitCode).not.toBe(0);
    expect(t.reason).toBe("Error");
  });
  it("Kubelet, failed pod, delete: the terminated pod can be deleted", async () => {
    await n.pods.finished("bin-false");
    expect((await api(n.h, "DELETE", "/api/v1/namespaces/default/pods/bin-false")).status).toBe(200);
    await n.pods.gone("bin-false", 30_000);
  });
  it("Kubelet, hostAliases: the aliases are in the container's /etc/hosts", async () => {
    expect(await outputOf(n, "host-aliases", "c")).toContain("# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\n");
  });
  it("Kubelet, managed etc hosts: the kubelet writes /etc/hosts, except for hostNetwork pods and containers that mount their own", async () => {
    const managed = await outputOf(n, "host-aliases", "c");
    expect(managed.startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")).toBe(true);
    expect(managed).toContain(`${n.pods.get("host-aliases").status.podIP}\thost-aliases\n`);
    expect(await outputOf(n, "etc-hosts-own", "c")).not.toContain("Kubernetes-managed");
    expect(await outputOf(n, "etc-hosts-host-network", "c")).not.toContain("Kubernetes-managed");
  });
  it("Kubelet, pod with read only root file system: a write to / fails", async () => {
    await n.pods.finished("read-only-root");
    expect(await podLog(n.h, "read-only-root", "c")).toBe("/bin/sh: can't create /file: Read-only file system\n");
  });
});

describe("Security context", () => {
  it("Security Context, runAsUser=65534: the container runs as uid 65534 and succeeds", async () => {
    expect(await outputOf(n, "security", "run-as-user")).toBe("65534\n");
  });
  it("Security Context, privileged=false.: an unprivileged container may not add a network link", async () => {
    expect(await outputOf(n, "security", "not-privileged")).toContain("Operation not permitted");
  });
  it("Security Context, readOnlyRootFilesystem=false.: the root filesystem is writable", async () => {
    expect(await outputOf(n, "security", "writable-root")).toBe("test\n");
  });
  it("Security Context, test RunAsGroup at container level: uid 1001, gid 2002", async () => {
    expect(await outputOf(n, "security", "run-as-group")).toBe("1001\n2002\n");
  });
  it("Security Context, test RunAsGroup at pod level: uid 1001, gid 2002", async () => {
    expect(await outputOf(n, "security-pod-level", "c")).toBe("1001\n2002\n");
    expect(n.pods.get("security-pod-level").status.phase).toBe("Succeeded");
  });
  it("Security Context, allowPrivilegeEscalation=false.: no_new_privs is set", async () => {
    expect(await outputOf(n, "security", "no-privilege-escalation")).toBe("1000\nNoNewPrivs:\t1\n");
  });
});

describe("Pods", () => {
  it("Pods, assigned hostip: a running pod has the node's address as status.hostIP", async () => {
    const p = await n.pods.phase("hello", ["Running"]);
    const node = (await api(n.h, "GET", `/api/v1/nodes/${NODE}`)).body;
    expect(p.status.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status.hostIP).toBe(node.status.addresses.find((a: any) => a.type === "InternalIP")?.address);
    expect(p.status.hostIPs).toEqual([{ ip: p.status.hostIP }]);
  });
  it("Pods, patching status: a running pod's status takes a patched message and reason", async () => {
    await n.pods.phase("hello", ["Running"]);
    const r = await api(n.h, "PATCH", "/api/v1/namespaces/default/pods/hello/status", { metadata: { annotations: { patchedstatus: "true" } }, status: { message: "Patched by e2e test", reason: "E2E" } });
    expect(r.status).toBe(200);
    expect(r.body.status).toMatchObject({ message: "Patched by e2e test", reason: "E2E", phase: "Running" });
    expect(r.body.metadata.annotations.patchedstatus).toBe("true");
  });
  it("Pods, QOS: a running pod whose requests equal its limits is Guaranteed", async () => {
    const p = await n.pods.phase("qos", ["Running"]);
    expect(p.status.qosClass).toBe("Guaranteed");
  });
  it("Pods, lifecycle: found by label, seen running, deleted gracefully through the watch, gone from the list", async () => {
    const list = await api(n.h, "GET", "/api/v1/namespaces/default/pods?labelSelector=time%3Dlifecycle-test");
    expect(list.body.items.map((p: any) => p.metadata.name)).toEqual(["lifecycle"]);
    await n.pods.phase("lifecycle", ["Running"]);
    const w = await recordWatch(kubeClient(n.h), "/api/v1/namespaces/default/pods", { labelSelector: "time=lifecycle-test", resourceVersion: list.body.metadata.resourceVersion });
    try {
      expect((await api(n.h, "DELETE", "/api/v1/namespaces/default/pods/lifecycle")).status).toBe(200);
      const events = await w.until((ev) => ev.some((e) => e.type === "DELETED"), 30_000, "DELETED");
      expect(events.some((e) => e.type === "MODIFIED" && e.object.metadata.deletionTimestamp)).toBe(true);
    } finally {
      w.stop();
    }
    const after = await api(n.h, "GET", "/api/v1/namespaces/default/pods?labelSelector=time%3Dlifecycle-test");
    expect(after.body.items).toEqual([]);
  });
  it.fails("Pods, ActiveDeadlineSeconds — difference: activeDeadlineSeconds is not enforced by the kubelet", async () => {
    await n.pods.phase("deadline", ["Running"]);
    const r = await api(n.h, "PATCH", "/api/v1/namespaces/default/pods/deadline", { spec: { activeDeadlineSeconds: 5 } });
    expect(r.status).toBe(200);
    const p = await n.pods.phase("deadline", ["Failed"], 15_000);
    expect(p.status.reason).toBe("DeadlineExceeded");
  }, 30_000);
});
