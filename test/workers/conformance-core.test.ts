// Conformance (core/v1, coordination.k8s.io, events.k8s.io): the API-only lifecycles of the
// upstream conformance list, written from their descriptions. docs/conformance.md maps them.
import { describe, expect, it } from "vitest";
import { api, cm, del, get, names, newNs, patch, pod, post, put, Watch } from "./helpers.js";

const q = (s: string) => encodeURIComponent(s);
const uniq = () => Math.random().toString(36).slice(2, 8);

describe("conformance: ConfigMap", () => {
  it("ConfigMap lifecycle: create, patch, read back, find by label across namespaces, delete by collection", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const tag = uniq();
    const c = await post(path, cm("test-configmap", { valueName: "value" }, { "test-configmap-static": "true", run: tag }));
    expect(c.status).toBe(201);
    const p = await patch(`${path}/test-configmap`, "merge", { metadata: { labels: { "test-configmap": "patched" } }, data: { valueName: "value1" } });
    expect(p.status, p.text).toBe(200);
    const got = (await get(`${path}/test-configmap`)).body;
    expect(got.data).toEqual({ valueName: "value1" });
    expect(got.metadata.labels).toEqual({ "test-configmap-static": "true", run: tag, "test-configmap": "patched" });

    const found = await get(`/api/v1/configmaps?labelSelector=${q(`test-configmap-static=true,run=${tag}`)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: any) => [i.metadata.namespace, i.metadata.name, i.data.valueName])).toEqual([[ns, "test-configmap", "value1"]]);

    const dc = await api("DELETE", `${path}?labelSelector=${q("test-configmap-static=true")}`);
    expect(dc.status).toBe(200);
    expect((await get(`${path}/test-configmap`)).status).toBe(404);
    expect((await get(`/api/v1/configmaps?labelSelector=${q(`run=${tag}`)}`)).body.items).toEqual([]);
  });

  it("ConfigMap, with empty-key: create fails with 422 and nothing is stored", async () => {
    const ns = await newNs("cf");
    const r = await post(`/api/v1/namespaces/${ns}/configmaps`, cm("configmap-test-emptykey", { "": "value-1" }));
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    expect(r.body.details.causes[0].field).toBe("data[]");
    expect((await get(`/api/v1/namespaces/${ns}/configmaps`)).body.items).toEqual([]);
  });
});

describe("conformance: Secret", () => {
  it("Secret patching: create, find by label across namespaces, patch, read back, delete by label", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/secrets`;
    const tag = uniq();
    const c = await post(path, { apiVersion: "v1", kind: "Secret", metadata: { name: "test-secret", labels: { "testsecret-constant": "true", run: tag } }, data: { key: btoa("value") }, type: "Opaque" });
    expect(c.status, c.text).toBe(201);
    const listed = await get(`/api/v1/secrets?labelSelector=${q(`testsecret-constant=true,run=${tag}`)}`);
    expect(names(listed.body)).toEqual(["test-secret"]);

    const p = await patch(`${path}/test-secret`, "merge", { metadata: { labels: { testsecret: "true" } }, data: { key: btoa("value1") } });
    expect(p.status, p.text).toBe(200);
    const got = (await get(`${path}/test-secret`)).body;
    expect(got.data).toEqual({ key: btoa("value1") });
    expect(got.metadata.labels).toMatchObject({ testsecret: "true", "testsecret-constant": "true" });

    const dc = await api("DELETE", `${path}?labelSelector=${q("testsecret-constant=true")}`);
    expect(dc.status).toBe(200);
    expect((await get(`/api/v1/secrets?labelSelector=${q(`run=${tag}`)}`)).body.items).toEqual([]);
  });

  it("Secrets, with empty-key: create fails with 422", async () => {
    const ns = await newNs("cf");
    const r = await post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "secret-emptykey-test" }, data: { "": btoa("value-1") } });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    expect((await get(`/api/v1/namespaces/${ns}/secrets`)).body.items).toEqual([]);
  });
});

describe("conformance: Namespace", () => {
  it("Namespace patching: a merge patch adds a label", async () => {
    const ns = await newNs("cf");
    const p = await patch(`/api/v1/namespaces/${ns}`, "merge", { metadata: { labels: { testLabel: "testValue" } } });
    expect(p.status, p.text).toBe(200);
    expect((await get(`/api/v1/namespaces/${ns}`)).body.metadata.labels).toMatchObject({ testLabel: "testValue", "kubernetes.io/metadata.name": ns });
  });

  it("Namespace, apply update to a namespace: a PUT changes a label", async () => {
    const ns = await newNs("cf");
    const cur = (await get(`/api/v1/namespaces/${ns}`)).body;
    cur.metadata.labels = { ...cur.metadata.labels, "e2e-update": "updated" };
    const r = await put(`/api/v1/namespaces/${ns}`, cur);
    expect(r.status, r.text).toBe(200);
    expect((await get(`/api/v1/namespaces/${ns}`)).body.metadata.labels["e2e-update"]).toBe("updated");
  });

  it("Namespace, apply changes to a namespace status: read, patch and update /status", async () => {
    const ns = await newNs("cf");
    const s = await get(`/api/v1/namespaces/${ns}/status`);
    expect(s.status).toBe(200);
    expect(s.body.status.phase).toBe("Active");

    const pc = { type: "StatusPatch", status: "True", reason: "E2E", message: "Patched by an e2e test" };
    const p = await patch(`/api/v1/namespaces/${ns}/status`, "merge", { status: { conditions: [pc] } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.status.conditions).toEqual([pc]);
    expect(p.body.status.phase).toBe("Active");

    const uc = { type: "StatusUpdate", status: "True", reason: "E2E", message: "Updated by an e2e test" };
    const cur = (await get(`/api/v1/namespaces/${ns}/status`)).body;
    cur.status.conditions.push(uc);
    const u = await put(`/api/v1/namespaces/${ns}/status`, cur);
    expect(u.status, u.text).toBe(200);
    expect((await get(`/api/v1/namespaces/${ns}`)).body.status.conditions).toEqual([pc, uc]);
  });

  // Upstream adds and removes namespace finalizers through PUT .../finalize (NamespaceInterface.Finalize).
  it("Namespace, apply finalizer to a namespace", async () => {
    const ns = await newNs("cf");
    const cur = (await get(`/api/v1/namespaces/${ns}`)).body;
    cur.spec.finalizers = [...cur.spec.finalizers, "e2e.example.com/fakeFinalizer"];
    const add = await put(`/api/v1/namespaces/${ns}/finalize`, cur);
    expect(add.status, add.text).toBe(200);
    expect(add.body.spec.finalizers).toContain("e2e.example.com/fakeFinalizer");
    const withIt = (await get(`/api/v1/namespaces/${ns}`)).body;
    expect(withIt.spec.finalizers).toContain("e2e.example.com/fakeFinalizer");
    withIt.spec.finalizers = withIt.spec.finalizers.filter((f: string) => f !== "e2e.example.com/fakeFinalizer");
    const rm = await put(`/api/v1/namespaces/${ns}/finalize`, withIt);
    expect(rm.status).toBe(200);
    expect((await get(`/api/v1/namespaces/${ns}`)).body.spec.finalizers).not.toContain("e2e.example.com/fakeFinalizer");
  });
});

describe("conformance: ServiceAccount", () => {
  it("ServiceAccount lifecycle test: ADDED with its label, patch, list by label, DELETED", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/serviceaccounts`;
    const w = await Watch.open(`${path}?watch=true&labelSelector=${q("test-serviceaccount-static=true")}`);
    const c = await post(path, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "test-serviceaccount", labels: { "test-serviceaccount-static": "true" } } });
    expect(c.status).toBe(201);
    const added = await w.next();
    expect(added?.type).toBe("ADDED");
    expect(added?.object.metadata.labels).toEqual({ "test-serviceaccount-static": "true" });

    const p = await patch(`${path}/test-serviceaccount`, "merge", { automountServiceAccountToken: false, metadata: { labels: { "test-serviceaccount": "patched" } } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.automountServiceAccountToken).toBe(false);
    const mod = await w.next();
    expect(mod?.type).toBe("MODIFIED");
    expect(mod?.object.automountServiceAccountToken).toBe(false);

    const listed = (await get(`/api/v1/serviceaccounts?labelSelector=${q("test-serviceaccount-static=true")}`)).body.items.filter((i: any) => i.metadata.namespace === ns);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ automountServiceAccountToken: false, metadata: { labels: { "test-serviceaccount": "patched" } } });

    const dc = await api("DELETE", `${path}?labelSelector=${q("test-serviceaccount-static=true")}`);
    expect(dc.status).toBe(200);
    const gone = await w.next();
    expect(gone?.type).toBe("DELETED");
    expect(gone?.object.metadata.name).toBe("test-serviceaccount");
    await w.cancel();
  });

  it("ServiceAccount, update a ServiceAccount: a PUT changes a field", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/serviceaccounts`;
    const c = (await post(path, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "e2e-sa" } })).body;
    c.automountServiceAccountToken = true;
    c.metadata.labels = { updated: "true" };
    const u = await put(`${path}/e2e-sa`, c);
    expect(u.status, u.text).toBe(200);
    const got = (await get(`${path}/e2e-sa`)).body;
    expect(got.automountServiceAccountToken).toBe(true);
    expect(got.metadata.labels).toEqual({ updated: "true" });
  });
});

const coreEvent = (name: string, ns: string, labels: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name, labels },
  involvedObject: { kind: "Pod", name: "p", namespace: ns },
  reason: "Testing",
  message: "This is a test event",
  type: "Normal",
  source: { component: "e2e" },
  count: 1,
});

const newEvent = (name: string, labels: Record<string, string>) => ({
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata: { name, labels },
  eventTime: "2026-01-01T00:00:00.000000Z",
  reportingController: "test-controller",
  reportingInstance: "test-node",
  action: "Do",
  reason: "Test",
  type: "Normal",
  note: "This is a test event",
  regarding: { kind: "Pod", name: "p" },
});

describe("conformance: Event (core/v1)", () => {
  it("Event, delete a collection: listed by label, deleted by collection, gone", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/events`;
    for (const n of ["ev-1", "ev-2", "ev-3"]) expect((await post(path, coreEvent(n, ns, { "testevent-set": "true" }))).status).toBe(201);
    await post(path, coreEvent("other", ns, { "testevent-set": "false" }));
    expect(names((await get(`${path}?labelSelector=${q("testevent-set=true")}`)).body).sort()).toEqual(["ev-1", "ev-2", "ev-3"]);
    expect((await api("DELETE", `${path}?labelSelector=${q("testevent-set=true")}`)).status).toBe(200);
    expect((await get(`${path}?labelSelector=${q("testevent-set=true")}`)).body.items).toEqual([]);
    expect(names((await get(path)).body)).toEqual(["other"]);
  });

  it("Event, manage lifecycle of an Event: create, list across namespaces by label, patch message, update series, delete", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/events`;
    const tag = uniq();
    expect((await post(path, coreEvent("event-test", ns, { "testevent-constant": "true", run: tag }))).status).toBe(201);
    const all = await get(`/api/v1/events?labelSelector=${q(`testevent-constant=true,run=${tag}`)}`);
    expect(all.body.items.map((i: any) => [i.metadata.namespace, i.metadata.name])).toEqual([[ns, "event-test"]]);

    const p = await patch(`${path}/event-test`, "strategic", { message: "This is a test event - patched" });
    expect(p.status, p.text).toBe(200);
    expect((await get(`${path}/event-test`)).body.message).toBe("This is a test event - patched");

    const cur = (await get(`${path}/event-test`)).body;
    cur.series = { count: 100, lastObservedTime: "2026-01-01T00:00:01.000000Z" };
    const u = await put(`${path}/event-test`, cur);
    expect(u.status, u.text).toBe(200);
    expect((await get(`${path}/event-test`)).body.series).toEqual({ count: 100, lastObservedTime: "2026-01-01T00:00:01.000000Z" });

    expect((await del(`${path}/event-test`)).status).toBe(200);
    expect((await get(`/api/v1/events?labelSelector=${q(`run=${tag}`)}`)).body.items).toEqual([]);
  });
});

describe("conformance: Event (events.k8s.io/v1)", () => {
  it("New Event resource lifecycle, testing a list of events: created, listed, deleted by collection, gone", async () => {
    const ns = await newNs("cf");
    const path = `/apis/events.k8s.io/v1/namespaces/${ns}/events`;
    for (const n of ["e-1", "e-2", "e-3"]) {
      const r = await post(path, newEvent(n, { "testevent-set": "true" }));
      expect(r.status, r.text).toBe(201);
    }
    const listed = await get(`${path}?labelSelector=${q("testevent-set=true")}`);
    expect(listed.body.kind).toBe("EventList");
    expect(names(listed.body).sort()).toEqual(["e-1", "e-2", "e-3"]);
    expect((await api("DELETE", `${path}?labelSelector=${q("testevent-set=true")}`)).status).toBe(200);
    expect((await get(path)).body.items).toEqual([]);
  });

  it("New Event resource lifecycle, testing a single event: create, patch note, update series, delete", async () => {
    const ns = await newNs("cf");
    const path = `/apis/events.k8s.io/v1/namespaces/${ns}/events`;
    const tag = uniq();
    const c = await post(path, newEvent("event-test", { run: tag }));
    expect(c.status, c.text).toBe(201);
    expect((await get(`${path}/event-test`)).body.note).toBe("This is a test event");

    const p = await patch(`${path}/event-test`, "merge", { note: "This is a test event - patched" });
    expect(p.status, p.text).toBe(200);
    expect((await get(`${path}/event-test`)).body.note).toBe("This is a test event - patched");

    const cur = (await get(`${path}/event-test`)).body;
    cur.series = { count: 100, lastObservedTime: "2026-01-01T00:00:01.000000Z" };
    const u = await put(`${path}/event-test`, cur);
    expect(u.status, u.text).toBe(200);
    expect((await get(`${path}/event-test`)).body.series).toEqual({ count: 100, lastObservedTime: "2026-01-01T00:00:01.000000Z" });

    expect((await del(`${path}/event-test`)).status).toBe(200);
    expect((await get(`${path}/event-test`)).status).toBe(404);
    expect((await get(`/apis/events.k8s.io/v1/events?labelSelector=${q(`run=${tag}`)}`)).body.items).toEqual([]);
  });
});

describe("conformance: Lease", () => {
  it("lease API should be available: create, get, update, patch, list, delete by collection, delete, 404", async () => {
    const ns = await newNs("cf");
    const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
    const spec = { holderIdentity: "holder", leaseDurationSeconds: 30, acquireTime: "2026-01-01T00:00:00.000000Z", renewTime: "2026-01-01T00:00:00.000000Z", leaseTransitions: 0 };
    const c = await post(path, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "lease" }, spec });
    expect(c.status, c.text).toBe(201);
    expect((await get(`${path}/lease`)).body.spec).toEqual(spec);

    const updSpec = { ...spec, holderIdentity: "holder2", leaseDurationSeconds: 60, renewTime: "2026-01-01T00:01:00.000000Z", leaseTransitions: 1 };
    const u = await put(`${path}/lease`, { ...c.body, spec: updSpec });
    expect(u.status, u.text).toBe(200);
    expect((await get(`${path}/lease`)).body.spec).toEqual(updSpec);

    const p = await patch(`${path}/lease`, "strategic", { spec: { holderIdentity: "holder3", leaseTransitions: 2 } });
    expect(p.status, p.text).toBe(200);
    expect((await get(`${path}/lease`)).body.spec).toEqual({ ...updSpec, holderIdentity: "holder3", leaseTransitions: 2 });

    const c2 = await post(path, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "lease2", labels: { deletecollection: "true" } }, spec });
    expect(c2.status).toBe(201);
    expect(names((await get(path)).body)).toEqual(["lease", "lease2"]);

    expect((await api("DELETE", `${path}?labelSelector=${q("deletecollection=true")}`)).status).toBe(200);
    expect(names((await get(path)).body)).toEqual(["lease"]);

    expect((await del(`${path}/lease`)).status).toBe(200);
    const gone = await get(`${path}/lease`);
    expect(gone.status).toBe(404);
    expect(gone.body.reason).toBe("NotFound");
  });
});

describe("conformance: Endpoints", () => {
  it("Endpoint resource lifecycle: create, find by label, update label, patch address and port, delete by label seen by a watch", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/endpoints`;
    const c = await post(path, {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "testservice", labels: { "test-endpoint-static": "true" } },
      subsets: [{ addresses: [{ ip: "10.0.0.24" }], ports: [{ name: "http", port: 80, protocol: "TCP" }] }],
    });
    expect(c.status, c.text).toBe(201);
    expect(names((await get(`/api/v1/endpoints?labelSelector=${q("test-endpoint-static=true")}`)).body)).toContain("testservice");

    const cur = (await get(`${path}/testservice`)).body;
    cur.metadata.labels["test-service"] = "updated";
    expect((await put(`${path}/testservice`, cur)).status).toBe(200);
    expect((await get(`${path}/testservice`)).body.metadata.labels).toEqual({ "test-endpoint-static": "true", "test-service": "updated" });

    const p = await patch(`${path}/testservice`, "strategic", {
      metadata: { labels: { "test-service": "patched" } },
      subsets: [{ addresses: [{ ip: "10.0.0.25" }], ports: [{ name: "http-test", port: 8080, protocol: "TCP" }] }],
    });
    expect(p.status, p.text).toBe(200);
    const got = (await get(`${path}/testservice`)).body;
    expect(got.subsets).toEqual([{ addresses: [{ ip: "10.0.0.25" }], ports: [{ name: "http-test", port: 8080, protocol: "TCP" }] }]);
    expect(got.metadata.labels["test-service"]).toBe("patched");

    const w = await Watch.open(`${path}?watch=true&resourceVersion=${got.metadata.resourceVersion}&labelSelector=${q("test-endpoint-static=true")}`);
    expect((await api("DELETE", `${path}?labelSelector=${q("test-endpoint-static=true")}`)).status).toBe(200);
    const e = await w.next();
    expect(e?.type).toBe("DELETED");
    expect(e?.object.metadata.name).toBe("testservice");
    await w.cancel();
    expect((await get(path)).body.items).toEqual([]);
  });
});

describe("conformance: Node", () => {
  it("Node, resource lifecycle: create, read, patch label, list by label, update, delete", async () => {
    const name = `e2e-fake-node-${uniq()}`;
    const c = await post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name }, status: { capacity: { cpu: "1", pods: "10" } } });
    expect(c.status, c.text).toBe(201);
    expect((await get(`/api/v1/nodes/${name}`)).body.metadata.name).toBe(name);

    const p = await patch(`/api/v1/nodes/${name}`, "merge", { metadata: { labels: { [name]: "patched" } } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.metadata.labels[name]).toBe("patched");
    expect(names((await get(`/api/v1/nodes?labelSelector=${q(`${name}=patched`)}`)).body)).toEqual([name]);

    const cur = (await get(`/api/v1/nodes/${name}`)).body;
    cur.metadata.labels[`${name}-update`] = "updated";
    const u = await put(`/api/v1/nodes/${name}`, cur);
    expect(u.status, u.text).toBe(200);
    expect((await get(`/api/v1/nodes/${name}`)).body.metadata.labels[`${name}-update`]).toBe("updated");

    expect((await del(`/api/v1/nodes/${name}`)).status).toBe(200);
    expect((await get(`/api/v1/nodes/${name}`)).status).toBe(404);
  });
});

describe("conformance: Pods (API part; running pods need the node agent)", () => {
  it("Pods, update: a PUT changes a label and the pod is found by the new value", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("pod-update", { labels: { name: "foo", time: "1" } }));
    expect(names((await get(`${path}?labelSelector=${q("name=foo,time=1")}`)).body)).toEqual(["pod-update"]);
    const cur = (await get(`${path}/pod-update`)).body;
    cur.metadata.labels.time = "2";
    expect((await put(`${path}/pod-update`, cur)).status).toBe(200);
    expect(names((await get(`${path}?labelSelector=${q("time=2")}`)).body)).toEqual(["pod-update"]);
    expect((await get(`${path}?labelSelector=${q("time=1")}`)).body.items).toEqual([]);
  });

  it("Pods, delete a collection: found by label, deleted by collection, gone (unscheduled pods)", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/pods`;
    for (const n of ["p1", "p2", "p3"]) await post(path, pod(n, { labels: { "type": "Testing" } }));
    await post(path, pod("keep"));
    expect(names((await get(`${path}?labelSelector=${q("type=Testing")}`)).body)).toEqual(["p1", "p2", "p3"]);
    expect((await api("DELETE", `${path}?labelSelector=${q("type=Testing")}`)).status).toBe(200);
    expect((await get(`${path}?labelSelector=${q("type=Testing")}`)).body.items).toEqual([]);
    expect(names((await get(path)).body)).toEqual(["keep"]);
  });

  it("Pods, patching status: message and reason patched through /status read back", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/pods`;
    await post(path, pod("pod-status"));
    const p = await patch(`${path}/pod-status/status`, "merge", { status: { message: "Patched by e2e test", reason: "E2E" } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.status).toMatchObject({ message: "Patched by e2e test", reason: "E2E" });
    expect((await get(`${path}/pod-status`)).body.status).toMatchObject({ message: "Patched by e2e test", reason: "E2E" });
  });

  it("Pods, completes the lifecycle of a Pod and the PodStatus: patch labels and image, read and replace status, delete", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/pods`;
    const w = await Watch.open(`${path}?watch=true&labelSelector=${q("test-pod-static=true")}`);
    expect((await post(path, pod("pod-test", { labels: { "test-pod-static": "true" } }))).status).toBe(201);
    expect((await w.next())?.type).toBe("ADDED");

    const p = await patch(`${path}/pod-test`, "strategic", { metadata: { labels: { "test-pod": "patched" } }, spec: { containers: [{ name: "c", image: "nginx:1.28" }] } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.metadata.labels).toEqual({ "test-pod-static": "true", "test-pod": "patched" });
    expect(p.body.spec.containers[0].image).toBe("nginx:1.28");
    expect((await w.next())?.type).toBe("MODIFIED");

    const st = await get(`${path}/pod-test/status`);
    expect(st.status).toBe(200);
    const cond = { type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" };
    st.body.status.conditions = [cond];
    const u = await put(`${path}/pod-test/status`, st.body);
    expect(u.status, u.text).toBe(200);
    expect((await get(`${path}/pod-test`)).body.status.conditions).toEqual([cond]);
    expect((await w.next())?.type).toBe("MODIFIED");

    expect((await del(`${path}/pod-test`)).status).toBe(200);
    const gone = await w.next();
    expect(gone?.type).toBe("DELETED");
    expect((await get(`${path}?labelSelector=${q("test-pod-static=true")}`)).body.items).toEqual([]);
    await w.cancel();
  });

  it("Pods, QOS (API part): a pod whose requests equal its limits is Guaranteed from creation", async () => {
    const ns = await newNs("cf");
    const resources = { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "100m", memory: "100Mi" } };
    const r = await post(`/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "pod-qos-class" }, spec: { containers: [{ name: "agnhost", image: "agnhost:2.52", resources }] } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.status.qosClass).toBe("Guaranteed");
    expect((await get(`/api/v1/namespaces/${ns}/pods/pod-qos-class`)).body.status.qosClass).toBe("Guaranteed");
  });

  it("Sysctls, reject invalid sysctls: the create fails naming the invalid names only", async () => {
    const ns = await newNs("cf");
    const sysctls = [
      { name: "foo-", value: "bar" },
      { name: "kernel.shmmax", value: "100000000" },
      { name: "safe-and-unsafe", value: "100000000" },
      { name: "bar..", value: "42" },
    ];
    const r = await post(`/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "sysctl" }, spec: { securityContext: { sysctls }, containers: [{ name: "c", image: "busybox" }] } });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain(`Invalid value: "foo-"`);
    expect(r.body.message).toContain(`Invalid value: "bar.."`);
    expect(r.body.message).not.toContain("safe-and-unsafe");
    expect(r.body.message).not.toContain("kernel.shmmax");
    expect((await get(`/api/v1/namespaces/${ns}/pods/sysctl`)).status).toBe(404);
  });

  it("Pods, lifecycle (API part): found by label, deletion of a bound pod is watched as deletionTimestamp then DELETED", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/pods`;
    const tag = uniq();
    expect((await post(path, pod("pod-submit-remove", { labels: { time: tag }, nodeName: "n1" }))).status).toBe(201);
    const listed = await get(`${path}?labelSelector=${q(`time=${tag}`)}`);
    expect(names(listed.body)).toEqual(["pod-submit-remove"]);
    const w = await Watch.open(`${path}?watch=true&resourceVersion=${listed.body.metadata.resourceVersion}&labelSelector=${q(`time=${tag}`)}`);

    expect((await del(`${path}/pod-submit-remove`)).status).toBe(200);
    const marked = await w.next();
    expect(marked?.type).toBe("MODIFIED");
    expect(marked?.object.metadata.deletionTimestamp).toBeDefined();
    // The kubelet confirms the stop with a zero-grace delete; the node agent does this.
    expect((await api("DELETE", `${path}/pod-submit-remove?gracePeriodSeconds=0`)).status).toBe(200);
    expect((await w.next())?.type).toBe("DELETED");
    expect((await get(`${path}?labelSelector=${q(`time=${tag}`)}`)).body.items).toEqual([]);
    await w.cancel();
  });
});

describe("conformance: Service (API part)", () => {
  const svc = (name: string, labels?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: labels ? { name, labels } : { name },
    spec: { selector: { app: name }, ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }] },
  });

  it("Service, deletes a collection of services: three found, two deleted by label, one left", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/services`;
    await post(path, svc("e2e-svc-a", { "e2e-test-service": "delete" }));
    await post(path, svc("e2e-svc-b", { "e2e-test-service": "delete" }));
    await post(path, svc("e2e-svc-c"));
    expect(names((await get(path)).body)).toEqual(["e2e-svc-a", "e2e-svc-b", "e2e-svc-c"]);
    expect((await api("DELETE", `${path}?labelSelector=${q("e2e-test-service=delete")}`)).status).toBe(200);
    expect(names((await get(path)).body)).toEqual(["e2e-svc-c"]);
  });

  it("Service, complete ServiceStatus lifecycle (status fields): read, patch and update /status, then patch the service", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/services`;
    expect((await post(path, svc("test-service", { "test-service-static": "true" }))).status).toBe(201);
    const s = await get(`${path}/test-service/status`);
    expect(s.status).toBe(200);
    expect(s.body.metadata.name).toBe("test-service");

    const lb = { ingress: [{ ip: "203.0.113.1" }] };
    const p = await patch(`${path}/test-service/status`, "merge", { status: { loadBalancer: lb } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.status.loadBalancer).toEqual(lb);

    const cond = { type: "StatusUpdate", status: "True", reason: "E2E", message: "Set from e2e test", lastTransitionTime: "2026-01-01T00:00:00Z" };
    const cur = (await get(`${path}/test-service/status`)).body;
    cur.status.conditions = [cond];
    const u = await put(`${path}/test-service/status`, cur);
    expect(u.status, u.text).toBe(200);
    const after = (await get(`${path}/test-service`)).body;
    expect(after.status.conditions).toEqual([cond]);
    expect(after.status.loadBalancer).toEqual(lb);

    const sp = await patch(`${path}/test-service`, "merge", { metadata: { labels: { "test-service": "patched" } } });
    expect(sp.status).toBe(200);
    expect(sp.body.metadata.labels).toEqual({ "test-service-static": "true", "test-service": "patched" });
    expect(sp.body.status.conditions).toEqual([cond]);
  });

  it("Service, complete ServiceStatus lifecycle: the annotation patched with the status is kept", async () => {
    const ns = await newNs("cf");
    const path = `/api/v1/namespaces/${ns}/services`;
    await post(path, svc("test-service"));
    const p = await patch(`${path}/test-service/status`, "merge", { metadata: { annotations: { patchedstatus: "true" } }, status: { loadBalancer: { ingress: [{ ip: "203.0.113.1" }] } } });
    expect(p.status).toBe(200);
    expect(p.body.metadata.annotations).toEqual({ patchedstatus: "true" });
  });
});
