// The status and scale subresources, and optimistic concurrency on update and create.
import { describe, expect, it } from "vitest";
import { api, cm, deployment, get, newNs, patch, post, put, settle } from "./helpers.js";

const statefulSet = (name: string) => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name },
  spec: { replicas: 1, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "i:1" }] } } },
});

describe("status subresource", () => {
  it("PUT /status changes only status; PUT of the main resource ignores status", async () => {
    // A StatefulSet: no controller writes its status here, so the status written is the one read back.
    const ns = await newNs("st");
    const base = `/apis/apps/v1/namespaces/${ns}/statefulsets/d`;
    const created = await post(`/apis/apps/v1/namespaces/${ns}/statefulsets`, { ...statefulSet("d"), status: { replicas: 9 } });
    expect(created.body.status ?? {}).not.toHaveProperty("replicas");

    const body = structuredClone(created.body);
    body.status = { replicas: 2, readyReplicas: 1 };
    body.spec.replicas = 5; // must be ignored by /status
    body.metadata.labels = { ignored: "yes" };
    const s = await put(`${base}/status`, body);
    expect(s.status, s.text).toBe(200);
    expect(s.body.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(s.body.spec.replicas).toBe(1);
    expect(s.body.metadata.labels).toBeUndefined();

    const main = structuredClone(s.body);
    main.status = { replicas: 99 };
    main.spec.replicas = 3;
    const m = await put(base, main);
    expect(m.status).toBe(200);
    expect(m.body.spec.replicas).toBe(3);
    expect(m.body.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect((await get(`${base}/status`)).body.status.replicas).toBe(2);
  });

  it("PATCH /status leaves the spec as stored and takes status and metadata (upstream's pod status strategy)", async () => {
    const ns = await newNs("st");
    await post(`/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i:1" }] } });
    const r = await patch(`/api/v1/namespaces/${ns}/pods/p/status`, "merge", { status: { phase: "Running", podIP: "10.1.0.5" }, metadata: { labels: { a: "b" } }, spec: { nodeName: "n1" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.status).toMatchObject({ phase: "Running", podIP: "10.1.0.5" });
    expect(r.body.spec.nodeName).toBeUndefined();
    expect(r.body.metadata.labels).toEqual({ a: "b" });
  });

  it("a Deployment's /status keeps its labels and spec, as upstream's apps status strategies do", async () => {
    const ns = await newNs("st");
    await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("d", 2));
    await settle(ns); // the Deployment controller's revision annotation and status come first
    const r = await patch(`/apis/apps/v1/namespaces/${ns}/deployments/d/status`, "merge", {
      metadata: { labels: { changed: "yes" }, annotations: { note: "kept" } },
      spec: { replicas: 9 },
      status: { replicas: 2, readyReplicas: 1 },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.spec.replicas).toBe(2);
    expect(r.body.metadata.labels?.changed).toBeUndefined();
    expect(r.body.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", note: "kept" });
    expect(r.body.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(r.body.metadata.generation).toBe(1);
  });

  it("404 for a status subresource the kind does not have", async () => {
    const ns = await newNs("st");
    await post(`/api/v1/namespaces/${ns}/configmaps`, cm("c"));
    const r = await get(`/api/v1/namespaces/${ns}/configmaps/c/status`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: "NotFound", message: "the server could not find the requested resource" });
  });
});

describe("scale subresource", () => {
  it.each([
    ["deployments", (n: string) => deployment(n, 2)],
    [
      "replicasets",
      (n: string) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: n }, spec: { replicas: 2, selector: { matchLabels: { app: n } }, template: { metadata: { labels: { app: n } }, spec: { containers: [{ name: "c", image: "i:1" }] } } } }),
    ],
    [
      "statefulsets",
      (n: string) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: n }, spec: { replicas: 2, serviceName: n, selector: { matchLabels: { app: n } }, template: { metadata: { labels: { app: n } }, spec: { containers: [{ name: "c", image: "i:1" }] } } } }),
    ],
  ])("%s: GET Scale, PUT and PATCH spec.replicas, -1 → 422", async (plural, body) => {
    const ns = await newNs("sc");
    const base = `/apis/apps/v1/namespaces/${ns}/${plural}/w`;
    const created = await post(`/apis/apps/v1/namespaces/${ns}/${plural}`, body("w"));
    expect(created.status, created.text).toBe(201);
    // The controllers create the pods (and a Deployment's ReplicaSet) and write the status; let
    // them finish first. No controller runs for StatefulSets: their status stays empty.
    await settle(ns);
    const current = (await get(base)).body;
    const scale = await get(`${base}/scale`);
    expect(scale.status).toBe(200);
    expect(scale.body).toEqual({
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "w", namespace: ns, uid: created.body.metadata.uid, resourceVersion: current.metadata.resourceVersion, creationTimestamp: created.body.metadata.creationTimestamp },
      spec: { replicas: 2 },
      status: { replicas: plural === "statefulsets" ? 0 : 2, selector: "app=w" },
    });
    const put5 = await put(`${base}/scale`, { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "w", resourceVersion: scale.body.metadata.resourceVersion }, spec: { replicas: 5 } });
    expect(put5.status, put5.text).toBe(200);
    expect(put5.body.kind).toBe("Scale");
    expect(put5.body.spec.replicas).toBe(5);
    const obj = (await get(base)).body;
    expect(obj.spec.replicas).toBe(5);
    expect(obj.metadata.generation).toBe(2);

    const stale = await put(`${base}/scale`, { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name: "w", resourceVersion: scale.body.metadata.resourceVersion }, spec: { replicas: 6 } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");

    const p = await patch(`${base}/scale`, "merge", { spec: { replicas: 7 } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.spec.replicas).toBe(7);
    expect((await get(base)).body.spec.replicas).toBe(7);

    const neg = await patch(`${base}/scale`, "merge", { spec: { replicas: -1 } });
    expect(neg.status).toBe(422);
    expect(neg.body).toMatchObject({ reason: "Invalid", message: `Scale.autoscaling "w" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0` });
    expect(neg.body.details.causes).toEqual([{ reason: "FieldValueInvalid", field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]);
    expect((await get(base)).body.spec.replicas).toBe(7);
  });

  it("daemonsets have no scale subresource", async () => {
    const ns = await newNs("sc");
    const r = await get(`/apis/apps/v1/namespaces/${ns}/daemonsets/x/scale`);
    expect(r.status).toBe(404);
  });

  it("scale of a missing deployment is 404 deployments.apps", async () => {
    const ns = await newNs("sc");
    const r = await get(`/apis/apps/v1/namespaces/${ns}/deployments/nope/scale`);
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`deployments.apps "nope" not found`);
  });
});

describe("optimistic concurrency", () => {
  it("PUT with a stale resourceVersion → 409 Conflict", async () => {
    const ns = await newNs("oc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const b = (await put(`${path}/x`, { ...a, data: { k: "2" } })).body;
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const stale = await put(`${path}/x`, { ...a, data: { k: "3" } });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again`,
      reason: "Conflict",
      details: { name: "x", kind: "configmaps" },
      code: 409,
    });
    expect((await get(`${path}/x`)).body.data).toEqual({ k: "2" });
  });

  it("create of an existing name → 409 AlreadyExists", async () => {
    const ns = await newNs("oc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("x"));
    const again = await post(path, cm("x", { other: "1" }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: "AlreadyExists", message: `configmaps "x" already exists`, details: { name: "x", kind: "configmaps" } });
    expect((await get(`${path}/x`)).body.data).toEqual({ k: "v" });
  });

  it("PUT without resourceVersion is unconditional for configmaps (AllowUnconditionalUpdate)", async () => {
    const ns = await newNs("oc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("x"));
    const r = await put(`${path}/x`, cm("x", { k: "forced" }));
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ k: "forced" });
  });

  it("PUT of a missing configmap → 404 (no create on update)", async () => {
    const ns = await newNs("oc");
    const r = await put(`/api/v1/namespaces/${ns}/configmaps/x`, cm("x"));
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`configmaps "x" not found`);
  });

  it("PUT of a missing lease creates it (AllowCreateOnUpdate)", async () => {
    const ns = await newNs("oc");
    const r = await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: { holderIdentity: "me" } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.metadata.uid).toBeDefined();
  });

  it("PUT with a mismatching uid is refused", async () => {
    const ns = await newNs("oc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const r = await put(`${path}/x`, { ...a, metadata: { ...a.metadata, uid: "00000000-0000-0000-0000-000000000000" } });
    expect(r.status).toBe(422);
    expect(r.body.details.causes[0]).toMatchObject({ field: "metadata.uid" });
  });

  it("an update through dryRun=All writes nothing", async () => {
    const ns = await newNs("oc");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    const r = await api("PUT", `${path}/x?dryRun=All`, { ...a, data: { k: "dry" } });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ k: "dry" });
    const now = (await get(`${path}/x`)).body;
    expect(now.data).toEqual({ k: "v" });
    expect(now.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const c = await api("POST", `${path}?dryRun=All`, cm("y"));
    expect(c.status).toBe(201);
    expect((await get(`${path}/y`)).status).toBe(404);
  });
});

describe("PUT that creates (leases)", () => {
  const lease = (name: string, holder: string) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: holder } });

  it("creates a missing object, but only in a namespace that exists", async () => {
    const ns = await newNs("pc");
    const created = await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, lease("l", "a"));
    expect(created.status).toBe(201);
    const missing = await put(`/apis/coordination.k8s.io/v1/namespaces/no-such-ns-${Date.now()}/leases/l`, lease("l", "a"));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/^namespaces "no-such-ns-\d+" not found$/);
  });

  it("updates an existing object with its resourceVersion, and refuses one without it", async () => {
    const ns = await newNs("pc");
    const created = (await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, lease("l", "a"))).body;
    const renewed = await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, { ...lease("l", "b"), metadata: { name: "l", resourceVersion: created.metadata.resourceVersion } });
    expect(renewed.status).toBe(200);
    expect(renewed.body.spec.holderIdentity).toBe("b");
    const blind = await put(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, lease("l", "c"));
    expect(blind.status).toBe(422);
  });
});
