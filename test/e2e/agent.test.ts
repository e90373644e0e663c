// The node agent end to end: the real `edgeplane agent` process with three simulated nodes
// against a real control plane (wrangler dev, workerd): joining with a bootstrap token, Nodes
// and Leases, pods bound to a node running and being deleted gracefully, a bad token refused,
// and both sides restarting.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent as startAgentProcess, type AgentProcess } from "./agent-process.js";
import { api, kubeClient, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";
import { recordWatch, sleep, until, uniq } from "./helpers.js";
import { kubectlFor, rowOf, table, type Kubectl } from "./kubectl-helpers.js";

let h: Edgeplane;
let kubectl: Kubectl;
let token: string;
let caPath: string;
let agent: AgentProcess;
const NODES = ["sim-0", "sim-1", "sim-2"];
const AGENT_FLAGS = ["--nodes", "3", "--name", "sim", "--labels", "disk=ssd,topology.kubernetes.io/zone=z1", "--taints", "example.com/simulated=true:PreferNoSchedule", "--capacity", "cpu=4,memory=8Gi", "--node-status-update-frequency", "2s"];

/** The real agent with the suite's control plane and token. */
const startAgent = (args: string[]): AgentProcess => startAgentProcess(h, token, args);

const get = async (path: string) => {
  const r = await api(h, "GET", path);
  return r.status === 200 ? r.body : undefined;
};
const isReady = (obj: any) => (obj?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
const inCidr = (ip: string, cidr: string) => ip.startsWith(cidr.replace(/\.0\/24$/, ".")) && ip !== cidr.replace(/\/24$/, "");

async function createBoundPod(name: string, node: string): Promise<any> {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      nodeName: node,
      initContainers: [{ name: "setup", image: "busybox:1.36" }],
      containers: [{ name: "web", image: "nginx:1.27", resources: { limits: { cpu: "100m", memory: "64Mi" } } }],
    },
  };
  const r = await api(h, "POST", "/api/v1/namespaces/default/pods", pod);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const runningAndReady = (name: string, ms = 20_000) =>
  until(`pod ${name} Running and Ready`, async () => {
    const p = await get(`/api/v1/namespaces/default/pods/${name}`);
    return p?.status?.phase === "Running" && isReady(p) ? p : undefined;
  }, ms);

beforeAll(async () => {
  h = await startEdgeplane();
  kubectl = kubectlFor(h);
  caPath = join(h.stateDir, "tls", "ca.crt");
  const made = await runEdgeplane(["token", "create", "--kubeconfig", h.kubeconfigPath]);
  expect(made.code, made.stderr).toBe(0);
  token = made.stdout.trim();
  agent = startAgent(AGENT_FLAGS);
  await agent.ready;
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await h?.stop();
});

describe("edgeplane agent", () => {
  it("registers three Ready nodes with their labels, taints, capacity, addresses and pod CIDRs", async () => {
    const nodes = await until("three Ready nodes", async () => {
      const list = await get("/api/v1/nodes");
      const mine = (list?.items ?? []).filter((n: any) => NODES.includes(n.metadata.name));
      return mine.length === 3 && mine.every(isReady) ? mine : undefined;
    });
    const arch = process.arch === "x64" ? "amd64" : process.arch;
    const cidrs = new Set<string>();
    const ips = new Set<string>();
    for (const [i, n] of nodes.sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name)).entries()) {
      const name = `sim-${i}`;
      expect(n.metadata.name).toBe(name);
      expect(n.metadata.labels).toMatchObject({ "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": arch, disk: "ssd", "topology.kubernetes.io/zone": "z1" });
      expect(n.spec.taints).toEqual([{ key: "example.com/simulated", value: "true", effect: "PreferNoSchedule" }]);
      expect(n.spec.podCIDR).toMatch(/^10\.24\d\.\d+\.0\/24$/);
      cidrs.add(n.spec.podCIDR);
      expect(n.status.capacity).toMatchObject({ cpu: "4", memory: "8Gi", pods: "110" });
      expect(n.status.capacity["ephemeral-storage"]).toMatch(/^\d+Ki$/);
      expect(n.status.allocatable).toEqual(n.status.capacity);
      const internal = n.status.addresses.find((a: any) => a.type === "InternalIP")?.address;
      expect(internal).toMatch(/^10\.200\.\d+\.\d+$/);
      ips.add(internal);
      expect(n.status.addresses).toContainEqual({ type: "Hostname", address: name });
      expect(n.status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
      expect(n.status.nodeInfo).toMatchObject({ kubeletVersion: "v1.32.0-edgeplane", containerRuntimeVersion: "simulated://0.1.0", operatingSystem: "linux", architecture: arch });
      expect(n.status.nodeInfo.machineID).toMatch(/^[0-9a-f]{32}$/);
      const byType = Object.fromEntries(n.status.conditions.map((c: any) => [c.type, c]));
      expect(byType.Ready).toMatchObject({ status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" });
      expect(byType.MemoryPressure).toMatchObject({ status: "False", reason: "KubeletHasSufficientMemory" });
      expect(byType.DiskPressure).toMatchObject({ status: "False", reason: "KubeletHasNoDiskPressure" });
      expect(byType.PIDPressure).toMatchObject({ status: "False", reason: "KubeletHasSufficientPID" });
    }
    expect(cidrs.size).toBe(3);
    expect(ips.size).toBe(3);
  });

  it("uses the bootstrap token only to get node credentials, and acts as system:node:NAME", async () => {
    const audit = async (user: string) => {
      const r = await runEdgeplane(["audit", "--kubeconfig", h.kubeconfigPath, "--user", user, "-o", "json", "--limit", "5000"]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).items as any[];
    };
    const bootstrap = await audit(`system:bootstrap:${token.split(".")[0]}`);
    expect(new Set(bootstrap.map((e) => `${e.verb} ${e.objectRef?.resource}`))).toEqual(new Set(["create nodecredentialrequests"]));
    expect(bootstrap.length).toBe(3);
    const expected = ["create nodes", "get nodes", "create leases", "list pods", "watch pods"];
    const did = (events: any[]) => new Set(events.map((e) => `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ""}`));
    const node = await until("sim-1's first requests", async () => {
      const events = await audit("system:node:sim-1");
      return expected.every((x) => did(events).has(x)) ? events : undefined;
    });
    // Nothing refused; only the first look for a Lease that is not there yet finds nothing.
    for (const e of node) if (!(e.verb === "get" && e.objectRef?.resource === "leases" && e.responseStatus.code === 404)) expect(e.responseStatus.code, JSON.stringify(e)).toBeLessThan(400);
  });

  it("renews each node's Lease in kube-node-lease, and leaves the Node alone while nothing changed", async () => {
    const lease = await until("the lease of sim-0", () => get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-0"));
    const node = await get("/api/v1/nodes/sim-0");
    // Every write of the Node from here on, while the agent checks its status every 2 s.
    const writes = await recordWatch(kubeClient(h), "/api/v1/nodes", { fieldSelector: "metadata.name=sim-0", resourceVersion: node.metadata.resourceVersion });
    expect(lease.spec).toMatchObject({ holderIdentity: "sim-0", leaseDurationSeconds: 40 });
    expect(lease.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: "sim-0", uid: node.metadata.uid }]);
    const renewed = await until(
      "a newer renewTime",
      async () => {
        const l = await get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-0");
        return l && Date.parse(l.spec.renewTime) > Date.parse(lease.spec.renewTime) ? l : undefined;
      },
      25_000,
    );
    expect(Number(renewed.metadata.resourceVersion)).toBeGreaterThan(Number(lease.metadata.resourceVersion));
    for (const name of ["sim-1", "sim-2"]) expect((await get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`))?.spec.holderIdentity).toBe(name);
    // The status is checked every 2 s, but posted only when it changed or is a minute old: over
    // 5+ checks, at most one write (a re-post after a request the loaded machine dropped).
    writes.stop();
    const heartbeat = (n: any) => Date.parse(n.status.conditions.find((c: any) => c.type === "Ready").lastHeartbeatTime);
    if (Date.now() - heartbeat(node) < 45_000) expect(writes.events.filter((e) => e.type === "MODIFIED").length).toBeLessThanOrEqual(1);
  });

  it("shows the nodes Ready in `kubectl get nodes`", async () => {
    const t = table(await kubectl.ok(["get", "nodes"]));
    expect(t.headers).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    for (const name of NODES) expect(rowOf(t, name)).toMatchObject({ STATUS: "Ready", ROLES: "<none>", VERSION: "v1.32.0-edgeplane" });
  });

  it("runs a pod bound to sim-1: Running and Ready, with an address from the node's pod CIDR", async () => {
    const name = uniq("web");
    const created = await createBoundPod(name, "sim-1");
    const node = await get("/api/v1/nodes/sim-1");
    const pod = await runningAndReady(name);
    const st = pod.status;
    expect(inCidr(st.podIP, node.spec.podCIDR)).toBe(true);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    const hostIP = node.status.addresses.find((a: any) => a.type === "InternalIP").address;
    expect(st.hostIP).toBe(hostIP);
    expect(st.hostIPs).toEqual([{ ip: hostIP }]);
    expect(Date.parse(st.startTime)).toBeGreaterThanOrEqual(Date.parse(created.metadata.creationTimestamp));
    expect(st.qosClass).toBe("Burstable");
    const conditions = Object.fromEntries(st.conditions.map((c: any) => [c.type, c.status]));
    expect(conditions).toEqual({ PodReadyToStartContainers: "True", Initialized: "True", Ready: "True", ContainersReady: "True", PodScheduled: "True" });
    expect(st.containerStatuses).toHaveLength(1);
    expect(st.containerStatuses[0]).toMatchObject({ name: "web", image: "nginx:1.27", ready: true, started: true, restartCount: 0 });
    expect(st.containerStatuses[0].containerID).toMatch(/^simulated:\/\/[0-9a-f]+$/);
    expect(st.containerStatuses[0].imageID).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Date.parse(st.containerStatuses[0].state.running.startedAt)).toBeGreaterThan(0);
    expect(st.initContainerStatuses).toEqual([expect.objectContaining({ name: "setup", image: "busybox:1.36", ready: true, restartCount: 0, state: { terminated: expect.objectContaining({ exitCode: 0, reason: "Completed" }) } })]);
    const events = await until("the Started events", async () => {
      const list = await get(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`);
      const started = (list?.items ?? []).filter((e: any) => e.reason === "Started");
      return started.length === 2 ? started : undefined;
    });
    expect(events.map((e: any) => e.message).sort()).toEqual(["Started container setup", "Started container web"]);
    expect(events[0].source).toEqual({ component: "kubelet", host: "sim-1" });
    // Once Running, the status is not written again without a change.
    await sleep(3000);
    expect((await get(`/api/v1/namespaces/default/pods/${name}`)).metadata.resourceVersion).toBe(pod.metadata.resourceVersion);
  });

  it("deletes a pod gracefully: `kubectl delete --grace-period=2` returns after about 2 s", async () => {
    const name = uniq("grace");
    await createBoundPod(name, "sim-2");
    await runningAndReady(name);
    const started = Date.now();
    const deletion = kubectl(["delete", "pod", name, "--grace-period=2"]);
    const marked = await until("the deletionTimestamp", async () => {
      const p = await get(`/api/v1/namespaces/default/pods/${name}`);
      return p?.metadata.deletionTimestamp ? p : undefined;
    }, 5_000);
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(2);
    await sleep(Math.max(0, started + 1200 - Date.now()));
    expect((await api(h, "GET", `/api/v1/namespaces/default/pods/${name}`)).status).toBe(200); // still there within the grace period
    const result = await deletion;
    const elapsed = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`pod "${name}" deleted`);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(9000);
    expect((await api(h, "GET", `/api/v1/namespaces/default/pods/${name}`)).status).toBe(404);
  });

  it("refuses a bootstrap token the control plane does not know, and an untrusted certificate, exiting 1", async () => {
    const bad = await runEdgeplane(["agent", "--server", h.url, "--token", "abcdef.0123456789abcdef", "--certificate-authority", caPath, "--name", "intruder"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("edgeplane: the bootstrap token was refused (401): create one with `edgeplane token create`");
    const tls = await runEdgeplane(["agent", "--server", h.url, "--token", token, "--name", "no-ca"]);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toMatch(/^edgeplane: cannot verify the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(/m);
    expect(tls.stderr).toContain("hint: pass --certificate-authority");
    expect((await api(h, "GET", "/api/v1/nodes/intruder")).status).toBe(404);
  });

  it("resumes after the control plane restarts: the nodes stay Ready and a new pod runs", async () => {
    await h.restart();
    const back = Date.now();
    // The nodes post their status as soon as the control plane answers again, a minute-old heartbeat or not.
    await until("a heartbeat after the restart", async () => {
      const n = await get("/api/v1/nodes/sim-2");
      const ready = n?.status?.conditions?.find((c: any) => c.type === "Ready");
      return ready && Date.parse(ready.lastHeartbeatTime) >= back - 1000 ? true : undefined;
    }, 15_000);
    const name = uniq("after-restart");
    await createBoundPod(name, "sim-0");
    const pod = await runningAndReady(name, 40_000);
    expect(pod.spec.nodeName).toBe("sim-0");
    const node = await get("/api/v1/nodes/sim-0");
    expect(isReady(node)).toBe(true);
    await until("the agent to report the control plane back", async () => (/reachable again after/.test(agent.output()) ? true : undefined), 20_000);
    expect(agent.output()).toMatch(/✗ cannot reach the control plane at https:\/\/127\.0\.0\.1:\d+ .*: the nodes keep their pods as they are and retry/);
  });

  it("starts the pods still bound again after the agent itself restarts", async () => {
    const list = await get(`/api/v1/pods?fieldSelector=${encodeURIComponent("spec.nodeName=sim-0")}`);
    const before = list.items.find((p: any) => p.metadata.name.startsWith("after-restart"));
    expect(before.status.phase).toBe("Running");
    await agent.stop("SIGKILL");
    agent = startAgent(AGENT_FLAGS);
    await agent.ready;
    const name = before.metadata.name;
    const node = await get("/api/v1/nodes/sim-0");
    const again = await until("the pod started again by the new agent", async () => {
      const p = await get(`/api/v1/namespaces/default/pods/${name}`);
      return p?.status?.containerStatuses?.[0]?.containerID !== before.status.containerStatuses[0].containerID && isReady(p) ? p : undefined;
    });
    expect(again.status.phase).toBe("Running");
    expect(again.metadata.uid).toBe(before.metadata.uid);
    expect(again.status.startTime).toBe(before.status.startTime);
    expect(inCidr(again.status.podIP, node.spec.podCIDR)).toBe(true);
    expect(again.status.containerStatuses[0]).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: expect.anything() } });
    // The restarted agent keeps the block the control plane gave sim-0 when it first registered.
    expect(agent.output()).toContain(`✓ node sim-0 registered (pod CIDR ${node.spec.podCIDR})`);
  });
});
