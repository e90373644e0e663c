// Real kubectl against `edgeplane up`: the tables `kubectl get` prints (server-side Table
// printing, default and -o wide) for every served kind, the output flags (-A, --show-labels,
// -l, --field-selector, -o name|yaml|json|jsonpath, --no-headers), `get -w`, and `describe`.
// Status is set with `kubectl patch --subresource=status`, as a kubelet or controller would; the
// Deployment and ReplicaSet controllers run, so their status comes from pods the test marks ready.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markReady } from "./stand-in-kubelet.js";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually } from "./helpers.js";
import {
  AGE,
  hasKubectl,
  kubectlFor,
  manifestDir,
  rowOf,
  startKubectl,
  table,
  tables,
  warnIfNoKubectl,
  type Kubectl,
} from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-get");

let h: Edgeplane;
let k: Kubectl;
let files: ReturnType<typeof manifestDir>;

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const json = (o: unknown) => JSON.stringify(o);
const statusPatch = (kind: string, name: string, ns: string, status: unknown) =>
  k.ok(["patch", kind, name, "-n", ns, "--subresource=status", "--type=merge", "-p", json({ status })]);
const createJson = (name: string, items: unknown[]) =>
  k.ok(["create", "-f", files.write(name, json({ apiVersion: "v1", kind: "List", items }))]);
const podNames = async (ns: string, selector: string) =>
  (await k.ok(["get", "pods", "-n", ns, "-l", selector, "-o", "jsonpath={.items[*].metadata.name}"])).split(" ").filter(Boolean);
/**
 * Acts as the kubelet: waits until `total` pods match `selector` (a controller creates them),
 * then marks `ready` of them Running with every container ready and a Ready condition.
 */
async function markPodsReady(ns: string, selector: string, total: number, ready: number): Promise<void> {
  const pods = await eventually(async () => {
    const names = await podNames(ns, selector);
    expect(names).toHaveLength(total);
    return names;
  });
  for (const pod of pods.slice(0, ready)) {
    expect(await markReady(h, JSON.parse(await k.ok(["get", "pod", pod, "-n", ns, "-o", "json"])), ago(5))).toBe(true);
  }
}
/** Reads an object as JSON until `check` passes on it (the controllers catching up). */
const waitFor = (kind: string, name: string, ns: string, check: (o: any) => void) =>
  eventually(async () => check(JSON.parse(await k.ok(["get", kind, name, "-n", ns, "-o", "json"]))), 15_000, 100);

describe.skipIf(!hasKubectl)("kubectl get: table printers", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir();
    for (const ns of ["pods", "apps", "batch", "net", "cfg", "evs", "sel"]) await k.ok(["create", "namespace", ns]);
  });
  afterAll(async () => {
    files?.remove();
    await h?.stop();
  });

  describe("pods", () => {
    beforeAll(async () => {
      const pod = (name: string, extra: Record<string, unknown> = {}) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "pods", labels: { app: name, tier: "web" } },
        spec: { containers: [{ name: "c", image: "nginx:1.25" }], ...extra },
      });
      await createJson("pods.json", [
        pod("pending"),
        pod("running", { nodeName: "node-1" }),
        pod("done", { restartPolicy: "Never" }),
        pod("crash"),
        pod("creating"),
        pod("term", { nodeName: "node-1" }),
      ]);
      const cs = (state: unknown, extra: Record<string, unknown> = {}) => [
        { name: "c", image: "nginx:1.25", imageID: "", ready: false, restartCount: 0, state, ...extra },
      ];
      await statusPatch("pod", "running", "pods", {
        phase: "Running",
        podIP: "10.244.0.5",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: cs({ running: { startedAt: ago(60) } }, { ready: true, started: true }),
      });
      await statusPatch("pod", "done", "pods", {
        phase: "Succeeded",
        containerStatuses: cs({ terminated: { exitCode: 0, reason: "Completed", startedAt: ago(30), finishedAt: ago(20) } }),
      });
      await statusPatch("pod", "crash", "pods", {
        phase: "Running",
        containerStatuses: cs(
          { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } },
          { restartCount: 5, lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: ago(130), finishedAt: ago(125) } } },
        ),
      });
      await statusPatch("pod", "creating", "pods", { phase: "Pending", containerStatuses: cs({ waiting: { reason: "ContainerCreating" } }) });
      // A pod bound to a node is deleted gracefully: it stays, with a deletionTimestamp, until its kubelet confirms.
      expect(await k.ok(["delete", "pod", "term", "-n", "pods", "--wait=false"])).toBe('pod "term" deleted\n');
    });

    it("get pods: NAME READY STATUS RESTARTS AGE with Running, Completed, CrashLoopBackOff, ContainerCreating, Terminating", async () => {
      const t = table(await k.ok(["get", "pods", "-n", "pods"]));
      expect(t.headers).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
      expect(t.rows.map((r) => r.NAME)).toEqual(["crash", "creating", "done", "pending", "running", "term"]);
      expect(rowOf(t, "pending")).toMatchObject({ READY: "0/1", STATUS: "Pending", RESTARTS: "0" });
      expect(rowOf(t, "running")).toMatchObject({ READY: "1/1", STATUS: "Running", RESTARTS: "0" });
      expect(rowOf(t, "done")).toMatchObject({ READY: "0/1", STATUS: "Completed", RESTARTS: "0" });
      expect(rowOf(t, "crash")).toMatchObject({ READY: "0/1", STATUS: "CrashLoopBackOff" });
      expect(rowOf(t, "crash").RESTARTS).toMatch(/^5 \(2m(\d+s)? ago\)$/);
      expect(rowOf(t, "creating")).toMatchObject({ READY: "0/1", STATUS: "ContainerCreating", RESTARTS: "0" });
      expect(rowOf(t, "term")).toMatchObject({ READY: "0/1", STATUS: "Terminating", RESTARTS: "0" });
      for (const r of t.rows) expect(r.AGE).toMatch(AGE);
    });

    it("get pods -o wide adds IP NODE NOMINATED NODE READINESS GATES", async () => {
      const t = table(await k.ok(["get", "pods", "-n", "pods", "-o", "wide"]));
      expect(t.headers).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
      expect(rowOf(t, "running")).toMatchObject({ IP: "10.244.0.5", NODE: "node-1", "NOMINATED NODE": "<none>", "READINESS GATES": "<none>" });
      expect(rowOf(t, "pending")).toMatchObject({ IP: "<none>", NODE: "<none>", "NOMINATED NODE": "<none>", "READINESS GATES": "<none>" });
      expect(rowOf(t, "term")).toMatchObject({ STATUS: "Terminating", NODE: "node-1" });
    });

    it("get pod NAME prints exactly one row; --no-headers drops the header", async () => {
      const out = await k.ok(["get", "pod", "running", "-n", "pods"]);
      expect(out).toMatch(/^NAME {6}READY {3}STATUS {4}RESTARTS {3}AGE\nrunning {3}1\/1 {5}Running {3}0 {10}\d+[smh]\S*\n$/);
      const nh = await k.ok(["get", "pods", "-n", "pods", "--no-headers"]);
      expect(nh).not.toMatch(/NAME/);
      expect(nh.trim().split("\n").map((l) => l.split(/\s+/)[0])).toEqual(["crash", "creating", "done", "pending", "running", "term"]);
    });

    it("describe shows IPs", async () => {
      expect(await k.ok(["get", "pod", "running", "-n", "pods", "-o", "jsonpath={.status.podIPs[*].ip}"])).toBe("10.244.0.5");
      expect(await k.ok(["describe", "pod", "running", "-n", "pods"])).toMatch(/\nIPs:\n  IP:  10\.244\.0\.5\n/);
    });
  });

  describe("apps", () => {
    beforeAll(async () => {
      const tmpl = (app: string) => ({
        metadata: { labels: { app } },
        spec: { containers: [{ name: "web", image: "nginx:1.25" }, { name: "side", image: "busybox:1.36" }] },
      });
      await createJson("apps.json", [
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: tmpl("web") } },
        { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-5d8f", namespace: "apps" }, spec: { replicas: 2, selector: { matchLabels: { app: "rs" } }, template: tmpl("rs") } },
        { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db", namespace: "apps" }, spec: { replicas: 3, serviceName: "db", selector: { matchLabels: { app: "db" } }, template: tmpl("db") } },
        { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "apps" }, spec: { selector: { matchLabels: { app: "agent" } }, template: { ...tmpl("agent"), spec: { ...tmpl("agent").spec, nodeSelector: { disk: "ssd" } } } } },
      ]);
      // The Deployment and ReplicaSet controllers create the pods (web's through its own ReplicaSet)
      // and count them; as the kubelet, the test makes 2 of web's 3 pods ready and 1 of web-5d8f's 2.
      await markPodsReady("apps", "app=web", 3, 2);
      await markPodsReady("apps", "app=rs", 2, 1);
      await waitFor("deployment", "web", "apps", (d) =>
        expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 }),
      );
      await waitFor("replicaset", "web-5d8f", "apps", (rs) => expect(rs.status).toMatchObject({ replicas: 2, readyReplicas: 1, availableReplicas: 1 }));
      // No controller runs for StatefulSets and DaemonSets: their status is written as theirs would.
      await statusPatch("statefulset", "db", "apps", { replicas: 3, readyReplicas: 1, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 1 });
      await statusPatch("daemonset", "agent", "apps", { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1, numberMisscheduled: 0 });
    });

    it("deployments: NAME READY UP-TO-DATE AVAILABLE AGE; wide CONTAINERS IMAGES SELECTOR", async () => {
      const t = table(await k.ok(["get", "deployments", "-n", "apps"]));
      expect(t.headers).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
      expect(t.rows).toEqual([{ NAME: "web", READY: "2/3", "UP-TO-DATE": "3", AVAILABLE: "2", AGE: expect.stringMatching(AGE) }]);
      const w = table(await k.ok(["get", "deploy", "-n", "apps", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(w.rows[0]).toMatchObject({ CONTAINERS: "web,side", IMAGES: "nginx:1.25,busybox:1.36", SELECTOR: "app=web" });
    });

    it("replicasets: NAME DESIRED CURRENT READY AGE; wide CONTAINERS IMAGES SELECTOR", async () => {
      // web-5d8f, and the ReplicaSet the Deployment controller made for web (named by its pod-template-hash).
      const webRs = JSON.parse(await k.ok(["get", "rs", "-n", "apps", "-l", "app=web", "-o", "json"])).items;
      expect(webRs).toHaveLength(1);
      const hash: string = webRs[0].metadata.labels["pod-template-hash"];
      expect(webRs[0].metadata.name).toBe(`web-${hash}`);
      const t = table(await k.ok(["get", "rs", "-n", "apps"]));
      expect(t.headers).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
      expect(t.rows).toEqual(
        [
          { NAME: "web-5d8f", DESIRED: "2", CURRENT: "2", READY: "1", AGE: expect.stringMatching(AGE) },
          { NAME: `web-${hash}`, DESIRED: "3", CURRENT: "3", READY: "2", AGE: expect.stringMatching(AGE) },
        ].sort((a, b) => (a.NAME < b.NAME ? -1 : 1)),
      );
      const w = table(await k.ok(["get", "replicasets", "-n", "apps", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(rowOf(w, "web-5d8f")).toMatchObject({ CONTAINERS: "web,side", IMAGES: "nginx:1.25,busybox:1.36", SELECTOR: "app=rs" });
      expect(rowOf(w, `web-${hash}`)).toMatchObject({ CONTAINERS: "web,side", IMAGES: "nginx:1.25,busybox:1.36", SELECTOR: `app=web,pod-template-hash=${hash}` });
    });

    it("statefulsets: NAME READY AGE; wide CONTAINERS IMAGES", async () => {
      const t = table(await k.ok(["get", "sts", "-n", "apps"]));
      expect(t.headers).toEqual(["NAME", "READY", "AGE"]);
      expect(t.rows).toEqual([{ NAME: "db", READY: "1/3", AGE: expect.stringMatching(AGE) }]);
      const w = table(await k.ok(["get", "statefulsets", "-n", "apps", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]);
      expect(w.rows[0]).toMatchObject({ CONTAINERS: "web,side", IMAGES: "nginx:1.25,busybox:1.36" });
    });

    it("daemonsets: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE; wide CONTAINERS IMAGES SELECTOR", async () => {
      const t = table(await k.ok(["get", "ds", "-n", "apps"]));
      expect(t.headers).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]);
      expect(t.rows).toEqual([
        { NAME: "agent", DESIRED: "2", CURRENT: "2", READY: "1", "UP-TO-DATE": "2", AVAILABLE: "1", "NODE SELECTOR": "disk=ssd", AGE: expect.stringMatching(AGE) },
      ]);
      const w = table(await k.ok(["get", "daemonsets", "-n", "apps", "-o", "wide"]));
      expect(w.headers.slice(-3)).toEqual(["CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(w.rows[0]).toMatchObject({ CONTAINERS: "web,side", IMAGES: "nginx:1.25,busybox:1.36", SELECTOR: "app=agent" });
    });

    it("several kinds at once: one table per kind, names qualified (deployment.apps/web)", async () => {
      const ts = tables(await k.ok(["get", "deploy,sts", "-n", "apps"]));
      expect(ts.map((t) => t.headers[0])).toEqual(["NAME", "NAME"]);
      expect(ts[0].rows[0].NAME).toBe("deployment.apps/web");
      expect(ts[1].rows[0].NAME).toBe("statefulset.apps/db");
    });
  });

  describe("batch", () => {
    beforeAll(async () => {
      const podTemplate = { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } };
      await createJson("batch.json", [
        { apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi", namespace: "batch" }, spec: { template: podTemplate } },
        { apiVersion: "batch/v1", kind: "Job", metadata: { name: "busy", namespace: "batch" }, spec: { template: podTemplate } },
        { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "nightly", namespace: "batch" }, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: podTemplate } } } },
      ]);
      const start = ago(65);
      const end = ago(20);
      await statusPatch("job", "pi", "batch", {
        startTime: start,
        completionTime: end,
        succeeded: 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          { type: "SuccessCriteriaMet", status: "True", lastProbeTime: end, lastTransitionTime: end },
          { type: "Complete", status: "True", lastProbeTime: end, lastTransitionTime: end },
        ],
      });
    });

    it("jobs: NAME STATUS COMPLETIONS DURATION AGE (Complete 1/1 45s; Running 0/1)", async () => {
      const t = table(await k.ok(["get", "jobs", "-n", "batch"]));
      expect(t.headers).toEqual(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]);
      expect(rowOf(t, "pi")).toMatchObject({ STATUS: "Complete", COMPLETIONS: "1/1", DURATION: "45s" });
      expect(rowOf(t, "busy")).toMatchObject({ STATUS: "Running", COMPLETIONS: "0/1", DURATION: "" });
      const w = table(await k.ok(["get", "job", "pi", "-n", "batch", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(w.rows[0]).toMatchObject({ CONTAINERS: "pi", IMAGES: "perl:5.34" });
      expect(w.rows[0].SELECTOR).toMatch(/^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/);
    });

    it("cronjobs: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE; wide CONTAINERS IMAGES SELECTOR", async () => {
      const t = table(await k.ok(["get", "cj", "-n", "batch"]));
      expect(t.headers).toEqual(["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]);
      expect(t.rows).toEqual([
        { NAME: "nightly", SCHEDULE: "0 3 * * *", TIMEZONE: "<none>", SUSPEND: "False", ACTIVE: "0", "LAST SCHEDULE": "<none>", AGE: expect.stringMatching(AGE) },
      ]);
      const w = table(await k.ok(["get", "cronjobs", "-n", "batch", "-o", "wide"]));
      expect(w.headers.slice(-3)).toEqual(["CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(w.rows[0]).toMatchObject({ CONTAINERS: "pi", IMAGES: "perl:5.34", SELECTOR: "<none>" });
    });
  });

  describe("network", () => {
    beforeAll(async () => {
      const svc = (name: string, spec: Record<string, unknown>, status?: unknown) => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: "net" },
        spec,
        ...(status ? { status } : {}),
      });
      await createJson("svc.json", [
        svc("api", { clusterIP: "10.96.0.20", selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "dns", port: 53, protocol: "UDP" }] }),
        svc("np", { type: "NodePort", clusterIP: "10.96.0.21", selector: { app: "np" }, ports: [{ port: 80, nodePort: 30080 }] }),
        svc("ext", { type: "ExternalName", externalName: "db.example.com" }),
        svc("headless", { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] }),
        // A Service without a selector keeps the Endpoints its user writes.
        svc("manual", { ports: [{ port: 8080 }] }),
        { apiVersion: "v1", kind: "Endpoints", metadata: { name: "manual", namespace: "net" }, subsets: [{ addresses: [{ ip: "10.244.0.7" }, { ip: "10.244.0.8" }], ports: [{ port: 8080 }] }] },
      ]);
    });

    it("services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE; wide SELECTOR", async () => {
      const t = table(await k.ok(["get", "svc", "-n", "net"]));
      expect(t.headers).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
      expect(rowOf(t, "api")).toMatchObject({ TYPE: "ClusterIP", "CLUSTER-IP": "10.96.0.20", "EXTERNAL-IP": "<none>", "PORT(S)": "80/TCP,53/UDP" });
      expect(rowOf(t, "np")).toMatchObject({ TYPE: "NodePort", "CLUSTER-IP": "10.96.0.21", "EXTERNAL-IP": "<none>", "PORT(S)": "80:30080/TCP" });
      expect(rowOf(t, "ext")).toMatchObject({ TYPE: "ExternalName", "CLUSTER-IP": "<none>", "EXTERNAL-IP": "db.example.com", "PORT(S)": "<none>" });
      expect(rowOf(t, "headless")).toMatchObject({ TYPE: "ClusterIP", "CLUSTER-IP": "None", "PORT(S)": "5432/TCP" });
      const w = table(await k.ok(["get", "services", "-n", "net", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]);
      expect(rowOf(w, "api").SELECTOR).toBe("app=api");
      expect(rowOf(w, "ext").SELECTOR).toBe("<none>");
    });

    it("a ClusterIP service created without spec.clusterIP gets an address from the service CIDR", async () => {
      await k.ok(["create", "service", "clusterip", "alloc", "-n", "net", "--tcp=80:8080"]);
      const ip = await k.ok(["get", "svc", "alloc", "-n", "net", "-o", "jsonpath={.spec.clusterIP}"]);
      expect(ip).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    });

    it("endpoints: NAME ENDPOINTS AGE", async () => {
      const t = table(await k.ok(["get", "ep", "-n", "net"]));
      expect(t.headers).toEqual(["NAME", "ENDPOINTS", "AGE"]);
      expect(rowOf(t, "manual")).toMatchObject({ ENDPOINTS: "10.244.0.7:8080,10.244.0.8:8080" });
    });
  });

  describe("cluster-scoped", () => {
    beforeAll(async () => {
      const cond = (status: string) => [
        { type: "Ready", status, reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: ago(5), lastTransitionTime: ago(300) },
      ];
      const info = { kubeletVersion: "v1.32.0", kubeProxyVersion: "", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0-18-amd64", containerRuntimeVersion: "containerd://1.7.13", operatingSystem: "linux", architecture: "amd64", machineID: "", systemUUID: "", bootID: "" };
      await createJson("nodes.json", [
        // Tainted as kubeadm taints a control-plane node, so the scheduler places none of this file's pods on it.
        { apiVersion: "v1", kind: "Node", metadata: { name: "cp-1", labels: { "node-role.kubernetes.io/control-plane": "" } }, spec: { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }, status: { conditions: cond("True"), nodeInfo: info, addresses: [{ type: "InternalIP", address: "192.168.1.10" }] } },
        { apiVersion: "v1", kind: "Node", metadata: { name: "worker-1", labels: { "node-role.kubernetes.io/worker": "" } }, spec: { unschedulable: true }, status: { conditions: cond("False"), nodeInfo: info } },
        { apiVersion: "v1", kind: "Node", metadata: { name: "bare-1" }, status: { nodeInfo: { ...info, kubeletVersion: "v1.31.2" } } },
      ]);
    });
    // Printer data only: with no Node left the scheduler leaves the rest of this file's pods alone.
    afterAll(async () => {
      await k.ok(["delete", "nodes", "cp-1", "worker-1", "bare-1", "--wait=false"]);
    });

    it("nodes: NAME STATUS ROLES AGE VERSION; wide INTERNAL-IP … CONTAINER-RUNTIME", async () => {
      const t = table(await k.ok(["get", "nodes"]));
      expect(t.headers).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
      expect(rowOf(t, "cp-1")).toMatchObject({ STATUS: "Ready", ROLES: "control-plane", VERSION: "v1.32.0" });
      expect(rowOf(t, "worker-1")).toMatchObject({ STATUS: "NotReady,SchedulingDisabled", ROLES: "worker", VERSION: "v1.32.0" });
      expect(rowOf(t, "bare-1")).toMatchObject({ STATUS: "Unknown", ROLES: "<none>", VERSION: "v1.31.2" });
      const w = table(await k.ok(["get", "no", "cp-1", "-o", "wide"]));
      expect(w.headers).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]);
      expect(w.rows[0]).toMatchObject({
        "INTERNAL-IP": "192.168.1.10",
        "EXTERNAL-IP": "<none>",
        "OS-IMAGE": "Debian GNU/Linux 12 (bookworm)",
        "KERNEL-VERSION": "6.1.0-18-amd64",
        "CONTAINER-RUNTIME": "containerd://1.7.13",
      });
    });

    it("namespaces: NAME STATUS AGE, with the four built-in ones", async () => {
      const t = table(await k.ok(["get", "namespaces"]));
      expect(t.headers).toEqual(["NAME", "STATUS", "AGE"]);
      for (const n of ["default", "kube-node-lease", "kube-public", "kube-system", "pods"]) {
        expect(rowOf(t, n)).toMatchObject({ STATUS: "Active", AGE: expect.stringMatching(AGE) });
      }
      expect(await k.ok(["get", "ns", "default", "-o", "name"])).toBe("namespace/default\n");
    });
  });

  describe("config and misc", () => {
    beforeAll(async () => {
      await k.ok(["create", "configmap", "two", "-n", "cfg", "--from-literal=a=1", "--from-literal=b=2"]);
      await k.ok(["create", "configmap", "empty", "-n", "cfg"]);
      await k.ok(["create", "secret", "generic", "creds", "-n", "cfg", "--from-literal=user=u", "--from-literal=pass=p", "--from-literal=host=h"]);
      await k.ok(["create", "secret", "docker-registry", "reg", "-n", "cfg", "--docker-server=r.example.com", "--docker-username=u", "--docker-password=p"]);
      await k.ok(["create", "serviceaccount", "robot", "-n", "cfg"]);
      await createJson("lease.json", [
        { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "leader", namespace: "cfg" }, spec: { holderIdentity: "ctrl-0", leaseDurationSeconds: 15 } },
      ]);
    });

    it("configmaps: NAME DATA AGE", async () => {
      const t = table(await k.ok(["get", "cm", "-n", "cfg"]));
      expect(t.headers).toEqual(["NAME", "DATA", "AGE"]);
      expect(rowOf(t, "two").DATA).toBe("2");
      expect(rowOf(t, "empty").DATA).toBe("0");
    });

    it("secrets: NAME TYPE DATA AGE", async () => {
      const t = table(await k.ok(["get", "secrets", "-n", "cfg"]));
      expect(t.headers).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
      expect(rowOf(t, "creds")).toMatchObject({ TYPE: "Opaque", DATA: "3" });
      expect(rowOf(t, "reg")).toMatchObject({ TYPE: "kubernetes.io/dockerconfigjson", DATA: "1" });
    });

    it("serviceaccounts: NAME SECRETS AGE", async () => {
      const t = table(await k.ok(["get", "sa", "-n", "cfg"]));
      expect(t.headers).toEqual(["NAME", "SECRETS", "AGE"]);
      expect(rowOf(t, "robot")).toMatchObject({ SECRETS: "0" });
    });

    it("every namespace has a `default` ServiceAccount", async () => {
      const t = await eventually(async () => {
        const got = table(await k.ok(["get", "sa", "-n", "cfg"]));
        rowOf(got, "default");
        return got;
      }, 5_000, 100);
      expect(rowOf(t, "default")).toMatchObject({ SECRETS: "0", AGE: expect.stringMatching(AGE) });
    });

    it("leases: NAME HOLDER AGE", async () => {
      const t = table(await k.ok(["get", "leases", "-n", "cfg"]));
      expect(t.headers).toEqual(["NAME", "HOLDER", "AGE"]);
      expect(t.rows).toEqual([{ NAME: "leader", HOLDER: "ctrl-0", AGE: expect.stringMatching(AGE) }]);
    });
  });

  describe("events", () => {
    beforeAll(async () => {
      await createJson("events.json", [
        {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: "web.17a1", namespace: "evs" },
          involvedObject: { apiVersion: "v1", kind: "Pod", name: "web", namespace: "evs", fieldPath: "spec.containers{web}" },
          reason: "Pulled",
          message: 'Container image "nginx:1.25" already present on machine',
          type: "Normal",
          source: { component: "kubelet", host: "node-1" },
          firstTimestamp: ago(120),
          lastTimestamp: ago(60),
          count: 3,
        },
        {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: "web.17a2", namespace: "evs" },
          involvedObject: { apiVersion: "v1", kind: "Pod", name: "web", namespace: "evs" },
          reason: "BackOff",
          message: "Back-off restarting failed container",
          type: "Warning",
          source: { component: "kubelet" },
          firstTimestamp: ago(30),
          lastTimestamp: ago(30),
          count: 1,
        },
      ]);
    });

    it("events: LAST SEEN TYPE REASON OBJECT MESSAGE; wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME", async () => {
      const t = table(await k.ok(["get", "events", "-n", "evs"]));
      expect(t.headers).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
      expect(t.rows).toEqual([
        { "LAST SEEN": expect.stringMatching(/^6\ds$/), TYPE: "Normal", REASON: "Pulled", OBJECT: "pod/web", MESSAGE: 'Container image "nginx:1.25" already present on machine' },
        { "LAST SEEN": expect.stringMatching(/^3\ds$/), TYPE: "Warning", REASON: "BackOff", OBJECT: "pod/web", MESSAGE: "Back-off restarting failed container" },
      ]);
      const w = table(await k.ok(["get", "events", "-n", "evs", "-o", "wide"]));
      expect(w.headers).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]);
      expect(w.rows[0]).toMatchObject({ SUBOBJECT: "spec.containers{web}", SOURCE: "kubelet, node-1", "FIRST SEEN": expect.stringMatching(/^2m(\d+s)?$/), COUNT: "3", NAME: "web.17a1" });
    });

    it("get events.events.k8s.io lists core/v1 Events too", async () => {
      const out = await k.ok(["get", "events.v1.events.k8s.io", "-n", "evs", "-o", "name"]);
      expect(out.trim().split("\n").sort()).toEqual(["event.events.k8s.io/web.17a1", "event.events.k8s.io/web.17a2"]);
    });
  });

  describe("output flags", () => {
    beforeAll(async () => {
      for (const [name, labels] of [
        ["a", "app=web,tier=front"],
        ["b", "app=web,tier=back"],
        ["c", "app=db"],
      ] as const) {
        await k.ok(["run", name, "-n", "sel", "--image=nginx:1.25", `--labels=${labels}`]);
      }
      await statusPatch("pod", "c", "sel", { phase: "Running" });
    });

    it("get -A adds a NAMESPACE column and lists every namespace", async () => {
      const t = table(await k.ok(["get", "pods", "-A"]));
      expect(t.headers).toEqual(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
      expect(rowOf(t, "a")).toMatchObject({ NAMESPACE: "sel" });
      expect(rowOf(t, "running")).toMatchObject({ NAMESPACE: "pods", STATUS: "Running" });
      const w = table(await k.ok(["get", "pods", "--all-namespaces", "-o", "wide"]));
      expect(w.headers[0]).toBe("NAMESPACE");
      expect(w.headers.at(-1)).toBe("READINESS GATES");
    });

    it("--show-labels adds LABELS (sorted, comma separated)", async () => {
      const t = table(await k.ok(["get", "pods", "-n", "sel", "--show-labels"]));
      expect(t.headers).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS"]);
      expect(rowOf(t, "a").LABELS).toBe("app=web,tier=front");
      expect(rowOf(t, "c").LABELS).toBe("app=db");
    });

    it("-l with equality, set and negation selectors", async () => {
      const names = async (...args: string[]) => (await k.ok(["get", "pods", "-n", "sel", "-o", "name", ...args])).trim().split("\n");
      expect(await names("-l", "app=web")).toEqual(["pod/a", "pod/b"]);
      expect(await names("-l", "app=web,tier!=front")).toEqual(["pod/b"]);
      expect(await names("-l", "tier in (front,back)")).toEqual(["pod/a", "pod/b"]);
      expect(await names("-l", "!tier")).toEqual(["pod/c"]);
      const none = await k(["get", "pods", "-n", "sel", "-l", "app=nothing"]);
      expect(none).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in sel namespace.\n" });
    });

    it("--field-selector on metadata.name and status.phase", async () => {
      expect(await k.ok(["get", "pods", "-n", "sel", "--field-selector", "status.phase=Running", "-o", "name"])).toBe("pod/c\n");
      expect(await k.ok(["get", "pods", "-n", "sel", "--field-selector", "metadata.name=b", "-o", "name"])).toBe("pod/b\n");
      expect(await k.ok(["get", "pods", "-n", "sel", "--field-selector", "status.phase!=Running", "-o", "name"])).toBe("pod/a\npod/b\n");
      const bad = await k(["get", "pods", "-n", "sel", "--field-selector", "spec.foo=bar"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo\n');
    });

    it("-o name, -o yaml, -o json, -o jsonpath", async () => {
      expect(await k.ok(["get", "pods", "-n", "sel", "-o", "name"])).toBe("pod/a\npod/b\npod/c\n");
      expect(await k.ok(["get", "deploy", "-n", "apps", "-o", "name"])).toBe("deployment.apps/web\n");
      const y = await k.ok(["get", "pod", "a", "-n", "sel", "-o", "yaml"]);
      expect(y).toMatch(/^apiVersion: v1\nkind: Pod\nmetadata:\n/);
      expect(y).toMatch(/\n  name: a\n/);
      const ly = await k.ok(["get", "pods", "-n", "sel", "-o", "yaml"]);
      expect(ly).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n/);
      expect(ly).toMatch(/\nkind: List\nmetadata:\n  resourceVersion: ""\n$/);
      const j = JSON.parse(await k.ok(["get", "deploy", "web", "-n", "apps", "-o", "json"]));
      expect(j).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" } });
      const lj = JSON.parse(await k.ok(["get", "pods", "-n", "sel", "-o", "json"]));
      expect(lj.kind).toBe("List");
      expect(lj.items.map((i: any) => [i.apiVersion, i.kind, i.metadata.name])).toEqual([
        ["v1", "Pod", "a"],
        ["v1", "Pod", "b"],
        ["v1", "Pod", "c"],
      ]);
      expect(await k.ok(["get", "pods", "-n", "sel", "-o", "jsonpath={.items[*].metadata.name}"])).toBe("a b c");
      expect(await k.ok(["get", "pod", "a", "-n", "sel", "-o", "jsonpath={.spec.containers[0].image}"])).toBe("nginx:1.25");
      expect(
        await k.ok(["get", "pods", "-n", "sel", "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app", "--sort-by=.metadata.name"]),
      ).toMatch(/^NAME +APP\na +web\nb +web\nc +db\n$/);
    });

    it("get -w prints the table, then a row for each change", async () => {
      await k.ok(["create", "configmap", "w0", "-n", "sel"]);
      const w = startKubectl(h.kubeconfigPath, ["get", "configmaps", "-n", "sel", "-w"]);
      try {
        await w.until(/^NAME +DATA +AGE\n(?:.*\n)*?w0 +0 +\S+\n/); // after kube-root-ca.crt
        await k.ok(["create", "configmap", "w1", "-n", "sel", "--from-literal=k=v"]);
        await w.until(/\nw1 +1 +\d+s\n/);
        await k.ok(["label", "configmap", "w0", "-n", "sel", "x=y"]);
        await w.until(/\nw0 +0 +\S+\n[\s\S]*\nw0 +0 +\S+\n/);
      } finally {
        await w.stop();
      }
      expect(w.stderr()).toBe("");
    });

    it("get -w --output-watch-events adds an EVENT column (ADDED, DELETED)", async () => {
      const w = startKubectl(h.kubeconfigPath, ["get", "pods", "-n", "sel", "-w", "--output-watch-events"]);
      try {
        await w.until(/^EVENT +NAME +READY +STATUS +RESTARTS +AGE\nADDED +a +0\/1 +Pending +0 +\S+\n/);
        await w.until(/\nADDED +c +0\/1 +Running +0 +\S+\n/);
        await k.ok(["delete", "pod", "c", "-n", "sel", "--wait=false"]);
        await w.until(/\nDELETED +c +0\/1 +\S+ +0 +\S+\n/);
      } finally {
        await w.stop();
      }
    });
  });

  describe("describe", () => {
    beforeAll(async () => {
      await k.ok(["create", "namespace", "desc"]);
      await k.ok(["create", "deployment", "web", "-n", "desc", "--image=nginx:1.25", "--replicas=2"]);
      await k.ok(["run", "pod1", "-n", "desc", "--image=nginx:1.25", "--labels=app=pod1"]);
      const uid = async (kind: string, name: string) => k.ok(["get", kind, name, "-n", "desc", "-o", "jsonpath={.metadata.uid}"]);
      const ev = (name: string, kind: string, apiVersion: string, obj: string, objUid: string, reason: string, message: string, component: string) => ({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: "desc" },
        involvedObject: { apiVersion, kind, name: obj, namespace: "desc", uid: objUid },
        reason,
        message,
        type: "Normal",
        source: { component },
        firstTimestamp: ago(90),
        lastTimestamp: ago(90),
        count: 1,
      });
      // No Node is registered here, so the scheduler leaves pod1 alone: its Event is written as the scheduler's would be. The Deployment's
      // Event comes from the Deployment controller, as do its ReplicaSet and pods; as the kubelet,
      // the test makes 1 of the 2 pods ready.
      await createJson("desc-events.json", [
        ev("pod1.1", "Pod", "v1", "pod1", await uid("pod", "pod1"), "Scheduled", "Successfully assigned desc/pod1 to node-1", "default-scheduler"),
      ]);
      await markPodsReady("desc", "app=web", 2, 1);
      await waitFor("deployment", "web", "desc", (d) =>
        expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 1 }),
      );
    });

    it("describe deployment: fields and an Events section listing the deployment's Event", async () => {
      const rs = (await k.ok(["get", "rs", "-n", "desc", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"])).trim();
      expect(rs).toMatch(/^web-[a-z0-9]+$/);
      const out = await k.ok(["describe", "deployment", "web", "-n", "desc"]);
      expect(out).toMatch(/^Name: +web\nNamespace: +desc\nCreationTimestamp: +\w{3}, \d\d \w{3} \d{4} [\d:]{8} \+0000\nLabels: +app=web\n/);
      expect(out).toMatch(/\nSelector: +app=web\n/);
      expect(out).toMatch(/\nAnnotations: +deployment\.kubernetes\.io\/revision: 1\n/);
      expect(out).toMatch(/\nReplicas: +2 desired \| 2 updated \| 2 total \| 1 available \| 1 unavailable\n/);
      expect(out).toMatch(/\nStrategyType: +RollingUpdate\n/);
      expect(out).toMatch(/\nRollingUpdateStrategy: +25% max unavailable, 25% max surge\n/);
      expect(out).toMatch(/\nPod Template:\n  Labels:  app=web\n  Containers:\n   nginx:\n    Image: +nginx:1\.25\n/);
      expect(out).toMatch(/\nConditions:\n  Type +Status +Reason\n  ---- +------ +------\n  Available +False +MinimumReplicasUnavailable\n  Progressing +True +ReplicaSetUpdated\n/);
      expect(out).toMatch(new RegExp(`\\nOldReplicaSets: +<none>\\nNewReplicaSet: +${rs} \\(2/2 replicas created\\)\\n`));
      expect(out).toMatch(
        new RegExp(
          `\\nEvents:\\n  Type +Reason +Age +From +Message\\n  ----  +------ +---- +---- +-------\\n  Normal +ScalingReplicaSet +\\d+s +deployment-controller +Scaled up replica set ${rs} from 0 to 2\\n$`,
        ),
      );
    });

    it("describe pod: header fields, container block and Events", async () => {
      const out = await k.ok(["describe", "pod", "pod1", "-n", "desc"]);
      expect(out).toMatch(/^Name: +pod1\nNamespace: +desc\n/);
      expect(out).toMatch(/\nService Account: +default\n/);
      expect(out).toMatch(/\nLabels: +app=pod1\n/);
      expect(out).toMatch(/\nStatus: +Pending\n/);
      expect(out).toMatch(/\nContainers:\n  pod1:\n    Image: +nginx:1\.25\n/);
      expect(out).toMatch(/\nQoS Class: +BestEffort\n/);
      expect(out).toMatch(/\nEvents:\n  Type +Reason +Age +From +Message\n  ----  +------ +---- +---- +-------\n  Normal +Scheduled +9\ds +default-scheduler +Successfully assigned desc\/pod1 to node-1\n$/);
    });

    it("describe of a missing object reads as upstream", async () => {
      const r = await k(["describe", "pod", "nope", "-n", "desc"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    });
  });
});
