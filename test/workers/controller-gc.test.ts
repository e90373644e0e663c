// The garbage collector running inside the namespace store, driven by its alarm: deleting an
// owner through the API (background, orphan, foreground) reaches its dependents.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Watch, cm, del, deployment, eventually, get, newNs, nsStub, patch, pod, post, replicaSet, settle } from "./helpers.js";

const items = async (path: string) => (await get(path)).body.items as any[];
const podsOf = (ns: string, app: string) => items(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
const ref = (kind: string, o: { metadata: { name: string; uid: string } }, extra: object = {}) => ({
  apiVersion: kind === "ReplicaSet" || kind === "Deployment" ? "apps/v1" : "v1",
  kind,
  name: o.metadata.name,
  uid: o.metadata.uid,
  ...extra,
});

/** A ReplicaSet with `replicas` pods running, once they exist. */
async function runReplicaSet(ns: string, name: string, replicas: number) {
  const rs = (await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, replicaSet(name, replicas))).body;
  const pods = await eventually(ns, async () => {
    const ps = await podsOf(ns, name);
    return ps.length === replicas ? ps : undefined;
  });
  return { rs, pods };
}

describe("garbage collector", () => {
  it("background: deleting a ReplicaSet deletes its pods", async () => {
    const ns = await newNs("gcb");
    await runReplicaSet(ns, "web", 2);
    expect((await del(`/apis/apps/v1/namespaces/${ns}/replicasets/web`)).status).toBe(200);
    await eventually(ns, async () => ((await podsOf(ns, "web")).length === 0 ? true : undefined));
  });

  it("background: deleting a Deployment deletes its ReplicaSets and their pods", async () => {
    const ns = await newNs("gcd");
    expect((await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("app", 2))).status).toBe(201);
    await eventually(ns, async () => ((await podsOf(ns, "app")).length === 2 ? true : undefined));
    expect((await del(`/apis/apps/v1/namespaces/${ns}/deployments/app`)).status).toBe(200);
    await eventually(ns, async () => {
      const rss = await items(`/apis/apps/v1/namespaces/${ns}/replicasets`);
      return rss.length === 0 && (await podsOf(ns, "app")).length === 0 ? true : undefined;
    });
  });

  it("orphan: the ReplicaSet goes, its pods stay without the ownerReference", async () => {
    const ns = await newNs("gco");
    const { pods } = await runReplicaSet(ns, "web", 2);
    expect((await del(`/apis/apps/v1/namespaces/${ns}/replicasets/web`, { propagationPolicy: "Orphan" })).status).toBe(200);
    await eventually(ns, async () => ((await get(`/apis/apps/v1/namespaces/${ns}/replicasets/web`)).status === 404 ? true : undefined));
    const left = await podsOf(ns, "web");
    expect(left.map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
    for (const p of left) expect(p.metadata.ownerReferences).toBeUndefined();
  });

  it("foreground: the owner waits, marked, while a blocking dependent remains", async () => {
    const ns = await newNs("gcf");
    const { pods } = await runReplicaSet(ns, "web", 2);
    const held = pods[0].metadata.name;
    expect((await patch(`/api/v1/namespaces/${ns}/pods/${held}`, "merge", { metadata: { finalizers: ["example.com/hold"] } })).status).toBe(200);
    const rsPath = `/apis/apps/v1/namespaces/${ns}/replicasets/web`;
    expect((await del(rsPath, { propagationPolicy: "Foreground" })).status).toBe(200);

    // The free pod goes; the held one is being deleted; the ReplicaSet waits for it.
    await eventually(ns, async () => {
      const ps = await podsOf(ns, "web");
      return ps.length === 1 && ps[0].metadata.deletionTimestamp ? true : undefined;
    });
    const rs = (await get(rsPath)).body;
    expect(rs.metadata.deletionTimestamp).toBeDefined();
    expect(rs.metadata.finalizers).toEqual(["foregroundDeletion"]);

    expect((await patch(`/api/v1/namespaces/${ns}/pods/${held}`, "merge", { metadata: { finalizers: null } })).status).toBe(200);
    await eventually(ns, async () => ((await get(rsPath)).status === 404 ? true : undefined));
  });

  it("collects a dependent whose owner uid matches no object; keeps one with a live owner, dropping the dangling reference", async () => {
    const ns = await newNs("gcu");
    const owner = (await post(`/api/v1/namespaces/${ns}/configmaps`, cm("owner"))).body;
    const ghost = { metadata: { name: "owner", uid: "00000000-0000-0000-0000-000000000000" } };
    const withRefs = (name: string, refs: object[]) => ({ ...pod(name), metadata: { name, ownerReferences: refs } });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, withRefs("orphaned", [ref("ConfigMap", ghost)]))).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/pods`, withRefs("shared", [ref("ConfigMap", owner), ref("ReplicaSet", { metadata: { name: "gone", uid: "11111111-1111-1111-1111-111111111111" } })]))).status).toBe(201);
    await eventually(ns, async () => ((await get(`/api/v1/namespaces/${ns}/pods/orphaned`)).status === 404 ? true : undefined));
    const shared = await eventually(ns, async () => {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/shared`)).body;
      return p.metadata.ownerReferences?.length === 1 ? p : undefined;
    });
    expect(shared.metadata.ownerReferences).toEqual([ref("ConfigMap", owner)]);
    expect(shared.metadata.deletionTimestamp).toBeUndefined();
  });

  it("an ownership cycle does not block collection", async () => {
    const ns = await newNs("gcc");
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(base, cm("a"))).body;
    const b = (await post(base, { ...cm("b"), metadata: { name: "b", ownerReferences: [ref("ConfigMap", a, { blockOwnerDeletion: true })] } })).body;
    expect((await patch(`${base}/a`, "merge", { metadata: { ownerReferences: [ref("ConfigMap", b, { blockOwnerDeletion: true })] } })).status).toBe(200);
    await eventually(ns, async () => (await runDurableObjectAlarm(nsStub(ns) as any)) ? undefined : true);
    expect((await get(`${base}/a`)).status).toBe(200);
    expect((await del(`${base}/a`)).status).toBe(200);
    await eventually(ns, async () => ((await get(`${base}/b`)).status === 404 ? true : undefined));

    // In the foreground, each waits for the other: the GC unblocks the references and both go.
    const c = (await post(base, cm("c"))).body;
    const d = (await post(base, { ...cm("d"), metadata: { name: "d", ownerReferences: [ref("ConfigMap", c, { blockOwnerDeletion: true })] } })).body;
    expect((await patch(`${base}/c`, "merge", { metadata: { ownerReferences: [ref("ConfigMap", d, { blockOwnerDeletion: true })] } })).status).toBe(200);
    expect((await del(`${base}/c`, { propagationPolicy: "Foreground" })).status).toBe(200);
    await eventually(ns, async () => ((await items(base)).length === 0 ? true : undefined));
  });

  it("a cycle of three pods, each the blocking controller of the next, is collected whole once one is deleted in the background", async () => {
    const ns = await newNs("gcy");
    const base = `/api/v1/namespaces/${ns}/pods`;
    const made: Record<string, any> = {};
    for (const name of ["pod1", "pod2", "pod3"]) {
      const r = await post(base, pod(name));
      expect(r.status).toBe(201);
      made[name] = r.body;
    }
    // pod1 is owned by pod3, pod2 by pod1, pod3 by pod2.
    for (const [name, owner] of [["pod1", "pod3"], ["pod2", "pod1"], ["pod3", "pod2"]]) {
      const owned = { metadata: { ownerReferences: [ref("Pod", made[owner], { controller: true, blockOwnerDeletion: true })] } };
      expect((await patch(`${base}/${name}`, "merge", owned)).status).toBe(200);
    }
    // Every owner is alive: the GC leaves the cycle alone.
    await settle(ns);
    const before = await items(base);
    expect(before.map((p) => p.metadata.name).sort()).toEqual(["pod1", "pod2", "pod3"]);
    for (const p of before) expect(p.metadata.deletionTimestamp).toBeUndefined();

    expect((await del(`${base}/pod1`, { propagationPolicy: "Background" })).status).toBe(200);
    await eventually(ns, async () => ((await items(base)).length === 0 ? true : undefined));
  });

  it("multiple owners: deleting one owner in the foreground keeps a dependent another owner holds, dropping only that reference", async () => {
    const ns = await newNs("gcm");
    const rsPath = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const { pods } = await runReplicaSet(ns, "web", 4);
    // A second owner, selecting none of the pods: it only owns through the references added below.
    const rs2 = (await post(rsPath, replicaSet("other", 0))).body;
    const shared = pods.slice(0, 2).map((p) => p.metadata.name as string).sort();
    for (const name of shared) {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/${name}`)).body;
      const refs = [...p.metadata.ownerReferences, ref("ReplicaSet", rs2)];
      expect((await patch(`/api/v1/namespaces/${ns}/pods/${name}`, "merge", { metadata: { ownerReferences: refs } })).status).toBe(200);
    }
    await settle(ns);
    const start = (await get(`/api/v1/namespaces/${ns}/pods`)).body.metadata.resourceVersion;
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${start}`);
    try {
      expect((await del(`${rsPath}/web`, { propagationPolicy: "Foreground" })).status).toBe(200);
      // The owner goes once the pods it alone owned are gone.
      await eventually(ns, async () => ((await get(`${rsPath}/web`)).status === 404 ? true : undefined));
      await settle(ns);
      const left = await podsOf(ns, "web");
      expect(left.map((p) => p.metadata.name).sort()).toEqual(shared);
      for (const p of left) {
        expect(p.metadata.deletionTimestamp).toBeUndefined();
        expect(p.metadata.ownerReferences).toEqual([ref("ReplicaSet", rs2)]);
      }
      expect((await get(`${rsPath}/other`)).status).toBe(200);
      // Not even for a moment: no event of the watch shows a shared pod being deleted.
      const events = (await w.rest(300)).filter((e) => shared.includes(e.object?.metadata?.name));
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.type).toBe("MODIFIED");
        expect(e.object.metadata.deletionTimestamp).toBeUndefined();
      }
    } finally {
      await w.cancel();
    }
  });

  it("a namespaced dependent of a cluster-scoped owner is collected by the resync after the owner goes", async () => {
    const ns = await newNs("gcn");
    const node = (await post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: `${ns}-node` } })).body;
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    expect((await post(base, { ...cm("on-node"), metadata: { name: "on-node", ownerReferences: [ref("Node", node)] } })).status).toBe(201);
    await eventually(ns, async () => (await runDurableObjectAlarm(nsStub(ns) as any)) ? undefined : true);
    expect((await get(`${base}/on-node`)).status).toBe(200);
    expect((await del(`/api/v1/nodes/${ns}-node`)).status).toBe(200);
    await (nsStub(ns) as any).resync(ns);
    await eventually(ns, async () => ((await get(`${base}/on-node`)).status === 404 ? true : undefined));
  });

  it("a cluster-scoped object naming a namespaced owner kind is never collected, and a Warning says why", async () => {
    const name = `gci-${Date.now().toString(36)}`;
    const owner = { metadata: { name: "cm", uid: "22222222-2222-2222-2222-222222222222" } };
    expect((await post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name, ownerReferences: [ref("ConfigMap", owner)] } })).status).toBe(201);
    const cluster = env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName("cluster")) as any;
    const warning = await eventually("default", async () => {
      await runDurableObjectAlarm(cluster);
      const evs = await items(`/api/v1/namespaces/default/events?fieldSelector=reason%3DOwnerRefInvalidNamespace`);
      return evs.find((e) => e.involvedObject.name === name);
    });
    expect(warning).toMatchObject({ type: "Warning", involvedObject: { kind: "Node", name }, source: { component: "garbage-collector-controller" } });
    expect(warning.message).toBe(`ownerRef [v1/ConfigMap, namespace: , name: cm, uid: ${owner.metadata.uid}] does not exist in namespace ""`);
    expect((await get(`/api/v1/nodes/${name}`)).status).toBe(200);
    expect((await del(`/api/v1/nodes/${name}`)).status).toBe(200);
  });
});
