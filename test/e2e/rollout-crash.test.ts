// A crash in the middle of a rollout: the whole `edgeplane up` process tree is SIGKILLed while
// a Deployment is half rolled out, then started again on the same state folder. The rollout
// completes after the restart, with no pod created twice and none lost: the controllers keep no
// state that matters outside the store, and the store's alarm (or the first resync) picks up.
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually } from "./helpers.js";
import { startStandInKubelet, type StandInKubelet } from "./stand-in-kubelet.js";

const NS = "crash";
const REPLICAS = 6;

let h: Edgeplane;
let kubelet: StandInKubelet | undefined;

const deployment = (image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app", namespace: NS },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: "app" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image }] } },
  },
});

const list = async (path: string) => {
  const r = await api(h, "GET", path);
  expect(r.status).toBe(200);
  return r.body.items as any[];
};
const pods = () => list(`/api/v1/namespaces/${NS}/pods`);
const replicaSets = () => list(`/apis/apps/v1/namespaces/${NS}/replicasets`);
const complete = async () => {
  const d = (await api(h, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/app`)).body;
  const s = d.status ?? {};
  if (!(s.observedGeneration === d.metadata.generation && s.updatedReplicas === REPLICAS && s.replicas === REPLICAS && s.availableReplicas === REPLICAS)) {
    throw new Error(`rollout not complete: ${JSON.stringify(s)}`);
  }
};

describe("a control plane killed mid-rollout", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    expect((await api(h, "POST", "/api/v1/namespaces", { metadata: { name: NS } })).status).toBe(201);
  });
  afterAll(async () => {
    await kubelet?.stop();
    await h?.stop();
  });

  it("finishes the rollout after a restart, with no duplicate or lost pods", async () => {
    kubelet = startStandInKubelet(h, NS, { delayMs: 400 });
    expect((await api(h, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, deployment("app:v1"))).status).toBe(201);
    await eventually(complete, 30_000);

    const apps = kubeClient(h).makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment(
      { name: "app", namespace: NS, body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "app:v2" }] },
    );
    // Half-way: some new pods exist, old ones remain.
    await eventually(async () => {
      const ps = await pods();
      const v2 = ps.filter((p) => p.spec.containers[0].image === "app:v2").length;
      if (v2 < 2 || v2 >= REPLICAS) throw new Error(`${v2} pods of app:v2`);
    }, 30_000);
    await kubelet.stop();
    kubelet = undefined;
    const before = await pods();

    await h.restart({ kill: true });
    expect(h.lastExit?.signal).toBe("SIGKILL");
    // Everything written before the kill is still there.
    const afterRestart = await pods();
    expect(afterRestart.map((p) => p.metadata.uid).sort()).toEqual(expect.arrayContaining(before.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.uid).sort()));

    kubelet = startStandInKubelet(h, NS, { delayMs: 100 });
    await eventually(complete, 60_000, 200);

    const rss = await replicaSets();
    expect(rss).toHaveLength(2);
    const next = rss.find((r) => r.spec.template.spec.containers[0].image === "app:v2");
    const prev = rss.find((r) => r.spec.template.spec.containers[0].image === "app:v1");
    expect(next.spec.replicas).toBe(REPLICAS);
    expect(prev.spec.replicas).toBe(0);

    // Exactly the wanted pods, each with one controller: the new ReplicaSet.
    const final = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
    expect(final).toHaveLength(REPLICAS);
    for (const p of final) {
      expect(p.spec.containers[0].image).toBe("app:v2");
      expect(p.metadata.ownerReferences.filter((r: any) => r.controller)).toEqual([expect.objectContaining({ kind: "ReplicaSet", uid: next.metadata.uid })]);
    }
    // No pod created twice and none lost: each ReplicaSet created exactly REPLICAS pods in all.
    const events = await list(`/api/v1/namespaces/${NS}/events`);
    const creates = (rs: any) => events.filter((e) => e.reason === "SuccessfulCreate" && e.involvedObject.uid === rs.metadata.uid).reduce((n, e) => n + (e.count ?? 1), 0);
    const deletes = (rs: any) => events.filter((e) => e.reason === "SuccessfulDelete" && e.involvedObject.uid === rs.metadata.uid).reduce((n, e) => n + (e.count ?? 1), 0);
    expect(creates(next)).toBe(REPLICAS);
    expect(creates(prev)).toBe(REPLICAS);
    expect(deletes(prev)).toBe(REPLICAS);
    expect(deletes(next)).toBe(0);
  });
});
