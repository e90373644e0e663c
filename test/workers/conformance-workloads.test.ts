// Conformance (apps/v1, batch/v1): the API operations of the workload conformance tests that
// need no controller (create, get, list, watch, patch, update, status, scale, delete collection),
// written from the upstream descriptions. Pods running, adoption, rollouts: the controllers.
import { describe, expect, it } from "vitest";
import { api, del, deployment, get, names, newNs, patch, post, put, settle, Watch } from "./helpers.js";

const q = (s: string) => encodeURIComponent(s);
const uniq = () => Math.random().toString(36).slice(2, 8);
const podSpec = { containers: [{ name: "httpd", image: "httpd:2.4" }] };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: podSpec });

const bodies: Record<string, (name: string, labels?: Record<string, string>) => any> = {
  deployments: (n, labels) => ({ ...deployment(n), metadata: { name: n, labels } }),
  replicasets: (n, labels) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: n, labels }, spec: { replicas: 1, selector: { matchLabels: { app: n } }, template: template(n) } }),
  statefulsets: (n, labels) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: n, labels }, spec: { serviceName: n, selector: { matchLabels: { app: n } }, template: template(n) } }),
  daemonsets: (n, labels) => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: n, labels }, spec: { selector: { matchLabels: { app: n } }, template: template(n) } }),
};

describe("conformance: apps/v1 status sub-resource (DaemonSet, Deployment, ReplicaSet, StatefulSet)", () => {
  it.each(["daemonsets", "deployments", "replicasets", "statefulsets"])("%s: read, update and patch /status, each visible to later reads", async (plural) => {
    const ns = await newNs("cw");
    const base = `/apis/apps/v1/namespaces/${ns}/${plural}`;
    const c = await post(base, bodies[plural]("e2e-status"));
    expect(c.status, c.text).toBe(201);
    await settle(ns); // the controllers' first writes (ReplicaSets, Deployments), so PUT below does not race them

    const st = await get(`${base}/e2e-status/status`);
    expect(st.status).toBe(200);
    expect(st.body.metadata.uid).toBe(c.body.metadata.uid);

    // As upstream's test, a condition is added to the ones there (a Deployment's controller keeps
    // its own Available and Progressing conditions, and every condition it does not own).
    const updated = { type: "StatusUpdate", status: "True", reason: "E2E", message: "Set from e2e test" };
    const before = st.body.status?.conditions ?? [];
    st.body.status = { ...(st.body.status ?? {}), conditions: [...before, updated] };
    const u = await put(`${base}/e2e-status/status`, st.body);
    expect(u.status, u.text).toBe(200);
    expect(u.body.status.conditions).toEqual([...before, updated]);
    expect((await get(`${base}/e2e-status`)).body.status.conditions).toContainEqual(updated);

    // Strategic merge: conditions merge by type, so the first one stays (a new item goes first, as upstream orders it).
    const patched = { type: "StatusPatched", status: "True" };
    const p = await patch(`${base}/e2e-status/status`, "strategic", { status: { conditions: [patched] } });
    expect(p.status, p.text).toBe(200);
    const after = (await get(`${base}/e2e-status/status`)).body;
    const types = after.status.conditions.map((c: { type: string }) => c.type);
    expect(after.status.conditions).toContainEqual(patched);
    expect(after.status.conditions).toContainEqual(updated);
    expect(types.indexOf("StatusPatched")).toBeLessThan(types.indexOf("StatusUpdate"));
    if (before.length === 0) expect(after.status.conditions).toEqual([patched, updated]);
    // /status never touches the spec or the generation.
    expect(after.metadata.generation).toBe(1);
  });
});

describe("conformance: apps/v1 list, patch and delete a collection (DaemonSet, ReplicaSet, StatefulSet)", () => {
  it.each(["daemonsets", "replicasets", "statefulsets"])("%s: list by label, patch, deletecollection by label", async (plural) => {
    const ns = await newNs("cw");
    const base = `/apis/apps/v1/namespaces/${ns}/${plural}`;
    const tag = uniq();
    expect((await post(base, bodies[plural]("e2e-a", { "e2e-coll": tag }))).status).toBe(201);
    expect((await post(base, bodies[plural]("e2e-b", { "e2e-coll": tag }))).status).toBe(201);
    expect((await post(base, bodies[plural]("e2e-keep"))).status).toBe(201);

    expect(names((await get(`${base}?labelSelector=${q(`e2e-coll=${tag}`)}`)).body)).toEqual(["e2e-a", "e2e-b"]);
    expect(names((await get(`/apis/apps/v1/${plural}?labelSelector=${q(`e2e-coll=${tag}`)}`)).body)).toEqual(["e2e-a", "e2e-b"]);

    const p = await patch(`${base}/e2e-a`, "strategic", { metadata: { labels: { "e2e-patched": "true" } }, spec: { template: { spec: { containers: [{ name: "httpd", image: "httpd:2.5" }] } } } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.metadata.labels).toEqual({ "e2e-coll": tag, "e2e-patched": "true" });
    expect(p.body.spec.template.spec.containers).toHaveLength(1);
    expect(p.body.spec.template.spec.containers[0].image).toBe("httpd:2.5");
    expect(p.body.metadata.generation).toBe(2);

    const dc = await api("DELETE", `${base}?labelSelector=${q(`e2e-coll=${tag}`)}`);
    expect(dc.status).toBe(200);
    expect((await get(`${base}?labelSelector=${q(`e2e-coll=${tag}`)}`)).body.items).toEqual([]);
    expect(names((await get(base)).body)).toEqual(["e2e-keep"]);
  });
});

describe("conformance: scale (API part)", () => {
  it("StatefulSet resource Replica scaling: a new StatefulSet has scale 1; scaling to 2 shows in /scale and spec", async () => {
    const ns = await newNs("cw");
    const base = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
    expect((await post(base, bodies.statefulsets("ss"))).status).toBe(201);
    const s = await get(`${base}/ss/scale`);
    expect(s.body.spec.replicas).toBe(1);
    s.body.spec.replicas = 2;
    const u = await put(`${base}/ss/scale`, s.body);
    expect(u.status, u.text).toBe(200);
    expect((await get(`${base}/ss/scale`)).body.spec.replicas).toBe(2);
    expect((await get(`${base}/ss`)).body.spec.replicas).toBe(2);
  });

  it("ReplicaSet, is created, Replaced and Patched (API part): scale to 2 through /scale, then patch", async () => {
    const ns = await newNs("cw");
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    expect((await post(base, bodies.replicasets("rs"))).status).toBe(201);
    await settle(ns); // the ReplicaSet controller's first status write, so PUT below does not race it
    const s = (await get(`${base}/rs/scale`)).body;
    expect(s.spec.replicas).toBe(1);
    s.spec.replicas = 2;
    expect((await put(`${base}/rs/scale`, s)).status).toBe(200);
    expect((await get(`${base}/rs`)).body.spec.replicas).toBe(2);
    const p = await patch(`${base}/rs`, "merge", { metadata: { labels: { "test-rs": "patched" } }, spec: { replicas: 3 } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.metadata.labels).toEqual({ "test-rs": "patched" });
    expect((await get(`${base}/rs/scale`)).body.spec.replicas).toBe(3);
  });
});

describe("conformance: Deployment (API part)", () => {
  // The Deployment controller writes too (revision annotation, status), so its events interleave
  // with the test's: each step waits for the event of its own write, found by resourceVersion.
  it("Deployment, completes the lifecycle of a Deployment (API part): create, patch, scale, status read and patch, delete by collection — all watched", async () => {
    const ns = await newNs("cw");
    const base = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const w = await Watch.open(`${base}?watch=true&labelSelector=${q("test-deployment-static=true")}`);
    const c = await post(base, bodies.deployments("test-deployment", { "test-deployment-static": "true" }));
    expect(c.status, c.text).toBe(201);
    const added = await w.next();
    expect(added?.type).toBe("ADDED");
    expect(added?.object.metadata.resourceVersion).toBe(c.body.metadata.resourceVersion);
    const written = (rv: string) => (e: { type: string; object: any }) => e.type === "MODIFIED" && e.object.metadata.resourceVersion === rv;

    const p = await patch(base + "/test-deployment", "strategic", {
      metadata: { labels: { "test-deployment": "patched" } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: "c", image: "nginx:1.28" }] } } },
    });
    expect(p.status, p.text).toBe(200);
    const mod = await w.until(written(p.body.metadata.resourceVersion));
    expect(mod.object.spec.replicas).toBe(2);
    expect(mod.object.spec.template.spec.containers[0].image).toBe("nginx:1.28");
    expect(mod.object.metadata.labels).toEqual({ "test-deployment-static": "true", "test-deployment": "patched" });

    const sc = await patch(`${base}/test-deployment/scale`, "merge", { spec: { replicas: 1 } });
    expect(sc.status, sc.text).toBe(200);
    expect((await w.until(written(sc.body.metadata.resourceVersion))).object.spec.replicas).toBe(1);

    const st = await get(`${base}/test-deployment/status`);
    expect(st.status).toBe(200);
    const ps = await patch(`${base}/test-deployment/status`, "merge", { status: { readyReplicas: 1, replicas: 1 } });
    expect(ps.status, ps.text).toBe(200);
    const smod = await w.until(written(ps.body.metadata.resourceVersion));
    expect(smod.object.status).toMatchObject({ readyReplicas: 1, replicas: 1 });

    expect((await api("DELETE", `${base}?labelSelector=${q("test-deployment-static=true")}`)).status).toBe(200);
    const gone = await w.until((e) => e.type === "DELETED");
    expect(gone.object.metadata.name).toBe("test-deployment");
    await w.cancel();
  });
});

const job = (name: string, labels: Record<string, string> = {}, suspend = false) => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name, labels },
  spec: { suspend, parallelism: 1, completions: 1, template: { spec: { ...podSpec, restartPolicy: "Never" } } },
});

const cronJob = (name: string, labels: Record<string, string>) => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name, labels },
  spec: { schedule: "*/1 * * * ?", jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: "OnFailure" } } } } },
});

describe("conformance: Job (API part)", () => {
  it("Jobs, manage lifecycle: suspended job, patch label, replace annotation, list across namespaces by label, delete by collection", async () => {
    const ns = await newNs("cw");
    const base = `/apis/batch/v1/namespaces/${ns}/jobs`;
    const tag = uniq();
    const c = await post(base, job("suspended-job", { "e2e-job-label": tag }, true));
    expect(c.status, c.text).toBe(201);
    expect(c.body.spec.suspend).toBe(true);

    const p = await patch(`${base}/suspended-job`, "strategic", { metadata: { labels: { [`${tag}-patched`]: "true" } } });
    expect(p.status, p.text).toBe(200);
    expect((await get(`${base}/suspended-job`)).body.metadata.labels[`${tag}-patched`]).toBe("true");

    const cur = (await get(`${base}/suspended-job`)).body;
    cur.metadata.annotations = { updated: "true" };
    expect((await put(`${base}/suspended-job`, cur)).status).toBe(200);
    expect((await get(`${base}/suspended-job`)).body.metadata.annotations).toEqual({ updated: "true" });

    const all = await get(`/apis/batch/v1/jobs?labelSelector=${q(`e2e-job-label=${tag}`)}`);
    expect(all.body.items.map((i: any) => [i.metadata.namespace, i.metadata.name])).toEqual([[ns, "suspended-job"]]);

    expect((await api("DELETE", `${base}?labelSelector=${q(`e2e-job-label=${tag}`)}`)).status).toBe(200);
    expect((await get(`${base}/suspended-job`)).status).toBe(404);
  });

  it("Jobs, apply changes to status (status fields): patch, replace and read /status", async () => {
    const ns = await newNs("cw");
    const base = `/apis/batch/v1/namespaces/${ns}/jobs`;
    const c = await post(base, job("test-job"));
    expect(c.status, c.text).toBe(201);
    const p = await patch(`${base}/test-job/status`, "merge", { status: { startTime: "2026-01-01T00:00:00Z" } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.status.startTime).toBe("2026-01-01T00:00:00Z");

    const cur = (await get(`${base}/test-job/status`)).body;
    cur.status.startTime = "2026-01-01T00:00:05Z";
    const u = await put(`${base}/test-job/status`, cur);
    expect(u.status, u.text).toBe(200);
    const st = await get(`${base}/test-job/status`);
    expect(st.status).toBe(200);
    expect(st.body.metadata.uid).toBe(c.body.metadata.uid);
    expect(st.body.status.startTime).toBe("2026-01-01T00:00:05Z");
  });

  it("Jobs, apply changes to status: the annotation patched with the status is kept", async () => {
    const ns = await newNs("cw");
    const base = `/apis/batch/v1/namespaces/${ns}/jobs`;
    await post(base, job("test-job"));
    const p = await patch(`${base}/test-job/status`, "merge", { metadata: { annotations: { patchedstatus: "true" } }, status: { startTime: "2026-01-01T00:00:00Z" } });
    expect(p.status).toBe(200);
    expect(p.body.metadata.annotations).toEqual({ patchedstatus: "true" });
  });
});

describe("conformance: CronJob", () => {
  it("CronJob API Operations: create, get, list, watch, update, patch, delete, deletecollection; /status get, update, patch", async () => {
    const ns = await newNs("cw");
    const base = `/apis/batch/v1/namespaces/${ns}/cronjobs`;
    const tag = uniq();
    const labels = { special: tag };
    const c1 = await post(base, cronJob("cj-1", labels));
    expect(c1.status, c1.text).toBe(201);
    expect((await post(base, cronJob("cj-2", labels))).status).toBe(201);
    expect((await post(base, cronJob("cj-3", labels))).status).toBe(201);

    expect((await get(`${base}/cj-1`)).body.metadata.uid).toBe(c1.body.metadata.uid);
    const listed = await get(`${base}?labelSelector=${q(`special=${tag}`)}`);
    expect(names(listed.body)).toEqual(["cj-1", "cj-2", "cj-3"]);
    expect(names((await get(`/apis/batch/v1/cronjobs?labelSelector=${q(`special=${tag}`)}`)).body)).toEqual(["cj-1", "cj-2", "cj-3"]);

    const w = await Watch.open(`${base}?watch=true&resourceVersion=${listed.body.metadata.resourceVersion}&labelSelector=${q(`special=${tag}`)}`);
    const p = await patch(`${base}/cj-1`, "merge", { metadata: { annotations: { patched: "true" } } });
    expect(p.status, p.text).toBe(200);
    const pe = await w.next();
    expect(pe?.type).toBe("MODIFIED");
    expect(pe?.object.metadata.annotations).toEqual({ patched: "true" });

    const cur = (await get(`${base}/cj-1`)).body;
    cur.metadata.annotations.updated = "true";
    const u = await put(`${base}/cj-1`, cur);
    expect(u.status, u.text).toBe(200);
    expect((await w.next())?.object.metadata.annotations).toEqual({ patched: "true", updated: "true" });

    // /status
    const st = await get(`${base}/cj-1/status`);
    expect(st.status).toBe(200);
    expect(st.body.metadata.uid).toBe(c1.body.metadata.uid);
    const ps = await patch(`${base}/cj-1/status`, "merge", { status: { lastScheduleTime: "2026-01-01T00:00:00Z" } });
    expect(ps.status, ps.text).toBe(200);
    expect(ps.body.status.lastScheduleTime).toBe("2026-01-01T00:00:00Z");
    const sc = (await get(`${base}/cj-1/status`)).body;
    sc.status.lastScheduleTime = "2026-01-01T00:01:00Z";
    const us = await put(`${base}/cj-1/status`, sc);
    expect(us.status, us.text).toBe(200);
    expect((await get(`${base}/cj-1`)).body.status.lastScheduleTime).toBe("2026-01-01T00:01:00Z");

    expect((await del(`${base}/cj-1`)).status).toBe(200);
    expect((await get(`${base}/cj-1`)).status).toBe(404);
    // Watch: two MODIFIED for the status writes, then DELETED.
    const rest = await w.take(3);
    expect(rest.map((e) => e.type)).toEqual(["MODIFIED", "MODIFIED", "DELETED"]);

    expect((await api("DELETE", `${base}?labelSelector=${q(`special=${tag}`)}`)).status).toBe(200);
    expect((await get(`${base}?labelSelector=${q(`special=${tag}`)}`)).body.items).toEqual([]);
    const dels = await w.take(2);
    expect(dels.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["DELETED", "cj-2"],
      ["DELETED", "cj-3"],
    ]);
    await w.cancel();
  });

  it("CronJob API Operations: the annotation patched with the status is kept", async () => {
    const ns = await newNs("cw");
    const base = `/apis/batch/v1/namespaces/${ns}/cronjobs`;
    await post(base, cronJob("cj", {}));
    const p = await patch(`${base}/cj/status`, "merge", { metadata: { annotations: { patchedstatus: "true" } }, status: { lastScheduleTime: "2026-01-01T00:00:00Z" } });
    expect(p.status).toBe(200);
    expect(p.body.metadata.annotations).toEqual({ patchedstatus: "true" });
  });
});
