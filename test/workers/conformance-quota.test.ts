// Conformance (ResourceQuota, LimitRange): upstream's quota and limit range conformance tests,
// written from their descriptions and driven through the API. docs/conformance.md maps them.
import { describe, expect, it } from "vitest";
import { api, del, eventually, get, newNs, patch, pod, post, put, replicaSet, settle, Watch } from "./helpers.js";

const q = (s: string) => encodeURIComponent(s);
const uniq = () => Math.random().toString(36).slice(2, 8);
type RL = Record<string, string>;

const quota = (name: string, hard: RL, extra: { labels?: RL; scopes?: string[] } = {}) => ({
  apiVersion: "v1",
  kind: "ResourceQuota",
  metadata: extra.labels ? { name, labels: extra.labels } : { name },
  spec: extra.scopes ? { hard, scopes: extra.scopes } : { hard },
});
const podWith = (name: string, resources?: { requests?: RL; limits?: RL }, spec: Record<string, unknown> = {}) => {
  const p = pod(name) as any;
  if (resources) p.spec.containers[0].resources = resources;
  Object.assign(p.spec, spec);
  return p;
};
const quotaPath = (ns: string, name = "") => `/api/v1/namespaces/${ns}/resourcequotas${name ? `/${name}` : ""}`;
const used = async (ns: string, name: string): Promise<RL | undefined> => (await get(quotaPath(ns, name))).body.status?.used;
/** Waits (running the namespace's controllers) until the quota's status.used has `want`'s values. */
const usedBecomes = (ns: string, name: string, want: RL) =>
  eventually(ns, async () => {
    const u = await used(ns, name);
    return u && Object.entries(want).every(([k, v]) => u[k] === v) ? u : undefined;
  });

describe("conformance: ResourceQuota object counts", () => {
  it("ResourceQuota, object count quota, resourcequotas: status.used counts the quota itself", async () => {
    const ns = await newNs("cq");
    expect((await post(quotaPath(ns), quota("test-quota", { resourcequotas: "1", pods: "5" }))).status).toBe(201);
    await settle(ns);
    const got = (await get(quotaPath(ns, "test-quota"))).body;
    expect(got.status).toEqual({ hard: { resourcequotas: "1", pods: "5" }, used: { resourcequotas: "1", pods: "0" } });
    const second = await post(quotaPath(ns), quota("second", { pods: "1" }));
    expect(second.status).toBe(403);
    expect(second.body.message).toBe(
      'resourcequotas "second" is forbidden: exceeded quota: test-quota, requested: resourcequotas=1, used: resourcequotas=1, limited: resourcequotas=1',
    );
  });

  it("ResourceQuota, object count quota, secret and configmap: used goes up on create and down on delete", async () => {
    const ns = await newNs("cq");
    await post(quotaPath(ns), quota("test-quota", { resourcequotas: "1", secrets: "10", configmaps: "10" }));
    // The namespace's own ConfigMaps count (kube-root-ca.crt, published when the Worker has a root CA).
    const own = (await get(`/api/v1/namespaces/${ns}/configmaps`)).body.items.length;
    await usedBecomes(ns, "test-quota", { resourcequotas: "1", configmaps: String(own), secrets: "0" });
    const s = await post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "test-secret" }, data: { k: "dg==" } });
    expect(s.status).toBe(201);
    const c = await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "test-configmap" }, data: { a: "b" } });
    expect(c.status).toBe(201);
    expect(await usedBecomes(ns, "test-quota", { secrets: "1", configmaps: String(own + 1) })).toEqual({ resourcequotas: "1", secrets: "1", configmaps: String(own + 1) });
    expect((await del(`/api/v1/namespaces/${ns}/secrets/test-secret`)).status).toBe(200);
    expect((await del(`/api/v1/namespaces/${ns}/configmaps/test-configmap`)).status).toBe(200);
    expect(await usedBecomes(ns, "test-quota", { secrets: "0", configmaps: String(own) })).toEqual({ resourcequotas: "1", secrets: "0", configmaps: String(own) });
  });

  it("ResourceQuota, object count quota, replicaSet: count/replicasets.apps goes up on create and down on delete", async () => {
    const ns = await newNs("cq");
    await post(quotaPath(ns), quota("test-quota", { resourcequotas: "1", "count/replicasets.apps": "5" }));
    await usedBecomes(ns, "test-quota", { resourcequotas: "1", "count/replicasets.apps": "0" });
    expect((await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, replicaSet("test-rs", 0))).status).toBe(201);
    await usedBecomes(ns, "test-quota", { "count/replicasets.apps": "1" });
    expect((await del(`/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`)).status).toBe(200);
    expect(await usedBecomes(ns, "test-quota", { "count/replicasets.apps": "0" })).toEqual({ resourcequotas: "1", "count/replicasets.apps": "0" });
  });

  it("ResourceQuota, object count quota, pod: cpu, memory, ephemeral-storage and an extended resource charged, pods over quota refused, a refused update leaves usage, delete releases", async () => {
    const ns = await newNs("cq");
    const hard = { resourcequotas: "1", pods: "5", cpu: "1", memory: "500Mi", "limits.cpu": "2", "limits.memory": "1Gi", "requests.ephemeral-storage": "50Gi", "requests.example.com/dongle": "3" };
    await post(quotaPath(ns), quota("test-quota", hard));
    await usedBecomes(ns, "test-quota", { resourcequotas: "1", pods: "0" });
    const ok = await post(`/api/v1/namespaces/${ns}/pods`, podWith("test-pod", { requests: { cpu: "500m", memory: "252Mi", "ephemeral-storage": "30Gi", "example.com/dongle": "2" }, limits: { cpu: "1", memory: "300Mi", "example.com/dongle": "2" } }));
    expect(ok.status, ok.text).toBe(201);
    const zero = { pods: "0", cpu: "0", memory: "0", "limits.cpu": "0", "limits.memory": "0", "requests.ephemeral-storage": "0", "requests.example.com/dongle": "0" };
    const charged = { resourcequotas: "1", pods: "1", cpu: "500m", memory: "252Mi", "limits.cpu": "1", "limits.memory": "300Mi", "requests.ephemeral-storage": "30Gi", "requests.example.com/dongle": "2" };
    expect(await usedBecomes(ns, "test-quota", { pods: "1" })).toEqual(charged);
    for (const [name, r] of [["fail-storage", { "ephemeral-storage": "30Gi" }], ["fail-dongle", { "example.com/dongle": "2" }]] as const) {
      const res = { requests: { cpu: "100m", memory: "10Mi", ...r }, limits: { cpu: "100m", memory: "10Mi", ...("example.com/dongle" in r ? r : {}) } };
      const refused = await post(`/api/v1/namespaces/${ns}/pods`, podWith(name, res));
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.message).toContain(`pods "${name}" is forbidden: exceeded quota: test-quota`);
    }
    // A refused update (pod resources are immutable here) leaves the usage as it was.
    const cur = (await get(`/api/v1/namespaces/${ns}/pods/test-pod`)).body;
    cur.spec.containers[0].resources = { requests: { cpu: "600m", memory: "100Mi" }, limits: { cpu: "600m", memory: "100Mi" } };
    expect((await put(`/api/v1/namespaces/${ns}/pods/test-pod`, cur)).status).toBeGreaterThanOrEqual(400);
    expect(await used(ns, "test-quota")).toEqual(charged);
    const over = await post(`/api/v1/namespaces/${ns}/pods`, podWith("fail-pod", { requests: { cpu: "600m", memory: "100Mi" }, limits: { cpu: "600m", memory: "100Mi" } }));
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      message: 'pods "fail-pod" is forbidden: exceeded quota: test-quota, requested: cpu=600m, used: cpu=500m, limited: cpu=1',
    });
    expect((await used(ns, "test-quota"))?.cpu).toBe("500m");
    expect((await del(`/api/v1/namespaces/${ns}/pods/test-pod?gracePeriodSeconds=0`)).status).toBe(200);
    await eventually(ns, async () => ((await get(`/api/v1/namespaces/${ns}/pods/test-pod`)).status === 404 ? true : undefined));
    expect(await usedBecomes(ns, "test-quota", zero)).toEqual({ resourcequotas: "1", ...zero });
  });
});

describe("conformance: ResourceQuota scopes", () => {
  const compute = { pods: "5", "requests.cpu": "1", "requests.memory": "500Mi", "limits.cpu": "2", "limits.memory": "1Gi" };
  const burstable = { requests: { cpu: "500m", memory: "200Mi" }, limits: { cpu: "1", memory: "400Mi" } };
  const charged = { pods: "1", "requests.cpu": "500m", "requests.memory": "200Mi", "limits.cpu": "1", "limits.memory": "400Mi" };
  const none = { pods: "0", "requests.cpu": "0", "requests.memory": "0", "limits.cpu": "0", "limits.memory": "0" };
  const gone = async (ns: string, name: string) => {
    expect((await del(`/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`)).status).toBe(200);
    await eventually(ns, async () => ((await get(`/api/v1/namespaces/${ns}/pods/${name}`)).status === 404 ? true : undefined));
  };

  it("ResourceQuota, quota scope, BestEffort and NotBestEffort scope: each pod counted in one quota, released on delete", async () => {
    const ns = await newNs("cq");
    await post(quotaPath(ns), quota("quota-besteffort", { pods: "5" }, { scopes: ["BestEffort"] }));
    await post(quotaPath(ns), quota("quota-not-besteffort", compute, { scopes: ["NotBestEffort"] }));
    await usedBecomes(ns, "quota-besteffort", { pods: "0" });
    await usedBecomes(ns, "quota-not-besteffort", none);

    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("besteffort"))).status).toBe(201);
    expect(await usedBecomes(ns, "quota-besteffort", { pods: "1" })).toEqual({ pods: "1" });
    expect(await used(ns, "quota-not-besteffort")).toEqual(none);
    await gone(ns, "besteffort");
    await usedBecomes(ns, "quota-besteffort", { pods: "0" });

    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("burstable", burstable))).status).toBe(201);
    expect(await usedBecomes(ns, "quota-not-besteffort", { pods: "1" })).toEqual(charged);
    expect(await used(ns, "quota-besteffort")).toEqual({ pods: "0" });
    await gone(ns, "burstable");
    expect(await usedBecomes(ns, "quota-not-besteffort", none)).toEqual(none);
  });

  it("ResourceQuota, quota scope, Terminating and NotTerminating scope: each pod counted in one quota, released on delete", async () => {
    const ns = await newNs("cq");
    await post(quotaPath(ns), quota("quota-terminating", compute, { scopes: ["Terminating"] }));
    await post(quotaPath(ns), quota("quota-not-terminating", compute, { scopes: ["NotTerminating"] }));
    await usedBecomes(ns, "quota-terminating", none);
    await usedBecomes(ns, "quota-not-terminating", none);

    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("long-running", burstable))).status).toBe(201);
    expect(await usedBecomes(ns, "quota-not-terminating", { pods: "1" })).toEqual(charged);
    expect(await used(ns, "quota-terminating")).toEqual(none);
    await gone(ns, "long-running");
    await usedBecomes(ns, "quota-not-terminating", none);

    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("terminating", burstable, { activeDeadlineSeconds: 3600 }))).status).toBe(201);
    expect(await usedBecomes(ns, "quota-terminating", { pods: "1" })).toEqual(charged);
    expect(await used(ns, "quota-not-terminating")).toEqual(none);
    await gone(ns, "terminating");
    expect(await usedBecomes(ns, "quota-terminating", none)).toEqual(none);
  });
});

describe("conformance: ResourceQuota API", () => {
  it("ResourceQuota, update and delete: PUT answer and GET carry the new cpu and memory, delete then 404", async () => {
    const ns = await newNs("cq");
    const created = await post(quotaPath(ns), quota("test-quota", { cpu: "1", memory: "500Mi" }));
    expect(created.status).toBe(201);
    const cur = (await get(quotaPath(ns, "test-quota"))).body;
    const upd = await put(quotaPath(ns, "test-quota"), { ...cur, spec: { hard: { cpu: "2", memory: "1Gi" } } });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.body.spec.hard).toEqual({ cpu: "2", memory: "1Gi" });
    expect((await get(quotaPath(ns, "test-quota"))).body.spec.hard).toEqual({ cpu: "2", memory: "1Gi" });
    expect((await del(quotaPath(ns, "test-quota"))).status).toBe(200);
    expect((await get(quotaPath(ns, "test-quota"))).status).toBe(404);
  });

  it("ResourceQuota, manage lifecycle of a ResourceQuota: list across namespaces by label, merge patch of a label and spec.hard.memory, delete by collection, 404", async () => {
    const ns = await newNs("cq");
    const tag = uniq();
    const c = await post(quotaPath(ns), quota("e2e-rq", { cpu: "1", memory: "500Mi" }, { labels: { "e2e-rq-label": tag } }));
    expect(c.status).toBe(201);
    const found = await get(`/api/v1/resourcequotas?labelSelector=${q(`e2e-rq-label=${tag}`)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: any) => [i.metadata.namespace, i.metadata.name])).toEqual([[ns, "e2e-rq"]]);
    const before = (await get(quotaPath(ns, "e2e-rq"))).body.metadata.resourceVersion;
    const p = await patch(quotaPath(ns, "e2e-rq"), "merge", { metadata: { labels: { "e2e-rq-patched": "true" } }, spec: { hard: { memory: "750Mi" } } });
    expect(p.status, p.text).toBe(200);
    const got = (await get(quotaPath(ns, "e2e-rq"))).body;
    expect(got.metadata.labels).toEqual({ "e2e-rq-label": tag, "e2e-rq-patched": "true" });
    expect(got.spec.hard).toEqual({ cpu: "1", memory: "750Mi" });
    expect(BigInt(got.metadata.resourceVersion) > BigInt(before)).toBe(true);
    const dc = await api("DELETE", `${quotaPath(ns)}?labelSelector=${q(`e2e-rq-label=${tag}`)}`);
    expect(dc.status).toBe(200);
    expect((await get(quotaPath(ns, "e2e-rq"))).status).toBe(404);
    expect((await get(`/api/v1/resourcequotas?labelSelector=${q(`e2e-rq-label=${tag}`)}`)).body.items).toEqual([]);
  });

  it("ResourceQuota, apply changes to a ResourceQuota status: PUT and PATCH /status seen, spec unchanged", async () => {
    const ns = await newNs("cq");
    const path = quotaPath(ns, "e2e-rq-status");
    await post(quotaPath(ns), quota("e2e-rq-status", { cpu: "500m", memory: "500Mi" }));
    await usedBecomes(ns, "e2e-rq-status", { cpu: "0", memory: "0" });
    await settle(ns);
    const cur = (await get(path)).body;
    const st = await put(`${path}/status`, { ...cur, spec: { hard: { cpu: "9" } }, status: { hard: { cpu: "500m", memory: "500Mi" }, used: { cpu: "0", memory: "0" } } });
    expect(st.status, st.text).toBe(200);
    expect(st.body.status.hard).toEqual({ cpu: "500m", memory: "500Mi" });
    expect(st.body.spec.hard).toEqual({ cpu: "500m", memory: "500Mi" });

    const sp = await patch(path, "merge", { spec: { hard: { cpu: "1", memory: "1Gi" } } });
    expect(sp.status).toBe(200);
    const pp = await patch(`${path}/status`, "merge", { spec: { hard: { cpu: "7" } }, status: { hard: { cpu: "1", memory: "1Gi" } } });
    expect(pp.status, pp.text).toBe(200);
    const got = await get(`${path}/status`);
    expect(got.status).toBe(200);
    expect(got.body.status.hard).toEqual({ cpu: "1", memory: "1Gi" });
    expect(got.body.spec.hard).toEqual({ cpu: "1", memory: "1Gi" });
  });
});

describe("conformance: strategic merge patch", () => {
  it("ResourceQuota and LimitRange lifecycles patch a label and spec with a strategic merge patch", async () => {
    const ns = await newNs("cq");
    await post(quotaPath(ns), quota("e2e-rq", { cpu: "1", memory: "500Mi" }));
    const p = await patch(quotaPath(ns, "e2e-rq"), "strategic", { metadata: { labels: { "e2e-rq-patched": "true" } }, spec: { hard: { memory: "750Mi" } } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.spec.hard).toEqual({ cpu: "1", memory: "750Mi" });
    const lr = { apiVersion: "v1", kind: "LimitRange", metadata: { name: "lr" }, spec: { limits: [{ type: "Container", min: { cpu: "100m" } }] } };
    await post(`/api/v1/namespaces/${ns}/limitranges`, lr);
    const l = await patch(`/api/v1/namespaces/${ns}/limitranges/lr`, "strategic", { metadata: { labels: { patched: "true" } }, spec: { limits: [{ type: "Container", min: { cpu: "200m" }, defaultRequest: { cpu: "200m" } }] } });
    expect(l.status, l.text).toBe(200);
    expect(l.body.spec.limits[0].min).toEqual({ cpu: "200m" });
  });
});

describe("conformance: LimitRange", () => {
  const lrPath = (ns: string, name = "") => `/api/v1/namespaces/${ns}/limitranges${name ? `/${name}` : ""}`;
  const limitRange = (name: string, min: RL, max: RL, labels?: RL) => ({
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: labels ? { name, labels } : { name },
    spec: { limits: [{ type: "Container", min, max, default: max, defaultRequest: min }] },
  });

  it("LimitRange, resources: cpu, memory and ephemeral-storage, seen by a label-selected watch, a pod under min refused, a lower min admits it, the delete lifts max", async () => {
    const ns = await newNs("clr");
    const tag = uniq();
    const w = await Watch.open(`${lrPath(ns)}?watch=true&labelSelector=${q(`time=${tag}`)}`);
    try {
      const c = await post(lrPath(ns), limitRange("limit-range", { cpu: "100m", memory: "100Mi", "ephemeral-storage": "100Gi" }, { cpu: "500m", memory: "500Mi", "ephemeral-storage": "500Gi" }, { time: tag }));
      expect(c.status).toBe(201);
      const added = await w.until((e) => e.type === "ADDED");
      expect(added.object.metadata.name).toBe("limit-range");
    } finally {
      await w.cancel();
    }
    const defaulted = await post(`/api/v1/namespaces/${ns}/pods`, podWith("pod-no-resources"));
    expect(defaulted.status).toBe(201);
    expect(defaulted.body.spec.containers[0].resources).toEqual({
      requests: { cpu: "100m", memory: "100Mi", "ephemeral-storage": "100Gi" },
      limits: { cpu: "500m", memory: "500Mi", "ephemeral-storage": "500Gi" },
    });

    const small = { requests: { cpu: "50m", memory: "50Mi", "ephemeral-storage": "50Gi" }, limits: { cpu: "200m", memory: "200Mi", "ephemeral-storage": "200Gi" } };
    const under = await post(`/api/v1/namespaces/${ns}/pods`, podWith("pod-partial-resources", small));
    expect(under.status).toBe(403);
    expect(under.body.message).toBe(
      'pods "pod-partial-resources" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, minimum memory usage per Container is 100Mi, but request is 50Mi, minimum ephemeral-storage usage per Container is 100Gi, but request is 50Gi]',
    );

    const cur = (await get(lrPath(ns, "limit-range"))).body;
    const lowered = limitRange("limit-range", { cpu: "40m", memory: "40Mi", "ephemeral-storage": "40Gi" }, { cpu: "500m", memory: "500Mi", "ephemeral-storage": "500Gi" }, { time: tag });
    const u = await put(lrPath(ns, "limit-range"), { ...cur, spec: lowered.spec });
    expect(u.status, u.text).toBe(200);
    expect(u.body.spec.limits[0].min).toEqual({ cpu: "40m", memory: "40Mi", "ephemeral-storage": "40Gi" });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("pod-partial-resources", small))).status).toBe(201);

    const big = { requests: { cpu: "600m", memory: "600Mi", "ephemeral-storage": "600Gi" }, limits: { cpu: "600m", memory: "600Mi", "ephemeral-storage": "600Gi" } };
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("pod-over-max", big))).status).toBe(403);
    expect((await del(lrPath(ns, "limit-range"))).status).toBe(200);
    expect((await get(lrPath(ns, "limit-range"))).status).toBe(404);
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("pod-over-max", big))).status).toBe(201);
  });

  it("LimitRange, list, patch and delete a LimitRange by collection: only the matching one removed", async () => {
    const ns1 = await newNs("clr");
    const ns2 = await newNs("clr");
    const tag = uniq();
    for (const ns of [ns1, ns2]) {
      expect((await post(lrPath(ns), limitRange("e2e-limitrange", { cpu: "100m" }, { cpu: "1" }, { "e2e-test": tag }))).status).toBe(201);
    }
    const sel = `/api/v1/limitranges?labelSelector=${q(`e2e-test=${tag}`)}`;
    const found = await get(sel);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: any) => i.metadata.namespace).sort()).toEqual([ns1, ns2].sort());

    const cur = (await get(lrPath(ns1, "e2e-limitrange"))).body;
    const newLimits = [{ ...cur.spec.limits[0], min: { cpu: "200m" }, defaultRequest: { cpu: "200m" } }];
    const p = await patch(lrPath(ns1, "e2e-limitrange"), "merge", { metadata: { labels: { "e2e-patched": tag } }, spec: { limits: newLimits } });
    expect(p.status, p.text).toBe(200);
    const got = (await get(lrPath(ns1, "e2e-limitrange"))).body;
    expect(got.metadata.labels).toEqual({ "e2e-test": tag, "e2e-patched": tag });
    expect(got.spec.limits[0].min).toEqual({ cpu: "200m" });

    const dc = await api("DELETE", `/api/v1/namespaces/${ns1}/limitranges?labelSelector=${q(`e2e-patched=${tag}`)}`);
    expect(dc.status).toBe(200);
    expect((await get(lrPath(ns1, "e2e-limitrange"))).status).toBe(404);
    expect((await get(sel)).body.items.map((i: any) => i.metadata.namespace)).toEqual([ns2]);
  });
});
