// Create, get, list, update and delete for every served kind, with upstream's defaults,
// generateName, the initial namespaces and metadata.generation.
import { describe, expect, it } from "vitest";
import { cm, del, deployment, get, names, newNs, post, put, settle } from "./helpers.js";

const podSpec = { containers: [{ name: "c", image: "nginx:1.27" }] };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: podSpec });

interface Case {
  plural: string;
  prefix: string; // API prefix: /api/v1 or /apis/group/version
  namespaced: boolean;
  body: (name: string) => Record<string, unknown>;
  /** Upstream defaults the server must have applied. */
  defaults?: Record<string, unknown>;
  /** A change for PUT and the field showing it. */
  mutate: (o: any) => void;
  changed: (o: any) => unknown;
  changedValue: unknown;
  generation?: boolean;
}

const cases: Case[] = [
  {
    plural: "pods",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: n }, spec: podSpec }),
    defaults: {
      spec: {
        restartPolicy: "Always",
        dnsPolicy: "ClusterFirst",
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
        containers: [{ name: "c", image: "nginx:1.27", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
      },
    },
    mutate: (o) => (o.metadata.labels = { tier: "web" }),
    changed: (o) => o.metadata.labels,
    changedValue: { tier: "web" },
  },
  {
    plural: "services",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "v1", kind: "Service", metadata: { name: n }, spec: { selector: { app: "a" }, ports: [{ port: 80 }] } }),
    defaults: { spec: { type: "ClusterIP", sessionAffinity: "None", ports: [{ port: 80, protocol: "TCP", targetPort: 80 }] } },
    mutate: (o) => (o.spec.selector = { app: "b" }),
    changed: (o) => o.spec.selector,
    changedValue: { app: "b" },
  },
  {
    plural: "endpoints",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "v1", kind: "Endpoints", metadata: { name: n }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] }),
    defaults: { subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80, protocol: "TCP" }] }] },
    mutate: (o) => (o.subsets[0].addresses[0].ip = "10.0.0.2"),
    changed: (o) => o.subsets[0].addresses[0].ip,
    changedValue: "10.0.0.2",
  },
  {
    plural: "configmaps",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => cm(n),
    mutate: (o) => (o.data = { k: "v2" }),
    changed: (o) => o.data,
    changedValue: { k: "v2" },
  },
  {
    plural: "secrets",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: n }, data: { k: btoa("v") } }),
    defaults: { type: "Opaque" },
    mutate: (o) => (o.data = { k: btoa("v2") }),
    changed: (o) => o.data,
    changedValue: { k: btoa("v2") },
  },
  {
    plural: "serviceaccounts",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: n } }),
    mutate: (o) => (o.automountServiceAccountToken = false),
    changed: (o) => o.automountServiceAccountToken,
    changedValue: false,
  },
  {
    plural: "events",
    prefix: "/api/v1",
    namespaced: true,
    body: (n) => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: n },
      involvedObject: { kind: "Pod", name: "p", namespace: "NS" },
      reason: "Started",
      message: "started",
      type: "Normal",
      source: { component: "test" },
    }),
    mutate: (o) => (o.message = "again"),
    changed: (o) => o.message,
    changedValue: "again",
  },
  {
    plural: "leases",
    prefix: "/apis/coordination.k8s.io/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: n }, spec: { holderIdentity: "a", leaseDurationSeconds: 40 } }),
    mutate: (o) => (o.spec.holderIdentity = "b"),
    changed: (o) => o.spec.holderIdentity,
    changedValue: "b",
  },
  {
    plural: "events",
    prefix: "/apis/events.k8s.io/v1",
    namespaced: true,
    body: (n) => ({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: n },
      eventTime: "2026-01-01T00:00:00.000000Z",
      reportingController: "edgeplane.dev/test",
      reportingInstance: "test-1",
      action: "Testing",
      reason: "Test",
      type: "Normal",
      regarding: { kind: "Pod", name: "p" },
    }),
    mutate: (o) => (o.note = "hello"),
    changed: (o) => o.note,
    changedValue: "hello",
  },
  {
    plural: "deployments",
    prefix: "/apis/apps/v1",
    namespaced: true,
    body: (n) => deployment(n),
    defaults: {
      spec: {
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        template: { spec: { restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30 } },
      },
    },
    mutate: (o) => (o.spec.replicas = 3),
    changed: (o) => o.spec.replicas,
    changedValue: 3,
    generation: true,
  },
  {
    plural: "replicasets",
    prefix: "/apis/apps/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: n }, spec: { selector: { matchLabels: { app: n } }, template: template(n) } }),
    defaults: { spec: { replicas: 1 } },
    mutate: (o) => (o.spec.replicas = 2),
    changed: (o) => o.spec.replicas,
    changedValue: 2,
    generation: true,
  },
  {
    plural: "statefulsets",
    prefix: "/apis/apps/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: n }, spec: { serviceName: n, selector: { matchLabels: { app: n } }, template: template(n) } }),
    defaults: { spec: { replicas: 1, podManagementPolicy: "OrderedReady", revisionHistoryLimit: 10, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } } },
    mutate: (o) => (o.spec.replicas = 2),
    changed: (o) => o.spec.replicas,
    changedValue: 2,
    generation: true,
  },
  {
    plural: "daemonsets",
    prefix: "/apis/apps/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: n }, spec: { selector: { matchLabels: { app: n } }, template: template(n) } }),
    defaults: { spec: { revisionHistoryLimit: 10, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } } },
    mutate: (o) => (o.spec.minReadySeconds = 5),
    changed: (o) => o.spec.minReadySeconds,
    changedValue: 5,
    generation: true,
  },
  {
    plural: "jobs",
    prefix: "/apis/batch/v1",
    namespaced: true,
    body: (n) => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name: n }, spec: { template: { spec: { ...podSpec, restartPolicy: "Never" } } } }),
    defaults: { spec: { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false } },
    mutate: (o) => (o.spec.parallelism = 2),
    changed: (o) => o.spec.parallelism,
    changedValue: 2,
    generation: true,
  },
  {
    plural: "cronjobs",
    prefix: "/apis/batch/v1",
    namespaced: true,
    body: (n) => ({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: n },
      spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: "OnFailure" } } } } },
    }),
    defaults: { spec: { concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 } },
    mutate: (o) => (o.spec.schedule = "0 * * * *"),
    changed: (o) => o.spec.schedule,
    changedValue: "0 * * * *",
    generation: true,
  },
  {
    plural: "nodes",
    prefix: "/api/v1",
    namespaced: false,
    body: (n) => ({ apiVersion: "v1", kind: "Node", metadata: { name: n }, status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" } } }),
    mutate: (o) => (o.spec = { unschedulable: true }),
    changed: (o) => o.spec.unschedulable,
    changedValue: true,
  },
  {
    plural: "namespaces",
    prefix: "/api/v1",
    namespaced: false,
    body: (n) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: n } }),
    defaults: { spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
    mutate: (o) => (o.metadata.labels = { ...o.metadata.labels, team: "a" }),
    changed: (o) => o.metadata.labels.team,
    changedValue: "a",
  },
];

describe.each(cases)("CRUD $prefix/$plural", (c) => {
  it("creates, gets, lists, updates and deletes", async () => {
    const ns = c.namespaced ? await newNs("crud") : "";
    const coll = c.namespaced ? `${c.prefix}/namespaces/${ns}/${c.plural}` : `${c.prefix}/${c.plural}`;
    const name = `x-${Math.random().toString(36).slice(2, 8)}`;
    const created = await post(coll, c.body(name));
    expect(created.status, created.text).toBe(201);
    let o = created.body;
    expect(o.metadata.name).toBe(name);
    expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(o.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(o.metadata.resourceVersion).toMatch(/^[1-9]\d*$/);
    if (c.namespaced) expect(o.metadata.namespace).toBe(ns);
    else expect(o.metadata.namespace).toBeUndefined();
    expect(o.apiVersion).toBe(c.prefix === "/api/v1" ? "v1" : c.prefix.slice("/apis/".length));
    if (c.defaults) expect(o).toMatchObject(c.defaults);
    if (c.generation) expect(o.metadata.generation).toBe(1);
    else expect(o.metadata.generation).toBeUndefined();
    if (c.plural === "replicasets" || c.plural === "deployments") {
      // The controllers write the status (a Deployment's also its revision annotation and a
      // ReplicaSet) after the create; let them, then go on from the current object.
      await settle(ns);
      o = (await get(`${coll}/${name}`)).body;
    }

    const got = await get(`${coll}/${name}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(o);

    if (c.namespaced) {
      const list = await get(coll);
      expect(list.status).toBe(200);
      // Every namespace also holds the ServiceAccounts controller's `default`.
      const own = list.body.items.filter((i: any) => !(c.plural === "serviceaccounts" && i.metadata.name === "default"));
      expect(own.map((i: any) => i.metadata.uid)).toEqual([o.metadata.uid]);
      expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(o.metadata.resourceVersion));
    } else {
      const list = await get(`${coll}?fieldSelector=metadata.name=${name}`);
      expect(names(list.body)).toEqual([name]);
    }

    const next = structuredClone(o);
    c.mutate(next);
    const updated = await put(`${coll}/${name}`, next);
    expect(updated.status, updated.text).toBe(200);
    expect(c.changed(updated.body)).toEqual(c.changedValue);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(o.metadata.resourceVersion));
    expect(updated.body.metadata.uid).toBe(o.metadata.uid);
    expect(updated.body.metadata.creationTimestamp).toBe(o.metadata.creationTimestamp);
    if (c.generation) expect(updated.body.metadata.generation).toBe(2);
    expect(c.changed((await get(`${coll}/${name}`)).body)).toEqual(c.changedValue);

    const deleted = await del(`${coll}/${name}`);
    expect(deleted.status, deleted.text).toBe(200);
    if (c.plural === "namespaces") {
      // Namespaces turn Terminating; the namespace controller removes them later.
      expect(deleted.body.status.phase).toBe("Terminating");
      expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
    } else {
      const gone = await get(`${coll}/${name}`);
      expect(gone.status).toBe(404);
      expect(gone.body.message).toBe(`${c.prefix.startsWith("/apis/") ? `${c.plural}.${c.prefix.split("/")[2]}` : c.plural} "${name}" not found`);
    }
  });
});

describe("generateName", () => {
  it("appends five random characters and creates", async () => {
    const ns = await newNs("gen");
    const r = await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "web-" }, data: {} });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(r.body.metadata.generateName).toBe("web-");
    const r2 = await post(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { generateName: "web-" } });
    expect(r2.body.metadata.name).not.toBe(r.body.metadata.name);
    expect(names((await get(`/api/v1/namespaces/${ns}/configmaps`)).body).sort()).toEqual([r.body.metadata.name, r2.body.metadata.name].sort());
  });
});

describe("initial namespaces", () => {
  it("has default, kube-system, kube-public and kube-node-lease", async () => {
    const r = await get("/api/v1/namespaces");
    expect(r.status).toBe(200);
    const ns = names(r.body);
    for (const n of ["default", "kube-system", "kube-public", "kube-node-lease"]) expect(ns).toContain(n);
    const d = await get("/api/v1/namespaces/default");
    expect(d.body).toMatchObject({ status: { phase: "Active" }, metadata: { labels: { "kubernetes.io/metadata.name": "default" } } });
  });

  it.each(["default", "kube-system", "kube-public"])("refuses to delete %s", async (n) => {
    const r = await del(`/api/v1/namespaces/${n}`);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: "Forbidden", message: `namespaces "${n}" is forbidden: this namespace may not be deleted`, details: { name: n, kind: "namespaces" } });
    expect((await get(`/api/v1/namespaces/${n}`)).body.status.phase).toBe("Active");
  });
});

describe("metadata.generation", () => {
  it("starts at 1 and follows spec changes only", async () => {
    const ns = await newNs("gen");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const created = (await post(path, deployment("d"))).body;
    expect(created.metadata.generation).toBe(1);
    // The Deployment controller writes the revision annotation and the status after the create;
    // let it finish before each write below, so no write races it (and its writes are no spec changes).
    await settle(ns);
    const d = (await get(`${path}/d`)).body;
    expect(d.metadata.generation).toBe(1);
    expect(d.status.observedGeneration).toBe(1);
    // A label change is not a spec change.
    d.metadata.labels = { a: "b" };
    const l = (await put(`${path}/d`, d)).body;
    expect(l.metadata.generation).toBe(1);
    expect(l.metadata.labels).toEqual({ a: "b" });
    // A status change is not either.
    const s = await put(`${path}/d/status`, { ...l, status: { ...l.status, readyReplicas: 1 } });
    expect(s.status, s.text).toBe(200);
    expect(s.body.metadata.generation).toBe(1);
    expect(s.body.status).toMatchObject({ readyReplicas: 1, observedGeneration: 1 });
    // A spec change is (the controller puts its own status back first).
    await settle(ns);
    const spec = (await get(`${path}/d`)).body;
    spec.spec.template.spec.containers[0].image = "nginx:1.28";
    const g = await put(`${path}/d`, spec);
    expect(g.status, g.text).toBe(200);
    expect(g.body.metadata.generation).toBe(2);
    // Resending the same spec does not bump it (nor write anything).
    await settle(ns);
    const current = (await get(`${path}/d`)).body;
    expect(current.metadata.generation).toBe(2);
    const same = await put(`${path}/d`, current);
    expect(same.status, same.text).toBe(200);
    expect(same.body.metadata.generation).toBe(2);
    expect(same.body.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
  });

  it("compares defaulted specs semantically: omitted defaults and key order are no spec change", async () => {
    const ns = await newNs("gen");
    // A StatefulSet (no controller writes it) PUT back exactly as read, with a new label.
    const ssPath = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
    const ss = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "s" },
      spec: { replicas: 1, serviceName: "s", selector: { matchLabels: { app: "s" } }, template: { metadata: { labels: { app: "s" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } },
    };
    const read = (await post(ssPath, ss)).body;
    read.metadata.labels = { x: "y" };
    const relabelled = await put(`${ssPath}/s`, read);
    expect(relabelled.status, relabelled.text).toBe(200);
    expect(relabelled.body.metadata.generation).toBe(1);
    // A Deployment PUT that leaves out defaulted fields (replicas, revisionHistoryLimit, strategy…).
    const dPath = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const body = { ...deployment("d"), spec: { ...deployment("d").spec } } as any;
    delete body.spec.replicas;
    expect((await post(dPath, body)).status).toBe(201);
    await settle(ns);
    const rv = (await get(`${dPath}/d`)).body.metadata.resourceVersion;
    const bare = await put(`${dPath}/d`, { ...body, metadata: { name: "d", labels: { a: "b" }, resourceVersion: rv } });
    expect(bare.status, bare.text).toBe(200);
    expect(bare.body.metadata.generation).toBe(1);
  });

  it("is not set on kinds upstream does not track (configmaps)", async () => {
    const ns = await newNs("gen");
    const r = await post(`/api/v1/namespaces/${ns}/configmaps`, { ...cm("c"), metadata: { name: "c", generation: 7 } });
    expect(r.body.metadata.generation).toBeUndefined();
  });
});

describe("core/v1 and events.k8s.io/v1 Events", () => {
  // One stored resource, two versions, converted as upstream converts them
  // (involvedObject ↔ regarding, message ↔ note, reportingComponent ↔ reportingController, …).
  it("serves every Event through both APIs, each in its own shape", async () => {
    const ns = await newNs("ev");
    const core = await post(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "core-ev" },
      involvedObject: { kind: "Pod", name: "p", namespace: ns },
      reason: "Started",
      message: "hello",
      type: "Normal",
      count: 3,
      source: { component: "kubelet" },
    });
    expect(core.status).toBe(201);
    const modern = await post(`/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "new-ev" },
      eventTime: "2026-01-01T00:00:00.000000Z",
      regarding: { kind: "Pod", name: "p", namespace: ns },
      reason: "Started",
      note: "from the new API",
      type: "Normal",
      action: "Start",
      reportingController: "test",
      reportingInstance: "test-1",
    });
    expect(modern.status).toBe(201);
    expect(modern.body).toMatchObject({ apiVersion: "events.k8s.io/v1", note: "from the new API", regarding: { name: "p" } });

    const coreList = await get(`/api/v1/namespaces/${ns}/events`);
    expect(coreList.body.items.map((e: any) => [e.metadata.name, e.message])).toEqual([
      ["core-ev", "hello"],
      ["new-ev", "from the new API"],
    ]);
    expect(coreList.body.items[1]).toMatchObject({ involvedObject: { name: "p" }, reportingComponent: "test", reportingInstance: "test-1" });

    const modernList = await get(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    expect(modernList.body.kind).toBe("EventList");
    expect(modernList.body.items.map((e: any) => [e.metadata.name, e.note])).toEqual([
      ["core-ev", "hello"],
      ["new-ev", "from the new API"],
    ]);
    const one = (await get(`/apis/events.k8s.io/v1/namespaces/${ns}/events/core-ev`)).body;
    expect(one).toMatchObject({ apiVersion: "events.k8s.io/v1", kind: "Event", regarding: { kind: "Pod", name: "p" }, deprecatedCount: 3, deprecatedSource: { component: "kubelet" } });
    expect(one).not.toHaveProperty("message");
    // One object: a write through one API is seen through the other at the same resourceVersion.
    expect(one.metadata.resourceVersion).toBe(core.body.metadata.resourceVersion);
  });
});
