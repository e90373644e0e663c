// Conformance (sig-scheduling predicates, sig-network HostPort, sig-node NoExecuteTaintManager):
// the scheduler and taint-based eviction of the ClusterControllers singleton, written from the
// descriptions of upstream's conformance list. docs/conformance.md maps them.
//
// Nodes are made here by hand (no kubelet): created, then given a Ready status and a Lease. With no
// kubelet, a pod is never Running and a deleted pod bound to a node stays Terminating: "evicted"
// means the taint eviction controller marked it (deletionTimestamp, DisruptionTarget condition,
// TaintManagerEviction event). The tests run in file order and share the file's storage: the
// scheduling ones run first, so that the exact FailedScheduling messages count the nodes made so far.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { del, eventually as eventuallyIn, get, newNs, patch, post, put } from "./helpers.js";

const controllers = () => (env as any).CLUSTER_CONTROLLERS.get((env as any).CLUSTER_CONTROLLERS.idFromName("cluster"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suffix = Math.random().toString(36).slice(2, 7);

/** Polls, firing the cluster controllers' alarm (and the namespace's controllers) between polls. */
async function eventually<T>(ns: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  return eventuallyIn([ns], async () => {
    await runDurableObjectAlarm(controllers());
    return check();
  }, timeoutMs);
}

/** MicroTime as a kubelet writes it: "2026-11-26T04:30:00.000000Z". */
const microNow = () => new Date().toISOString().replace(/Z$/, "000Z");

/** A Node with a Ready status and a Lease in kube-node-lease, as a kubelet would make them. */
async function node(name: string, o: { cpu?: string; labels?: Record<string, string> } = {}): Promise<void> {
  const r = await post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } }, spec: {} });
  expect(r.status, r.text).toBe(201);
  const now = new Date().toISOString();
  const status = {
    capacity: { cpu: o.cpu ?? "2", memory: "4Gi", pods: "110" },
    allocatable: { cpu: o.cpu ?? "2", memory: "4Gi", pods: "110" },
    conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now }],
    addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
  };
  const s = await put(`/api/v1/nodes/${name}/status`, { ...r.body, status });
  expect(s.status, s.text).toBe(200);
  const lease = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microNow() },
  };
  const l = await post("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease);
  expect(l.status, l.text).toBe(201);
}

async function nodeCount(): Promise<number> {
  return ((await get("/api/v1/nodes")).body.items as any[]).length;
}

interface PodOpts {
  cpu?: string;
  nodeSelector?: Record<string, string>;
  /** Pins the pod to a node by name through required node affinity (upstream's e2epod.NodeSelection). */
  pinTo?: string;
  hostPort?: { port: number; hostIP: string; protocol: "TCP" | "UDP"; containerPort: number };
  tolerations?: unknown[];
}

function podBody(name: string, o: PodOpts = {}) {
  const container: Record<string, unknown> = { name: "c", image: "registry.k8s.io/pause:3.10" };
  if (o.cpu) container.resources = { requests: { cpu: o.cpu }, limits: { cpu: o.cpu } };
  if (o.hostPort) container.ports = [{ containerPort: o.hostPort.containerPort, hostPort: o.hostPort.port, hostIP: o.hostPort.hostIP, protocol: o.hostPort.protocol }];
  const spec: Record<string, unknown> = { containers: [container] };
  if (o.nodeSelector) spec.nodeSelector = o.nodeSelector;
  if (o.pinTo) {
    spec.affinity = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [o.pinTo] }] }] } },
    };
  }
  if (o.tolerations) spec.tolerations = o.tolerations;
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { name } }, spec };
}

async function createPod(ns: string, name: string, o: PodOpts = {}): Promise<void> {
  const r = await post(`/api/v1/namespaces/${ns}/pods`, podBody(name, o));
  expect(r.status, r.text).toBe(201);
}

const getPod = async (ns: string, name: string) => (await get(`/api/v1/namespaces/${ns}/pods/${name}`)).body;

/** Waits for the pod to be bound and returns its node. */
async function boundNode(ns: string, name: string): Promise<string> {
  const p = await eventually(ns, async () => {
    const p = await getPod(ns, name);
    return p.spec?.nodeName ? p : undefined;
  });
  expect(p.status.conditions.find((c: any) => c.type === "PodScheduled")).toMatchObject({ status: "True" });
  return p.spec.nodeName;
}

/** Waits for the scheduler to report the pod unschedulable; returns its condition and FailedScheduling event. */
async function unschedulable(ns: string, name: string): Promise<{ cond: any; event: any }> {
  const cond = await eventually(ns, async () => (await getPod(ns, name)).status?.conditions?.find((c: any) => c.type === "PodScheduled" && c.status === "False"));
  const event = await eventually(ns, async () =>
    ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).find((e) => e.reason === "FailedScheduling" && e.involvedObject.name === name),
  );
  expect(cond.reason).toBe("Unschedulable");
  expect(event).toMatchObject({ type: "Warning", message: cond.message, involvedObject: { kind: "Pod", name, namespace: ns }, source: { component: "default-scheduler" } });
  return { cond, event };
}

/** Fires the controllers for a while and checks the pod stays unbound (upstream's "not scheduled" wait). */
async function staysUnbound(ns: string, name: string, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await runDurableObjectAlarm(controllers());
    await sleep(50);
  }
  expect((await getPod(ns, name)).spec.nodeName).toBeUndefined();
}

describe("conformance: scheduler predicates", () => {
  it("Scheduler, resource limits: pods filling ~70% of every node's cpu are scheduled, one more that fits nowhere stays pending", { timeout: 20_000 }, async () => {
    // The first test of the file: these three nodes are the cluster, so the message counts them all.
    const nodes = [0, 1, 2].map((i) => `fill${i}-${suffix}`);
    for (const n of nodes) await node(n, { cpu: "2", labels: { node: n } });
    expect(await nodeCount()).toBe(3);
    const ns = await newNs("sched-limits");
    // One filler pod per node asking for 70% of its allocatable cpu (upstream's fillerPods).
    for (const n of nodes) await createPod(ns, `filler-pod-${n}`, { cpu: "1400m", nodeSelector: { node: n } });
    for (const n of nodes) expect(await boundNode(ns, `filler-pod-${n}`)).toBe(n);

    // Another pod asking for half of the largest node's cpu: no node has that much left.
    await createPod(ns, "additional-pod", { cpu: "1" });
    const { cond } = await unschedulable(ns, "additional-pod");
    expect(cond.message).toBe("0/3 nodes are available: 3 Insufficient cpu.");
    await staysUnbound(ns, "additional-pod", 500);

    // verifyResult: the filler pods scheduled, exactly one not.
    const pods = (await get(`/api/v1/namespaces/${ns}/pods`)).body.items as any[];
    expect(pods.filter((p) => p.spec.nodeName).map((p) => p.metadata.name).sort()).toEqual(nodes.map((n) => `filler-pod-${n}`).sort());
    expect(pods.filter((p) => !p.spec.nodeName).map((p) => p.metadata.name)).toEqual(["additional-pod"]);
    // Upstream removes its namespace; here the pending pod goes so that it does not land on the later tests' nodes.
    expect((await del(`/api/v1/namespaces/${ns}/pods/additional-pod`)).status).toBe(200);
  });

  it("Scheduler, node selector matching: a label is put on one node and the pod selecting it is scheduled there", { timeout: 15_000 }, async () => {
    // The labelled node is the smallest: without the selector, scoring would place the pod elsewhere.
    const target = `sel-${suffix}`;
    await node(target, { cpu: "1" });
    await node(`big0-${suffix}`, { cpu: "8" });
    await node(`big1-${suffix}`, { cpu: "8" });
    const key = `kubernetes.io/e2e-${suffix}`;
    const l = await patch(`/api/v1/nodes/${target}`, "strategic", { metadata: { labels: { [key]: "42" } } });
    expect(l.status, l.text).toBe(200);
    expect(l.body.metadata.labels[key]).toBe("42");

    const ns = await newNs("sched-sel");
    await createPod(ns, "with-labels", { nodeSelector: { [key]: "42" } });
    expect(await boundNode(ns, "with-labels")).toBe(target);
    const ev = ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).find((e) => e.reason === "Scheduled");
    expect(ev?.message).toBe(`Successfully assigned ${ns}/with-labels to ${target}`);
  });

  it("Scheduler, node selector not matching: a pod whose nodeSelector matches no node is not scheduled", { timeout: 15_000 }, async () => {
    const ns = await newNs("sched-nosel");
    await createPod(ns, "restricted-pod", { nodeSelector: { label: "nonempty" } });
    const n = await nodeCount();
    const { cond } = await unschedulable(ns, "restricted-pod");
    expect(cond.message).toBe(`0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector.`);
    await staysUnbound(ns, "restricted-pod");
  });
});

describe("conformance: HostPort", () => {
  it("Scheduling, HostPort matching and HostIP and Protocol not-matching: three pods with hostPort 54321 on one node (127.0.0.1/TCP, 127.0.0.2/TCP, 127.0.0.2/UDP) are all scheduled there", { timeout: 15_000 }, async () => {
    const target = `hp-${suffix}`;
    await node(target);
    await node(`hp-other-${suffix}`);
    const ns = await newNs("hostport");
    const port = 54321;
    // Each waits for the previous one to be bound (upstream runs them one after the other).
    await createPod(ns, "pod1", { pinTo: target, hostPort: { port, hostIP: "127.0.0.1", protocol: "TCP", containerPort: 8080 } });
    expect(await boundNode(ns, "pod1")).toBe(target);
    await createPod(ns, "pod2", { pinTo: target, hostPort: { port, hostIP: "127.0.0.2", protocol: "TCP", containerPort: 8080 } });
    expect(await boundNode(ns, "pod2")).toBe(target);
    await createPod(ns, "pod3", { pinTo: target, hostPort: { port, hostIP: "127.0.0.2", protocol: "UDP", containerPort: 8080 } });
    expect(await boundNode(ns, "pod3")).toBe(target);
    const events = ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).map((e) => e.reason);
    expect(events).not.toContain("FailedScheduling");

    // The pinning is real: a fourth pod on the same IP, protocol and port does not fit that node
    // (the other node is left out by the pin, as upstream's PreFilter narrowing reports it).
    await createPod(ns, "pod4", { pinTo: target, hostPort: { port, hostIP: "127.0.0.2", protocol: "UDP", containerPort: 8080 } });
    const n = await nodeCount();
    const { cond } = await unschedulable(ns, "pod4");
    expect(cond.message).toBe(`0/${n} nodes are available: 1 node(s) didn't have free ports for the requested pod ports, ${n - 1} node(s) didn't satisfy plugin(s) [NodeAffinity].`);
  });

  it("Scheduling, HostPort and Protocol match, HostIPs different but one is default HostIP (0.0.0.0): the second pod (127.0.0.1/TCP after 0.0.0.0/TCP, same port, same node) is not scheduled", { timeout: 15_000 }, async () => {
    const target = `hp0-${suffix}`;
    const key = `kubernetes.io/e2e-hp-${suffix}`;
    await node(target, { labels: { [key]: "90" } });
    await node(`hp0-other-${suffix}`);
    const ns = await newNs("hostport0");
    const port = 54322;
    await createPod(ns, "pod4", { nodeSelector: { [key]: "90" }, hostPort: { port, hostIP: "0.0.0.0", protocol: "TCP", containerPort: 8080 } });
    expect(await boundNode(ns, "pod4")).toBe(target);
    await createPod(ns, "pod5", { nodeSelector: { [key]: "90" }, hostPort: { port, hostIP: "127.0.0.1", protocol: "TCP", containerPort: 8080 } });
    const n = await nodeCount();
    const { cond } = await unschedulable(ns, "pod5");
    expect(cond.message).toBe(`0/${n} nodes are available: 1 node(s) didn't have free ports for the requested pod ports, ${n - 1} node(s) didn't match Pod's node affinity/selector.`);
    await staysUnbound(ns, "pod5");
  });
});

describe("conformance: NoExecuteTaintManager", () => {
  const TAINT_KEY = "kubernetes.io/e2e-evict-taint-key";
  const TAINT_VALUE = "evictTaintVal";
  const toleration = (seconds: number) => ({ key: TAINT_KEY, operator: "Equal", value: TAINT_VALUE, effect: "NoExecute", tolerationSeconds: seconds });

  /** upstream's getTestTaint: NoExecute, with timeAdded now. */
  async function taint(nodeName: string): Promise<void> {
    const n = (await get(`/api/v1/nodes/${nodeName}`)).body;
    const taints = [...(n.spec.taints ?? []), { key: TAINT_KEY, value: TAINT_VALUE, effect: "NoExecute", timeAdded: new Date().toISOString().replace(/\.\d+Z$/, "Z") }];
    const r = await put(`/api/v1/nodes/${nodeName}`, { ...n, spec: { ...n.spec, taints } });
    expect(r.status, r.text).toBe(200);
  }

  /** upstream's RemoveTaintOffNode. */
  async function untaint(nodeName: string): Promise<void> {
    const n = (await get(`/api/v1/nodes/${nodeName}`)).body;
    const taints = (n.spec.taints ?? []).filter((t: any) => !(t.key === TAINT_KEY && t.effect === "NoExecute"));
    const { taints: _, ...spec } = n.spec;
    const r = await put(`/api/v1/nodes/${nodeName}`, { ...n, spec: taints.length ? { ...spec, taints } : spec });
    expect(r.status, r.text).toBe(200);
    expect(r.body.spec.taints ?? []).toEqual(taints);
  }

  /**
   * Fires the controllers every ~100 ms until `untilMs` (or until every pod is evicted) and
   * returns, for each pod, when it was first seen evicted (ms since `since`), or undefined.
   */
  async function watchEvictions(ns: string, podNames: string[], since: number, untilMs: number): Promise<Record<string, number | undefined>> {
    const seen: Record<string, number | undefined> = Object.fromEntries(podNames.map((p) => [p, undefined]));
    while (Date.now() - since < untilMs && podNames.some((p) => seen[p] === undefined)) {
      await runDurableObjectAlarm(controllers());
      const items = (await get(`/api/v1/namespaces/${ns}/pods`)).body.items as any[];
      const at = Date.now() - since;
      for (const p of items) if (p.metadata.deletionTimestamp && p.metadata.name in seen && seen[p.metadata.name] === undefined) seen[p.metadata.name] = at;
      await sleep(100);
    }
    return seen;
  }

  /** The marks of an eviction: Terminating, DisruptionTarget, a TaintManagerEviction event. */
  async function expectEvicted(ns: string, name: string): Promise<void> {
    const p = await getPod(ns, name);
    expect(p.metadata.deletionTimestamp, name).toBeDefined();
    expect(p.status.conditions.find((c: any) => c.type === "DisruptionTarget")).toMatchObject({
      status: "True",
      reason: "DeletionByTaintManager",
      message: "Taint manager: deleting due to NoExecute taint",
    });
    const ev = ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).filter((e) => e.reason === "TaintManagerEviction" && e.involvedObject.name === name);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ type: "Normal", message: `Marking for deletion Pod ${ns}/${name}`, source: { component: "taint-eviction-controller" }, involvedObject: { kind: "Pod", uid: p.metadata.uid } });
  }

  it("Pod Eviction, Toleration limits: on a NoExecute-tainted node, pods are evicted as their tolerationSeconds run out, in order, and not before", { timeout: 20_000 }, async () => {
    const target = `evict-${suffix}`;
    await node(target, { labels: { evict: suffix } });
    const ns = await newNs("taint-limits");
    const at = { evict: suffix };
    // taint-eviction-b1/b2 as upstream (short and long toleration); -none tolerates nothing,
    // -forever tolerates without a limit (neither is in upstream's test: its single-pod siblings).
    await createPod(ns, "taint-eviction-b1", { nodeSelector: at, tolerations: [toleration(2)] });
    await createPod(ns, "taint-eviction-b2", { nodeSelector: at, tolerations: [toleration(4)] });
    await createPod(ns, "taint-eviction-none", { nodeSelector: at });
    await createPod(ns, "taint-eviction-forever", { nodeSelector: at, tolerations: [{ key: TAINT_KEY, operator: "Exists", effect: "NoExecute" }] });
    for (const p of ["taint-eviction-b1", "taint-eviction-b2", "taint-eviction-none", "taint-eviction-forever"]) expect(await boundNode(ns, p)).toBe(target);

    const t0 = Date.now();
    await taint(target);
    const seen = await watchEvictions(ns, ["taint-eviction-b1", "taint-eviction-b2", "taint-eviction-none", "taint-eviction-forever"], t0, 7000);
    // Not tolerated: at once.
    expect(seen["taint-eviction-none"]).toBeDefined();
    expect(seen["taint-eviction-none"]!).toBeLessThan(1500);
    // Tolerated for 2 s, then 4 s: not before, and not much after.
    expect(seen["taint-eviction-b1"]).toBeDefined();
    expect(seen["taint-eviction-b1"]!).toBeGreaterThanOrEqual(2000);
    expect(seen["taint-eviction-b1"]!).toBeLessThan(3500);
    expect(seen["taint-eviction-b2"]).toBeDefined();
    expect(seen["taint-eviction-b2"]!).toBeGreaterThanOrEqual(4000);
    expect(seen["taint-eviction-b2"]!).toBeLessThan(5500);
    // Tolerated forever: stays (watched past both limits).
    expect(seen["taint-eviction-forever"]).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(7000);
    expect((await getPod(ns, "taint-eviction-forever")).metadata.deletionTimestamp).toBeUndefined();

    for (const p of ["taint-eviction-b1", "taint-eviction-b2", "taint-eviction-none"]) await expectEvicted(ns, p);
    await untaint(target);
  });

  it("Taint, Pod Eviction on taint removal: a pod tolerating the NoExecute taint for 3 s is not evicted when the taint is removed before then", { timeout: 20_000 }, async () => {
    const target = `cancel-${suffix}`;
    await node(target, { labels: { cancel: suffix } });
    const ns = await newNs("taint-cancel");
    await createPod(ns, "taint-eviction-4", { nodeSelector: { cancel: suffix }, tolerations: [toleration(3)] });
    expect(await boundNode(ns, "taint-eviction-4")).toBe(target);

    const passes = async () => ((await controllers().state()) as any).nodeLifecycle.passes as number;
    const t0 = Date.now();
    const before = await passes();
    await taint(target);
    // The countdown has started: a lifecycle pass ran with the taint on, and the pod is still there.
    const early = await watchEvictions(ns, ["taint-eviction-4"], t0, 1500);
    expect(early["taint-eviction-4"]).toBeUndefined();
    expect(await passes()).toBeGreaterThan(before);
    await untaint(target);
    expect(Date.now() - t0).toBeLessThan(2500);

    // Watched past the toleration's end and one node monitor period (5 s) more: never evicted.
    const seen = await watchEvictions(ns, ["taint-eviction-4"], t0, 8500);
    expect(seen["taint-eviction-4"]).toBeUndefined();
    const p = await getPod(ns, "taint-eviction-4");
    expect(p.metadata.deletionTimestamp).toBeUndefined();
    expect(p.spec.nodeName).toBe(target);
    expect((p.status.conditions ?? []).find((c: any) => c.type === "DisruptionTarget")).toBeUndefined();
    const events = ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).filter((e) => e.reason === "TaintManagerEviction");
    expect(events).toEqual([]);
  });
});
