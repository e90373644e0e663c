// Static pods and their mirror pods against a real control plane (`edgeplane up`, workerd),
// with a real node identity (a bootstrap token traded for node credentials, a registered Node):
// the mirror pod appears with its annotations and owner reference, carries the status the
// kubelet reports, is recreated after `kubectl delete pod` (the static pod never stops), follows
// an edit, and goes with its file; an orphaned mirror pod is removed; and the node can create no
// other pod (NodeRestriction's 403s).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { ApiClient } from "../../agent/client/api-client.js";
import { ApiError } from "../../agent/client/errors.js";
import { Informer } from "../../agent/client/informer.js";
import { Transport } from "../../agent/client/transport.js";
import { NodeCredentials } from "../../agent/credentials/node-credentials.js";
import { readMachine, simulatedMachine } from "../../agent/kubelet/machine.js";
import { registerNode } from "../../agent/kubelet/node-registration.js";
import { StaticPods } from "../../agent/kubelet/static-pods/static-pods.js";
import { api, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { kubectlFor, type Kubectl } from "./kubectl-helpers.js";

const NODE = "static-0";
const KEY = `default/web-${NODE}`;
const manifest = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    tier: edge
spec:
  containers:
  - name: web
    image: ${image}
`;

let h: Edgeplane;
let kubectl: Kubectl;
let transport: Transport;
let credentials: NodeCredentials;
let client: ApiClient;
let nodeUid = "";
let informer: Informer<Pod>;
let staticPods: StaticPods;
const dir = mkdtempSync(join(tmpdir(), "edgeplane-static-e2e-"));
const changes: string[] = [];
const errors: string[] = [];

const getPod = async (name: string) => {
  const r = await api(h, "GET", `/api/v1/namespaces/default/pods/${name}`);
  return r.status === 200 ? (r.body as Pod) : undefined;
};

beforeAll(async () => {
  h = await startEdgeplane();
  kubectl = kubectlFor(h);
  const made = await runEdgeplane(["token", "create", "--kubeconfig", h.kubeconfigPath]);
  expect(made.code, made.stderr).toBe(0);
  const log = { info: () => {}, error: (l: string) => errors.push(l) };
  transport = new Transport({ server: h.url, ca: h.ca, log });
  credentials = new NodeCredentials(transport, NODE, made.stdout.trim(), log);
  await credentials.join();
  client = new ApiClient(transport, credentials);
  const machine = simulatedMachine(readMachine(), NODE);
  nodeUid = (
    await registerNode(client, {
      name: NODE,
      labels: {},
      taints: [],
      capacity: { cpu: "2", memory: "4Gi", pods: "110" },
      internalIP: "10.0.0.10",
      hostname: NODE,
      podCIDR: "10.244.50.0/24",
      machine,
      containerRuntimeVersion: "simulated://0.1.0",
    })
  ).uid;
  expect(nodeUid).not.toBe("");

  writeFileSync(join(dir, "web.yaml"), manifest("busybox:1.36"));
  staticPods = new StaticPods({ dir, nodeName: NODE, client, log, nodeUid: () => nodeUid, onChange: (k) => changes.push(k), rescanMs: 2000 });
  // The kubelet's informer of its pods tells the static pods about their mirrors, as kubelet.ts wires it.
  informer = new Informer<Pod>({
    client,
    listPath: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${NODE}`)}`,
    onChange: (c) => {
      if (staticPods.isMirror(c.object)) staticPods.mirrorChanged(c.object, c.type === "DELETED");
    },
  });
  await staticPods.start();
  informer.start();
}, 150_000);

afterAll(async () => {
  await staticPods?.stop();
  await informer?.stop();
  credentials?.stop();
  transport?.close();
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("static pods and mirror pods", () => {
  let firstMirrorUid = "";

  it("shows a static pod as a mirror pod with its annotations and owner reference", async () => {
    const staticPod = staticPods.get(KEY)!;
    expect(staticPod.metadata.uid).toMatch(/^[0-9a-f]{32}$/);
    const mirror = await until("the mirror pod", () => getPod(`web-${NODE}`));
    firstMirrorUid = mirror.metadata.uid!;
    expect(firstMirrorUid).not.toBe(staticPod.metadata.uid);
    expect(mirror.metadata.annotations).toMatchObject({
      "kubernetes.io/config.mirror": staticPod.metadata.uid,
      "kubernetes.io/config.hash": staticPod.metadata.uid,
      "kubernetes.io/config.source": "file",
      "kubernetes.io/config.seen": staticPod.metadata.annotations!["kubernetes.io/config.seen"],
    });
    expect(mirror.metadata.labels).toEqual({ tier: "edge" });
    expect(mirror.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: NODE, uid: nodeUid, controller: true }]);
    expect(mirror.spec.nodeName).toBe(NODE);
    expect(mirror.spec.containers?.[0].image).toBe("busybox:1.36");
    expect(mirror.spec.tolerations).toContainEqual({ operator: "Exists", effect: "NoExecute" });
  });

  it("copies the status the kubelet reports to the mirror pod", async () => {
    await staticPods.reportStatus(KEY, { phase: "Running", podIP: "10.244.50.7", hostIP: "10.0.0.10", qosClass: "BestEffort" });
    const mirror = await until("the mirror pod Running", async () => {
      const p = await getPod(`web-${NODE}`);
      return p?.status?.phase === "Running" ? p : undefined;
    });
    expect(mirror.status?.podIP).toBe("10.244.50.7");
  });

  it("recreates the mirror pod after kubectl delete pod, and the static pod goes on", async () => {
    const uid = staticPods.get(KEY)!.metadata.uid;
    const before = changes.length;
    const out = await kubectl.ok(["delete", "pod", `web-${NODE}`, "--timeout=30s"]);
    expect(out).toContain(`pod "web-${NODE}" deleted`);
    const again = await until("a new mirror pod", async () => {
      const p = await getPod(`web-${NODE}`);
      return p && p.metadata.uid !== firstMirrorUid && !p.metadata.deletionTimestamp ? p : undefined;
    });
    expect(again.metadata.annotations?.["kubernetes.io/config.mirror"]).toBe(uid);
    // The static pod itself never changed: nothing for the kubelet to stop or restart.
    expect(staticPods.get(KEY)?.metadata.uid).toBe(uid);
    expect(changes.length).toBe(before);
    // Its status is written to the new mirror too.
    await until("the new mirror pod Running", async () => ((await getPod(`web-${NODE}`))?.status?.phase === "Running" ? true : undefined));
  });

  it("replaces the mirror pod when the manifest is edited", async () => {
    const old = staticPods.get(KEY)!.metadata.uid;
    writeFileSync(join(dir, "web.yaml"), manifest("busybox:1.37"));
    const edited = await until("the edited static pod", async () => (staticPods.get(KEY)?.metadata.uid !== old ? staticPods.get(KEY) : undefined));
    expect(changes.at(-1)).toBe(KEY);
    const mirror = await until("the mirror of the edit", async () => {
      const p = await getPod(`web-${NODE}`);
      return p?.metadata.annotations?.["kubernetes.io/config.mirror"] === edited.metadata.uid ? p : undefined;
    });
    expect(mirror.spec.containers?.[0].image).toBe("busybox:1.37");
  });

  it("removes an orphaned mirror pod, and the mirror pod whose file goes", async () => {
    // A mirror pod without a static pod (its file went while the agent was down).
    const orphan = await api(h, "POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `ghost-${NODE}`, annotations: { "kubernetes.io/config.mirror": "gone" }, ownerReferences: [{ apiVersion: "v1", kind: "Node", name: NODE, uid: nodeUid, controller: true }] },
      spec: { nodeName: NODE, containers: [{ name: "c", image: "busybox:1.36" }] },
    });
    expect(orphan.status, JSON.stringify(orphan.body)).toBe(201);
    await until("the orphan removed", async () => ((await getPod(`ghost-${NODE}`)) ? undefined : true));

    rmSync(join(dir, "web.yaml"));
    await until("the static pod gone", async () => (staticPods.get(KEY) ? undefined : true));
    await until("the mirror pod removed", async () => ((await getPod(`web-${NODE}`)) ? undefined : true));
    expect(staticPods.keys()).toEqual([]);
  });

  it("says once why a static pod has no mirror pod when its name is taken", async () => {
    const taken = await api(h, "POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `taken-${NODE}` },
      spec: { nodeName: "elsewhere", containers: [{ name: "c", image: "busybox:1.36" }] },
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    writeFileSync(join(dir, "taken.yaml"), manifest("busybox:1.36").replace("name: web", "name: taken"));
    const line = `✗ node ${NODE}: mirror pod default/taken-${NODE}: cannot create the mirror pod: a pod named default/taken-${NODE} exists and is not bound to this node`;
    await until("the error", async () => (errors.includes(line) ? true : undefined));
    // The static pod is there to run all the same, and the pod of that name is left alone.
    expect(staticPods.get(`default/taken-${NODE}`)?.spec.nodeName).toBe(NODE);
    expect((await getPod(`taken-${NODE}`))?.metadata.uid).toBe(taken.body.metadata.uid);
    await new Promise((r) => setTimeout(r, 2500));
    expect(errors.filter((l) => l === line)).toHaveLength(1);
    rmSync(join(dir, "taken.yaml"));
    await until("the static pod gone", async () => (staticPods.get(`default/taken-${NODE}`) ? undefined : true));
    errors.splice(0);
  });

  it("a node may create no pod but its own mirror pods", async () => {
    const refusal = async (body: unknown) => {
      try {
        await client.post("/api/v1/namespaces/default/pods", body);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        return `${(err as ApiError).status} ${(err as ApiError).message}`;
      }
      return "created";
    };
    expect(await refusal({ apiVersion: "v1", kind: "Pod", metadata: { name: "plain" }, spec: { nodeName: NODE, containers: [{ name: "c", image: "x" }] } })).toBe(
      `403 pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "${NODE}" can only create mirror pods`,
    );
    expect(
      await refusal({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web-other", annotations: { "kubernetes.io/config.mirror": "h" }, ownerReferences: [{ apiVersion: "v1", kind: "Node", name: NODE, uid: nodeUid, controller: true }] },
        spec: { nodeName: "other", containers: [{ name: "c", image: "x" }] },
      }),
    ).toBe(`403 pods "web-other" is forbidden: node "${NODE}" can only create pods with spec.nodeName set to itself`);
    // (Connectivity may report a dropped keep-alive connection; nothing of the static pods went wrong.)
    expect(errors.filter((l) => /static pod|mirror pod/.test(l))).toEqual([]);
  });
});
