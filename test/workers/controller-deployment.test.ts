// The Deployment controller inside the namespace store: the test plays the kubelet, marking pods
// Running and Ready through the status subresource, and fires the store's alarm to converge.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deployment, get, newNs, nsStub, patch, put } from "./helpers.js";
import { post } from "./helpers.js";

const dep = (name: string, replicas: number, image = "nginx:1.27", strategy?: unknown) => deployment(name, replicas, image, strategy ? { strategy } : {});

/**
 * Runs the store's alarm until it stays idle. The pool may also fire the alarm on its own: a
 * `false` can mean that run is still in flight, so idle means two `false`s 10 ms apart.
 */
async function converge(ns: string): Promise<void> {
  const stub = nsStub(ns) as any;
  for (let i = 0, idle = 0; i < 200 && idle < 2; i++) {
    if (await runDurableObjectAlarm(stub)) idle = 0;
    else {
      idle++;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const pods = async (ns: string) => ((await get(`/api/v1/namespaces/${ns}/pods`)).body.items as any[]).filter((p) => !p.metadata.deletionTimestamp);
const replicaSets = async (ns: string) => (await get(`/apis/apps/v1/namespaces/${ns}/replicasets`)).body.items as any[];

/** The kubelet's part: every pod not yet ready becomes Running and Ready. */
async function readyAll(ns: string): Promise<number> {
  let n = 0;
  for (const p of await pods(ns)) {
    if (p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")) continue;
    const now = new Date().toISOString();
    const status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }], startTime: now };
    const r = await put(`/api/v1/namespaces/${ns}/pods/${p.metadata.name}/status`, { ...p, status });
    if (r.status === 200) n++;
  }
  return n;
}

/** Alternates controller runs and kubelet readiness until nothing changes. */
async function rollOut(ns: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await converge(ns);
    if ((await readyAll(ns)) === 0) {
      await converge(ns);
      return;
    }
  }
}

describe("Deployment controller", { timeout: 30_000 }, () => {
  it("creates a ReplicaSet named by the template hash, and reports status as pods become ready", async () => {
    const ns = await newNs("dc");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    expect((await post(base, dep("web", 3))).status).toBe(201);
    await converge(ns);
    const [rs] = await replicaSets(ns);
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.metadata.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "1",
      "deployment.kubernetes.io/desired-replicas": "3",
      "deployment.kubernetes.io/max-replicas": "4",
    });
    expect(rs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Deployment", name: "web", controller: true, blockOwnerDeletion: true })]);
    expect(await pods(ns)).toHaveLength(3);

    let d = (await get(`${base}/web`)).body;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, unavailableReplicas: 3, observedGeneration: 1 });
    expect(d.status.conditions.find((c: any) => c.type === "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });

    await rollOut(ns);
    d = (await get(`${base}/web`)).body;
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.unavailableReplicas).toBeUndefined();
    expect(d.status.conditions.find((c: any) => c.type === "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(d.status.conditions.find((c: any) => c.type === "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });

    const events = (await get(`/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.kind%3DDeployment`)).body.items as any[];
    expect(events.map((e) => e.message)).toContain(`Scaled up replica set web-${hash} from 0 to 3`);
    expect(events[0].source).toEqual({ component: "deployment-controller" });
  });

  it("rolls out a new template, keeps history, and rolls back to the old ReplicaSet", async () => {
    const ns = await newNs("dr");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    expect((await post(base, dep("api", 4))).status).toBe(201);
    await rollOut(ns);
    const [first] = await replicaSets(ns);

    expect((await patch(`${base}/api`, "strategic", { spec: { template: { spec: { containers: [{ name: "c", image: "nginx:1.28" }] } } } })).status).toBe(200);
    await converge(ns);
    // Default strategy: 25% surge (1) and 25% unavailable (1): 5 pods at most, 3 available at least.
    let rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const second = rss.find((r) => r.metadata.name !== first.metadata.name);
    expect(second.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect((await pods(ns)).length).toBeLessThanOrEqual(5);

    await rollOut(ns);
    rss = await replicaSets(ns);
    expect(rss.find((r) => r.metadata.name === first.metadata.name).spec.replicas).toBe(0);
    expect(rss.find((r) => r.metadata.name === second.metadata.name).spec.replicas).toBe(4);
    const live = await pods(ns);
    expect(live).toHaveLength(4);
    expect(live.every((p) => p.spec.containers[0].image === "nginx:1.28")).toBe(true);
    let d = (await get(`${base}/api`)).body;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });

    // Rollback as kubectl rollout undo does: the old template back; the old ReplicaSet is re-promoted as revision 3.
    const template = structuredClone(first.spec.template);
    delete template.metadata.labels["pod-template-hash"];
    expect((await patch(`${base}/api`, "json", [{ op: "replace", path: "/spec/template", value: template }])).status).toBe(200);
    await rollOut(ns);
    rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const back = rss.find((r) => r.metadata.name === first.metadata.name);
    expect(back.spec.replicas).toBe(4);
    expect(back.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back.metadata.annotations["deployment.kubernetes.io/revision-history"]).toBe("1");
    d = (await get(`${base}/api`)).body;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");
    expect((await pods(ns)).every((p) => p.spec.containers[0].image === "nginx:1.27")).toBe(true);
  });

  it("Recreate scales the old ReplicaSet to zero before the new one starts", async () => {
    const ns = await newNs("drc");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    expect((await post(base, dep("db", 2, "postgres:16", { type: "Recreate" }))).status).toBe(201);
    await rollOut(ns);
    expect((await patch(`${base}/db`, "strategic", { spec: { template: { spec: { containers: [{ name: "c", image: "postgres:17" }] } } } })).status).toBe(200);
    await converge(ns);
    // Old pods are gone (unscheduled pods delete at once) before any new pod exists.
    const rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const live = await pods(ns);
    expect(live.every((p) => p.spec.containers[0].image === "postgres:17")).toBe(true);
    expect(live).toHaveLength(2);
  });

  it("paused deployments do not roll out; scaling mid-rollout is proportional", async () => {
    const ns = await newNs("dp");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    expect((await post(base, dep("p", 10, "nginx:1.27", { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } }))).status).toBe(201);
    await rollOut(ns);
    // A new template, not ready: new RS gets surge+unavailable = 5, old goes to 8.
    expect((await patch(`${base}/p`, "strategic", { spec: { template: { spec: { containers: [{ name: "c", image: "nginx:1.28" }] } } } })).status).toBe(200);
    await converge(ns);
    let rss = await replicaSets(ns);
    const sizes = () => rss.map((r) => r.spec.replicas).sort((a: number, b: number) => a - b);
    expect(sizes()).toEqual([5, 8]);
    // Pause, then scale to 20: proportional (13 total → 23 allowed: +10 split 8:5 → 6 and 4 as upstream).
    expect((await patch(`${base}/p`, "merge", { spec: { paused: true } })).status).toBe(200);
    await converge(ns);
    expect((await patch(`${base}/p`, "merge", { spec: { replicas: 20 } })).status).toBe(200);
    await converge(ns);
    rss = await replicaSets(ns);
    expect(sizes().reduce((a: number, b: number) => a + b, 0)).toBe(23);
    expect(sizes()).toEqual([9, 14]);
    const d = (await get(`${base}/p`)).body;
    expect(d.status.conditions.find((c: any) => c.type === "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
  });

  it("rollover: a template changed mid-rollout retires the half-rolled ReplicaSet", async () => {
    const ns = await newNs("dro");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const image = (v: string) => ({ spec: { template: { spec: { containers: [{ name: "c", image: v }] } } } });
    expect((await post(base, dep("ro", 4, "app:v1", { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }))).status).toBe(201);
    await rollOut(ns);
    // v2 starts (one surge pod, never ready), then v3 replaces it before it finishes.
    expect((await patch(`${base}/ro`, "strategic", image("app:v2"))).status).toBe(200);
    await converge(ns);
    const byImage = async () => Object.fromEntries((await replicaSets(ns)).map((r) => [r.spec.template.spec.containers[0].image, r.spec.replicas]));
    expect(await byImage()).toEqual({ "app:v1": 4, "app:v2": 1 });
    expect((await patch(`${base}/ro`, "strategic", image("app:v3"))).status).toBe(200);
    await converge(ns);
    // The unready v2 pod is scaled away at once (cleanupUnhealthyReplicas), v1 stays whole.
    const mid = await byImage();
    expect(mid["app:v2"]).toBe(0);
    expect(mid["app:v1"]).toBe(4);
    expect(mid["app:v3"]).toBeGreaterThanOrEqual(1);
    await rollOut(ns);
    expect(await byImage()).toEqual({ "app:v1": 0, "app:v2": 0, "app:v3": 4 });
    const d = (await get(`${base}/ro`)).body;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");
    expect((await pods(ns)).map((p) => p.spec.containers[0].image)).toEqual(Array(4).fill("app:v3"));
  });

  /** A ReplicaSet made by hand (no owner), with one pod the test marks Ready. */
  async function preexistingReplicaSet(ns: string, annotations: Record<string, string> = {}) {
    const labels = { name: "sample-pod", pod: "httpd" };
    const rs = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "test-rs", labels, annotations },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "httpd", image: "httpd:2.4" }] } } },
    };
    expect((await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, rs)).status).toBe(201);
    await rollOut(ns);
    expect((await get(`/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`)).body.status.readyReplicas).toBe(1);
  }

  const adopter = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name: "sample-pod" } },
      template: { metadata: { labels: { name: "sample-pod" } }, spec: { containers: [{ name: "agnhost", image: "agnhost:2.52" }] } },
      ...extra,
    },
  });

  it("adopts a matching ReplicaSet, and numbers the new one after its int64 revision", async () => {
    const ns = await newNs("dad");
    await preexistingReplicaSet(ns, { "deployment.kubernetes.io/revision": "3546343826724305832" });
    const created = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, adopter("test-rolling-update-deployment"));
    expect(created.status).toBe(201);
    await rollOut(ns);
    const rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const old = rss.find((r) => r.metadata.name === "test-rs");
    expect(old.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Deployment", uid: created.body.metadata.uid, controller: true })]);
    expect(old.spec.replicas).toBe(0);
    const next = rss.find((r) => r.metadata.name !== "test-rs");
    expect(next.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3546343826724305833");
    const d = (await get(`/apis/apps/v1/namespaces/${ns}/deployments/test-rolling-update-deployment`)).body;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3546343826724305833");
    expect(d.status).toMatchObject({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
  });

  it("revisionHistoryLimit 0 deletes the adopted ReplicaSet once the rollout is done", async () => {
    const ns = await newNs("dhl");
    await preexistingReplicaSet(ns);
    expect((await post(`/apis/apps/v1/namespaces/${ns}/deployments`, adopter("test-cleanup-deployment", { revisionHistoryLimit: 0 }))).status).toBe(201);
    await rollOut(ns);
    const rss = await replicaSets(ns);
    expect(rss.map((r) => r.metadata.name)).toHaveLength(1);
    expect(rss[0].metadata.name).not.toBe("test-rs");
    expect(rss[0].spec.template.spec.containers[0].image).toBe("agnhost:2.52");
  });

  it("status follows create, patch and update of the template as pods become ready", async () => {
    const ns = await newNs("dlc");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    expect((await post(base, dep("lc", 1, "httpd:2.4"))).status).toBe(201);
    await rollOut(ns);
    const ready = async (image: string) => {
      const d = (await get(`${base}/lc`)).body;
      expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
      expect((await pods(ns)).map((p) => p.spec.containers[0].image)).toEqual([image]);
      return d;
    };
    await ready("httpd:2.4");
    const patched = await patch(`${base}/lc`, "strategic", { metadata: { labels: { "test-deployment": "patched" } }, spec: { template: { spec: { containers: [{ name: "c", image: "httpd:2.4.62" }] } } } });
    expect(patched.status).toBe(200);
    await rollOut(ns);
    const d = await ready("httpd:2.4.62");
    expect(d.metadata.labels).toEqual({ "test-deployment": "patched" });
    const updated = structuredClone(d);
    updated.spec.template.spec.containers[0].image = "httpd:2.4.63";
    expect((await put(`${base}/lc`, updated)).status).toBe(200);
    await rollOut(ns);
    await ready("httpd:2.4.63");
  });
});
