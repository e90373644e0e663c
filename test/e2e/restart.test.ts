// State survives `edgeplane up` being stopped and started again on the same state folder:
// every object with its uid and resourceVersion, the revision counters, the watch log (a watch
// from a resourceVersion taken before the restart resumes), and pagination snapshots.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { kubeClientIdentity, recordWatch, sleep, summary } from "./helpers.js";

let h: Edgeplane;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

const NAMESPACES = ["rs-a", "rs-b", "rs-c"];
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

interface Snapshot {
  namespaces: string;
  nodes: string;
  perNamespace: Record<string, string>;
}

/** Everything, as raw JSON from the API (so nothing is lost in client-node's typed models). */
async function snapshot(): Promise<Snapshot> {
  const raw = async (path: string) => {
    const res = await api(h, "GET", path);
    expect(res.status).toBe(200);
    return JSON.stringify(res.body.items);
  };
  const perNamespace: Record<string, string> = {};
  for (const ns of NAMESPACES) {
    perNamespace[ns] = JSON.stringify({
      configmaps: await raw(`/api/v1/namespaces/${ns}/configmaps`),
      secrets: await raw(`/api/v1/namespaces/${ns}/secrets`),
      pods: await raw(`/api/v1/namespaces/${ns}/pods`),
      deployments: await raw(`/apis/apps/v1/namespaces/${ns}/deployments`),
      leases: await raw(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`),
    });
  }
  return { namespaces: await raw("/api/v1/namespaces"), nodes: await raw("/api/v1/nodes"), perNamespace };
}

let before: Snapshot;
/** A resourceVersion of rs-a taken before later writes and the restart. */
let rvBeforeUpdates: string;
/** A cross-namespace list token taken at the same point. */
let crossRv: string;
/** A continue token of a paginated list in rs-b. */
let continueToken: string;
let firstPageNames: string[];
let maxRv: Record<string, number>;
let pidBefore: number;

beforeAll(async () => {
  // These tests page through and watch the ConfigMaps of fresh namespaces: no kube-root-ca.crt here.
  h = await startEdgeplane({ vars: { KUBE_ROOT_CA_CERT: "" } });
  kc = kubeClient(h);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);

  for (const ns of NAMESPACES) await core.createNamespace({ body: { metadata: { name: ns, labels: { suite: "restart" } } } });
  await core.createNode({ body: { metadata: { name: "node-r1", labels: { zone: "z1" } }, spec: { podCIDR: "10.244.0.0/24" } } });
  for (const ns of NAMESPACES) {
    for (let i = 0; i < 6; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}`, labels: { i: String(i) } }, data: { v: "0" } } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "s" }, stringData: { password: `pw-${ns}` } } });
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: "web" },
        spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } },
      },
    });
  }
  rvBeforeUpdates = (await core.listNamespacedConfigMap({ namespace: "rs-a" })).metadata!.resourceVersion!;
  crossRv = (await core.listConfigMapForAllNamespaces({ labelSelector: "i" })).metadata!.resourceVersion!;
  const page = await core.listNamespacedConfigMap({ namespace: "rs-b", limit: 2 });
  continueToken = page.metadata!._continue!;
  firstPageNames = page.items.map((i) => i.metadata!.name!);

  // Updates, deletes and held objects after those tokens.
  await core.patchNamespacedConfigMap({ name: "cm-1", namespace: "rs-a", body: { data: { v: "1" } } }, merge);
  await core.patchNamespacedConfigMap({ name: "cm-1", namespace: "rs-a", body: { data: { v: "2" } } }, merge);
  await core.deleteNamespacedConfigMap({ name: "cm-5", namespace: "rs-a" });
  await apps.patchNamespacedDeploymentScale({ name: "web", namespace: "rs-b", body: { spec: { replicas: 4 } } }, merge);
  await core.patchNamespacedConfigMap({ name: "cm-0", namespace: "rs-b", body: { data: { v: "b" } } }, merge);
  await core.createNamespacedConfigMap({ namespace: "rs-c", body: { metadata: { name: "held", finalizers: ["example.com/hold"] } } });
  await core.deleteNamespacedConfigMap({ name: "held", namespace: "rs-c" });
  await core.createNamespacedPod({ namespace: "rs-c", body: { metadata: { name: "bound" }, spec: { nodeName: "node-r1", containers: [{ name: "c", image: "nginx:1.25" }] } } });
  await core.deleteNamespacedPod({ name: "bound", namespace: "rs-c" }); // graceful: stays, marked
  await core.patchNamespacedPodStatus({ name: "bound", namespace: "rs-c", body: { status: { phase: "Running" } } }, merge);

  before = await snapshot();
  maxRv = {};
  for (const ns of NAMESPACES) {
    const items = Object.values(JSON.parse(before.perNamespace[ns]) as Record<string, string>).flatMap((s) => JSON.parse(s) as Array<{ metadata: { resourceVersion: string } }>);
    maxRv[ns] = Math.max(...items.map((i) => Number(i.metadata.resourceVersion)));
  }
  pidBefore = h.pid;
  await h.restart();
  kc = kubeClient(h);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await h?.stop();
});

describe("after a restart on the same state folder", () => {
  it("is a new process that stopped cleanly", () => {
    expect(h.pid).not.toBe(pidBefore);
    expect(h.lastExit).toEqual({ code: 0, signal: null });
  });

  it("has every object unchanged: uid, resourceVersion, content", async () => {
    const after = await snapshot();
    expect(after.namespaces).toBe(before.namespaces);
    expect(after.nodes).toBe(before.nodes);
    for (const ns of NAMESPACES) expect(after.perNamespace[ns], ns).toBe(before.perNamespace[ns]);
    // And the parts that matter, spelled out.
    const cm1 = await core.readNamespacedConfigMap({ name: "cm-1", namespace: "rs-a" });
    expect(cm1.data).toEqual({ v: "2" });
    await expect(core.readNamespacedConfigMap({ name: "cm-5", namespace: "rs-a" })).rejects.toMatchObject({ code: 404 });
    expect((await apps.readNamespacedDeployment({ name: "web", namespace: "rs-b" })).spec?.replicas).toBe(4);
    const held = await core.readNamespacedConfigMap({ name: "held", namespace: "rs-c" });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata?.finalizers).toEqual(["example.com/hold"]);
    const pod = await core.readNamespacedPod({ name: "bound", namespace: "rs-c" });
    expect(pod.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(pod.status?.phase).toBe("Running");
    const secret = await core.readNamespacedSecret({ name: "s", namespace: "rs-b" });
    expect(Buffer.from(secret.data!.password, "base64").toString()).toBe("pw-rs-b");
  });

  it("keeps the four initial namespaces, not re-created", async () => {
    const nss = JSON.parse(before.namespaces) as Array<{ metadata: { name: string; uid: string } }>;
    for (const n of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      const now = await core.readNamespace({ name: n });
      expect(now.metadata?.uid).toBe(nss.find((x) => x.metadata.name === n)?.metadata.uid);
    }
  });

  it("continues the revision counters: new writes get higher resourceVersions", async () => {
    for (const ns of NAMESPACES) {
      const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after-restart" } } });
      expect(Number(created.metadata?.resourceVersion), ns).toBeGreaterThan(maxRv[ns]);
      const list = await core.listNamespacedConfigMap({ namespace: ns });
      expect(list.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    }
    const nsMax = Math.max(...(JSON.parse(before.namespaces) as Array<{ metadata: { resourceVersion: string } }>).map((n) => Number(n.metadata.resourceVersion)));
    const node = await core.createNode({ body: { metadata: { name: "node-r2" } } });
    expect(Number(node.metadata?.resourceVersion)).toBeGreaterThan(nsMax);
    // A stale resourceVersion from before the restart still conflicts.
    const stale = JSON.parse(JSON.parse(before.perNamespace["rs-a"]).configmaps).find((c: { metadata: { name: string } }) => c.metadata.name === "cm-2");
    const res = await api(h, "PUT", `/api/v1/namespaces/rs-a/configmaps/cm-2`, { ...stale, metadata: { ...stale.metadata, resourceVersion: String(Number(stale.metadata.resourceVersion) - 1) } });
    expect(res.status).toBe(409);
    // The current one (unchanged across the restart) is accepted.
    const ok = await api(h, "PUT", `/api/v1/namespaces/rs-a/configmaps/cm-2`, { ...stale, data: { v: "new" } });
    expect(ok.status).toBe(200);
  });

  it("serves a watch from a resourceVersion taken before the restart", async () => {
    const w = await recordWatch(kubeClientIdentity(h), "/api/v1/namespaces/rs-a/configmaps", { resourceVersion: rvBeforeUpdates });
    await w.until((ev) => summary(ev).some(([t, n]) => t === "ADDED" && n === "after-restart"), 10_000, "the post-restart write");
    await core.patchNamespacedConfigMap({ name: "cm-3", namespace: "rs-a", body: { data: { v: "live" } } }, merge);
    await w.until((ev) => summary(ev).some(([t, n]) => t === "MODIFIED" && n === "cm-3"), 10_000, "a live event");
    await sleep(200);
    w.stop();
    expect(summary(w.events)).toEqual([
      ["MODIFIED", "cm-1"],
      ["MODIFIED", "cm-1"],
      ["DELETED", "cm-5"],
      ["ADDED", "after-restart"],
      ["MODIFIED", "cm-2"],
      ["MODIFIED", "cm-3"],
    ]);
    const rvs = w.events.filter((e) => e.type !== "BOOKMARK").map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(rvs.length);
  });

  it("serves a cross-namespace watch from a pre-restart token", async () => {
    const w = await recordWatch(kubeClientIdentity(h), "/api/v1/configmaps", { resourceVersion: crossRv, labelSelector: "i" });
    await w.until((ev) => summary(ev).length >= 5, 10_000, "the changes since the token");
    await sleep(500);
    w.stop();
    const got = w.events.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`);
    expect(got.sort()).toEqual(
      ["MODIFIED rs-a/cm-1", "MODIFIED rs-a/cm-1", "DELETED rs-a/cm-5", "MODIFIED rs-b/cm-0", "MODIFIED rs-a/cm-2", "MODIFIED rs-a/cm-3"].sort(),
    );
  });

  it("continues a paginated list from a pre-restart continue token, at its snapshot", async () => {
    const names = [...firstPageNames];
    let cont: string | undefined = continueToken;
    while (cont) {
      const page = await core.listNamespacedConfigMap({ namespace: "rs-b", limit: 2, _continue: cont });
      names.push(...page.items.map((i) => i.metadata!.name!));
      if (page.items.some((i) => i.metadata?.name === "cm-0")) throw new Error("cm-0 came twice");
      cont = page.metadata?._continue;
    }
    // The snapshot: 6 configmaps, not the one created after the restart.
    expect(names).toEqual(["cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5"]);
  });
});
