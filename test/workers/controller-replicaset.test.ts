// The ReplicaSet controller running inside the namespace store, driven by its alarm: writes
// through the API schedule the alarm, the alarm reconciles, and the result shows in the API.
import { createExecutionContext, createScheduledController, env, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import { describe, expect, it } from "vitest";
import { del, eventually, get, newNs, nsStub, patch, pod, post, replicaSet, settle } from "./helpers.js";

const podsOf = async (ns: string, app: string) => (await get(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items as any[];
const ownedBy = (pods: any[], uid: string) => pods.filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller === true));

describe("ReplicaSet controller", () => {
  it("creates, scales down, replaces, adopts and releases pods", async () => {
    const ns = await newNs("rsc");
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const created = await post(base, replicaSet("web", 3));
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;

    // Three pods named web-xxxxx with the controller reference; status and events follow.
    const pods = await eventually(ns, async () => {
      const ps = ownedBy(await podsOf(ns, "web"), uid);
      const rs = (await get(`${base}/web`)).body;
      return ps.length === 3 && rs.status?.replicas === 3 && rs.status?.observedGeneration === rs.metadata.generation ? ps : undefined;
    });
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid, controller: true, blockOwnerDeletion: true }]);
    }
    const events = (await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[];
    const creates = events.filter((e) => e.reason === "SuccessfulCreate");
    expect(creates).toHaveLength(3);
    expect(creates.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(creates[0].source).toEqual({ component: "replicaset-controller" });
    expect(creates[0].involvedObject).toMatchObject({ kind: "ReplicaSet", name: "web", uid });

    // Scale to 1: two pods deleted.
    expect((await patch(`${base}/web/scale`, "merge", { spec: { replicas: 1 } })).status).toBe(200);
    const [survivor] = await eventually(ns, async () => {
      const ps = await podsOf(ns, "web");
      const rs = (await get(`${base}/web`)).body;
      return ps.length === 1 && rs.status?.replicas === 1 ? ps : undefined;
    });
    await eventually(ns, async () => {
      const evs = (await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[];
      return evs.filter((e) => e.reason === "SuccessfulDelete").length === 2 ? true : undefined;
    });

    // Delete the last pod: a replacement appears.
    expect((await del(`/api/v1/namespaces/${ns}/pods/${survivor.metadata.name}`)).status).toBe(200);
    const [replacement] = await eventually(ns, async () => {
      const ps = ownedBy(await podsOf(ns, "web"), uid);
      return ps.length === 1 && ps[0].metadata.name !== survivor.metadata.name ? ps : undefined;
    });
    expect(replacement.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);

    // Scale to 2 and add an orphan with matching labels: it is adopted, and as one pod too many
    // an unassigned one is deleted (the orphan is on a node, so it ranks last for deletion).
    expect((await patch(`${base}/web/scale`, "merge", { spec: { replicas: 2 } })).status).toBe(200);
    await eventually(ns, async () => ((await podsOf(ns, "web")).length === 2 ? true : undefined));
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod("stray", { labels: { app: "web" }, nodeName: "n1" }))).status).toBe(201);
    const adopted = await eventually(ns, async () => {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/stray`)).body;
      return p.metadata?.ownerReferences?.some((r: any) => r.uid === uid && r.controller) ? p : undefined;
    });
    expect(adopted.metadata.ownerReferences).toHaveLength(1);
    await eventually(ns, async () => {
      const ps = ownedBy(await podsOf(ns, "web"), uid);
      const rs = (await get(`${base}/web`)).body;
      return ps.length === 2 && ps.some((p) => p.metadata.name === "stray") && rs.status?.replicas === 2 ? true : undefined;
    });

    // Relabel an owned pod out of the selector: released, and replaced.
    const [first] = ownedBy(await podsOf(ns, "web"), uid);
    expect((await patch(`/api/v1/namespaces/${ns}/pods/${first.metadata.name}`, "merge", { metadata: { labels: { app: "other" } } })).status).toBe(200);
    const released = await eventually(ns, async () => {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/${first.metadata.name}`)).body;
      return p.metadata.ownerReferences === undefined || p.metadata.ownerReferences.length === 0 ? p : undefined;
    });
    expect(released.metadata.labels).toEqual({ app: "other" });
    await eventually(ns, async () => {
      const ps = ownedBy(await podsOf(ns, "web"), uid);
      return ps.length === 2 && !ps.some((p) => p.metadata.name === first.metadata.name) ? true : undefined;
    });
  });

  it("resync() enqueues every ReplicaSet of the store", async () => {
    const ns = await newNs("rsr");
    const stub = nsStub(ns) as any;
    // Nothing to do: the resync runs and writes nothing.
    const revision = await stub.revision();
    await stub.resync(ns);
    await settle(ns);
    expect(await stub.revision()).toBe(revision);
    const created = await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, replicaSet("api", 2));
    expect(created.status).toBe(201);
    await eventually(ns, async () => ((await podsOf(ns, "api")).length === 2 ? true : undefined));
    await stub.resync(ns);
    await runDurableObjectAlarm(stub);
    expect(await podsOf(ns, "api")).toHaveLength(2);
  });

  it("the cron tick resyncs every namespace store", async () => {
    const ns = await newNs("rss");
    expect((await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, replicaSet("cron", 1))).status).toBe(201);
    await eventually(ns, async () => ((await podsOf(ns, "cron")).length === 1 ? true : undefined));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env as any, ctx);
    await waitOnExecutionContext(ctx);
    // resync armed the alarm; running it converges to the same state.
    await runDurableObjectAlarm(nsStub(ns) as any);
    expect(await podsOf(ns, "cron")).toHaveLength(1);
    // Converged: a no-op reconcile writes nothing, so no further alarm is armed.
    await runDurableObjectAlarm(nsStub(ns) as any);
    expect(await runDurableObjectAlarm(nsStub(ns) as any)).toBe(false);
  });
});
