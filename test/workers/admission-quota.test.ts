// ResourceQuota admission inside the namespace store: object counts and compute with upstream's
// messages, creates fired at once never exceeding a count, status.used kept by admission and the
// quota controller.
import { describe, expect, it } from "vitest";
import { del, eventually, get, newNs, pod, post, put } from "./helpers.js";

const quota = (name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name }, spec: { hard, ...extra } });
const svc = (name: string, type = "ClusterIP") => ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { type, ports: [{ port: 80 }] } });
const podWith = (name: string, resources?: Record<string, Record<string, string>>) => {
  const p = pod(name);
  if (resources) (p.spec.containers[0] as Record<string, unknown>).resources = resources;
  (p.spec.containers[0] as Record<string, unknown>).name = "nginx";
  return p;
};
const used = async (ns: string, name: string) => (await get(`/api/v1/namespaces/${ns}/resourcequotas/${name}`)).body.status?.used;

describe("object count quotas", () => {
  it("refuse the create past the limit with upstream's 403 and message", async () => {
    const ns = await newNs("quota");
    expect((await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("object-counts", { services: "2", pods: "1" }))).status).toBe(201);
    for (const n of ["a", "b"]) expect((await post(`/api/v1/namespaces/${ns}/services`, svc(n))).status).toBe(201);
    const r = await post(`/api/v1/namespaces/${ns}/services`, svc("c"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      code: 403,
      message: 'services "c" is forbidden: exceeded quota: object-counts, requested: services=1, used: services=2, limited: services=2',
      details: { name: "c", kind: "services" },
    });
    expect(await used(ns, "object-counts")).toEqual({ pods: "0", services: "2" });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod("p1"))).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod("p2"))).body.message).toBe(
      'pods "p2" is forbidden: exceeded quota: object-counts, requested: pods=1, used: pods=1, limited: pods=1',
    );
  });

  it("count/<resource>.<group> limits any kind; a dry run checks without charging", async () => {
    const ns = await newNs("quota");
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("apps", { "count/deployments.apps": "1" }));
    const deploy = (name: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    });
    expect((await post(`/apis/apps/v1/namespaces/${ns}/deployments?dryRun=All`, deploy("dry"))).status).toBe(201);
    expect((await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deploy("one"))).status).toBe(201);
    const r = await post(`/apis/apps/v1/namespaces/${ns}/deployments?dryRun=All`, deploy("two"));
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      'deployments.apps "two" is forbidden: exceeded quota: apps, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
  });

  it("creates fired at once never exceed a count quota", async () => {
    const ns = await newNs("quota");
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("five", { pods: "5" }));
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => post(`/api/v1/namespaces/${ns}/pods`, pod(`p${i}`))));
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(5);
    expect(codes.filter((c) => c === 403)).toHaveLength(19);
    expect((await get(`/api/v1/namespaces/${ns}/pods`)).body.items).toHaveLength(5);
    expect(await used(ns, "five")).toEqual({ pods: "5" });
  });
});

describe("compute quotas", () => {
  it("require requests and limits when a compute quota exists", async () => {
    const ns = await newNs("quota");
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("compute-resources", { "limits.cpu": "2", "requests.cpu": "1" }));
    const r = await post(`/api/v1/namespaces/${ns}/pods`, podWith("x"));
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('pods "x" is forbidden: failed quota: compute-resources: must specify limits.cpu for: nginx; requests.cpu for: nginx');
  });

  it("sum quantities exactly and refuse what exceeds, naming only the exceeded resource", async () => {
    const ns = await newNs("quota");
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("compute-resources", { "limits.cpu": "2", "requests.cpu": "2", "limits.memory": "1Gi" }));
    const a = await post(`/api/v1/namespaces/${ns}/pods`, podWith("a", { requests: { cpu: "500m" }, limits: { cpu: "1", memory: "512Mi" } }));
    expect(a.status).toBe(201);
    expect(await used(ns, "compute-resources")).toEqual({ "limits.cpu": "1", "limits.memory": "512Mi", "requests.cpu": "500m" });
    const r = await post(`/api/v1/namespaces/${ns}/pods`, podWith("x", { requests: { cpu: "500m" }, limits: { cpu: "2", memory: "128Mi" } }));
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('pods "x" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2, used: limits.cpu=1, limited: limits.cpu=2');
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("b", { requests: { cpu: "0.5" }, limits: { cpu: "1", memory: "0.5Gi" } }))).status).toBe(201);
    expect(await used(ns, "compute-resources")).toEqual({ "limits.cpu": "2", "limits.memory": "1Gi", "requests.cpu": "1" });
  });
});

describe("status.used", () => {
  it("counts what existed before the quota, and goes down when objects are deleted", async () => {
    const ns = await newNs("quota");
    for (const n of ["a", "b", "c"]) await post(`/api/v1/namespaces/${ns}/services`, svc(n, n === "c" ? "NodePort" : "ClusterIP"));
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("svc", { services: "10", "services.nodeports": "5" }));
    await eventually(ns, async () => ((await used(ns, "svc"))?.services === "3" ? true : undefined));
    expect((await get(`/api/v1/namespaces/${ns}/resourcequotas/svc`)).body.status).toEqual({ hard: { services: "10", "services.nodeports": "5" }, used: { services: "3", "services.nodeports": "1" } });
    expect((await del(`/api/v1/namespaces/${ns}/services/a`)).status).toBe(200);
    expect((await del(`/api/v1/namespaces/${ns}/services/c`)).status).toBe(200);
    const after = await eventually(ns, async () => {
      const u = await used(ns, "svc");
      return u?.services === "1" ? u : undefined;
    });
    expect(after).toEqual({ services: "1", "services.nodeports": "0" });
  });

  it("releases the compute of pods that finished, and follows spec changes", async () => {
    const ns = await newNs("quota");
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("cpu", { "requests.cpu": "1" }));
    await post(`/api/v1/namespaces/${ns}/pods`, podWith("job", { requests: { cpu: "1" } }));
    expect(await used(ns, "cpu")).toEqual({ "requests.cpu": "1" });
    const current = (await get(`/api/v1/namespaces/${ns}/pods/job`)).body;
    expect((await put(`/api/v1/namespaces/${ns}/pods/job/status`, { ...current, status: { ...current.status, phase: "Succeeded" } })).status).toBe(200);
    await eventually(ns, async () => ((await used(ns, "cpu"))?.["requests.cpu"] === "0" ? true : undefined));
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("next", { requests: { cpu: "1" } }))).status).toBe(201);

    const q = (await get(`/api/v1/namespaces/${ns}/resourcequotas/cpu`)).body;
    await put(`/api/v1/namespaces/${ns}/resourcequotas/cpu`, { ...q, spec: { hard: { "requests.cpu": "2", pods: "5" } } });
    const status = await eventually(ns, async () => {
      const s = (await get(`/api/v1/namespaces/${ns}/resourcequotas/cpu`)).body.status;
      return s?.hard?.pods ? s : undefined;
    });
    expect(status).toEqual({ hard: { pods: "5", "requests.cpu": "2" }, used: { pods: "1", "requests.cpu": "1" } });
  });
});

describe("the ResourceQuota kind", () => {
  it("is validated as upstream and stores quantities in canonical form", async () => {
    const ns = await newNs("quota");
    const bad = await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("bad", { pods: "1.5", widgets: "1", "requests.cpu": "-1" }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'ResourceQuota "bad" is invalid: [spec.hard[pods]: Invalid value: "1500m": must be an integer, spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota, spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0]',
    );
    const ok = await post(`/api/v1/namespaces/${ns}/resourcequotas`, quota("ok", { "requests.memory": "1.5Gi", "limits.cpu": "0.5" }));
    expect(ok.body.spec.hard).toEqual({ "requests.memory": "1536Mi", "limits.cpu": "500m" });
    expect(ok.body.status).toBeUndefined();
  });
});
