// DELETE: finalizers, graceful pod deletion, preconditions, propagation, dryRun,
// deletecollection, and the namespace lifecycle.
import { describe, expect, it } from "vitest";
import { api, cm, del, get, names, newNs, pod, post, put } from "./helpers.js";

describe("finalizers", () => {
  it("hold an object until an update removes them", async () => {
    const ns = await newNs("fin");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, { ...cm("x"), metadata: { name: "x", finalizers: ["example.com/hold"] } });
    const d = await del(`${path}/x`);
    expect(d.status).toBe(200);
    const held = await get(`${path}/x`);
    expect(held.status).toBe(200);
    expect(held.body.metadata.deletionTimestamp).toMatch(/Z$/);
    expect(held.body.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(held.body.metadata.finalizers).toEqual(["example.com/hold"]);
    // A second delete changes nothing.
    expect((await del(`${path}/x`)).status).toBe(200);
    expect((await get(`${path}/x`)).body.metadata.resourceVersion).toBe(held.body.metadata.resourceVersion);
    // New finalizers may not be added while deleting.
    const add = await put(`${path}/x`, { ...held.body, metadata: { ...held.body.metadata, finalizers: ["example.com/hold", "example.com/more"] } });
    expect(add.status).toBe(422);
    // Removing the last finalizer finishes the deletion.
    const rel = await put(`${path}/x`, { ...held.body, metadata: { ...held.body.metadata, finalizers: [] } });
    expect(rel.status, rel.text).toBe(200);
    expect((await get(`${path}/x`)).status).toBe(404);
    expect(names((await get(path)).body)).toEqual([]);
  });
});

describe("graceful pod deletion", () => {
  it("a pod bound to a node gets deletionTimestamp and 30 s grace", async () => {
    const ns = await newNs("gr");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("p", { nodeName: "n1" }));
    const t0 = Date.now();
    const d = await del(`${path}/p`);
    expect(d.status).toBe(200);
    expect(d.body.kind).toBe("Pod");
    expect(d.body.metadata.deletionGracePeriodSeconds).toBe(30);
    const at = Date.parse(d.body.metadata.deletionTimestamp);
    expect(at - t0).toBeGreaterThan(28_000);
    expect(at - t0).toBeLessThan(32_000);
    expect((await get(`${path}/p`)).status).toBe(200);
    // A shorter grace period wins; 0 removes it.
    const shorter = await del(`${path}/p?gracePeriodSeconds=5`);
    expect(shorter.body.metadata.deletionGracePeriodSeconds).toBe(5);
    const now = await del(`${path}/p?gracePeriodSeconds=0`);
    expect(now.status).toBe(200);
    expect((await get(`${path}/p`)).status).toBe(404);
  });

  it("gracePeriodSeconds from the query or the DeleteOptions body", async () => {
    const ns = await newNs("gr");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("p", { nodeName: "n1" }));
    const d = await del(`${path}/p`, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 7 });
    expect(d.body.metadata.deletionGracePeriodSeconds).toBe(7);
  });

  it("an unscheduled pod goes at once", async () => {
    const ns = await newNs("gr");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("p"));
    const d = await del(`${path}/p`);
    expect(d.status).toBe(200);
    expect(d.body.metadata.name).toBe("p");
    expect((await get(`${path}/p`)).status).toBe(404);
  });
});

describe("preconditions, propagation and dryRun", () => {
  it("a uid precondition mismatch → 409", async () => {
    const ns = await newNs("pc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const r = await del(`${path}/x`, { preconditions: { uid: "11111111-1111-1111-1111-111111111111" } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({
      reason: "Conflict",
      message: `Operation cannot be fulfilled on configmaps "x": Precondition failed: UID in precondition: 11111111-1111-1111-1111-111111111111, UID in object meta: ${a.metadata.uid}`,
    });
    expect((await get(`${path}/x`)).status).toBe(200);
  });

  it("a resourceVersion precondition mismatch → 409; a match deletes", async () => {
    const ns = await newNs("pc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const b = (await put(`${path}/x`, cm("x", { k: "2" }))).body;
    const r = await del(`${path}/x`, { preconditions: { resourceVersion: a.metadata.resourceVersion } });
    expect(r.status).toBe(409);
    expect(r.body.message).toBe(
      `Operation cannot be fulfilled on configmaps "x": Precondition failed: ResourceVersion in precondition: ${a.metadata.resourceVersion}, ResourceVersion in object meta: ${b.metadata.resourceVersion}`,
    );
    const ok = await del(`${path}/x`, { preconditions: { resourceVersion: b.metadata.resourceVersion, uid: a.metadata.uid } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ kind: "Status", status: "Success", details: { name: "x", kind: "configmaps", uid: a.metadata.uid } });
    expect((await get(`${path}/x`)).status).toBe(404);
  });

  it("propagationPolicy=Orphan adds the orphan finalizer", async () => {
    const ns = await newNs("pc");
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    await post(path, { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "r" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i:1" }] } } } });
    const d = await del(`${path}/r?propagationPolicy=Orphan`);
    expect(d.status).toBe(200);
    // The delete's answer is the object as the delete left it: a later GET races the garbage
    // collector, which orphans the dependents and removes the finalizer within milliseconds.
    const held = d.body;
    expect(held.metadata.finalizers).toEqual(["orphan"]);
    expect(held.metadata.deletionTimestamp).toBeDefined();
  });

  it("an unknown propagationPolicy → 422", async () => {
    const ns = await newNs("pc");
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("x"));
    const r = await del(`/api/v1/namespaces/${ns}/configmaps/x?propagationPolicy=Sometimes`);
    expect(r.status).toBe(422);
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/x`)).status).toBe(200);
  });

  it("dryRun=All deletes nothing", async () => {
    const ns = await newNs("pc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const r = await del(`${path}/x?dryRun=All`);
    expect(r.status).toBe(200);
    const still = await get(`${path}/x`);
    expect(still.status).toBe(200);
    expect(still.body.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const pods = `/api/v1/namespaces/${ns}/pods`;
    await post(pods, pod("p", { nodeName: "n" }));
    const g = await del(`${pods}/p?dryRun=All`);
    expect(g.body.metadata.deletionTimestamp).toBeDefined();
    expect((await get(`${pods}/p`)).body.metadata.deletionTimestamp).toBeUndefined();
  });

  it("delete of a missing object → 404", async () => {
    const ns = await newNs("pc");
    const r = await del(`/apis/apps/v1/namespaces/${ns}/deployments/nope`);
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`deployments.apps "nope" not found`);
  });
});

describe("deletecollection", () => {
  it("deletes the objects matching a labelSelector and nothing else", async () => {
    const ns = await newNs("dc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("a", {}, { app: "web" }));
    await post(path, cm("b", {}, { app: "db" }));
    await post(path, cm("c", {}, { app: "web" }));
    const r = await api("DELETE", `${path}?labelSelector=app%3Dweb`);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("ConfigMapList");
    expect(names(r.body)).toEqual(["a", "c"]);
    expect(names((await get(path)).body)).toEqual(["b"]);
  });

  it("is refused across namespaces", async () => {
    const r = await api("DELETE", `/api/v1/configmaps`);
    expect(r.status).toBe(405);
  });
});

describe("namespace lifecycle", () => {
  it("create into a missing namespace → 404 namespaces not found", async () => {
    const r = await post(`/api/v1/namespaces/nope/configmaps`, cm("x"));
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: "NotFound", message: `namespaces "nope" not found`, details: { name: "nope", kind: "namespaces" } });
    expect((await get(`/api/v1/namespaces/nope/configmaps`)).body.items).toEqual([]);
  });

  it("a deleted namespace turns Terminating and refuses new content with 403", async () => {
    const ns = await newNs("term");
    // A finalizer on its content keeps the namespace Terminating while the namespace controller runs.
    await post(`/api/v1/namespaces/${ns}/configmaps`, { ...cm("old"), metadata: { name: "old", finalizers: ["example.com/hold"] } });
    const d = await del(`/api/v1/namespaces/${ns}`);
    expect(d.status).toBe(200);
    expect(d.body.status.phase).toBe("Terminating");
    const got = (await get(`/api/v1/namespaces/${ns}`)).body;
    expect(got.status.phase).toBe("Terminating");
    expect(got.metadata.deletionTimestamp).toBeDefined();
    expect(got.spec.finalizers).toEqual(["kubernetes"]);
    const r = await post(`/api/v1/namespaces/${ns}/configmaps`, cm("new"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({
      reason: "Forbidden",
      message: `configmaps "new" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      details: { name: "new", kind: "configmaps" },
    });
    expect(names((await get(`/api/v1/namespaces/${ns}/configmaps`)).body)).toEqual(["old"]);
    // Terminating namespaces can be listed by phase.
    const listed = await get(`/api/v1/namespaces?fieldSelector=status.phase%3DTerminating`);
    expect(names(listed.body)).toContain(ns);
    expect(names(listed.body)).not.toContain("default");
  });

  it("PUT that would create a lease in a terminating namespace is refused too", async () => {
    const ns = await newNs("term");
    await post(`/api/v1/namespaces/${ns}/configmaps`, { ...cm("held"), metadata: { name: "held", finalizers: ["example.com/hold"] } });
    await del(`/api/v1/namespaces/${ns}`);
    const r = await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: {} });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(`leases.coordination.k8s.io "l" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
  });
});
