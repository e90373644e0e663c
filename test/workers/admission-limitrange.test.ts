// LimitRange admission on pod create: defaults filled in (and recorded in the annotation),
// min/max/ratio refusals with upstream's messages, and the classic pairing with a compute quota.
import { describe, expect, it } from "vitest";
import { get, newNs, pod, post } from "./helpers.js";

const limitRange = (limits: unknown[]) => ({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "limits" }, spec: { limits } });
const podWith = (name: string, resources?: Record<string, Record<string, string>>) => {
  const p = pod(name);
  if (resources) (p.spec.containers[0] as Record<string, unknown>).resources = resources;
  return p;
};

describe("LimitRange", () => {
  it("is stored with upstream's defaults and validated", async () => {
    const ns = await newNs("lr");
    const r = await post(`/api/v1/namespaces/${ns}/limitranges`, limitRange([{ type: "Container", max: { cpu: "1" }, min: { memory: "64Mi" } }]));
    expect(r.status).toBe(201);
    expect(r.body.spec.limits[0]).toEqual({ type: "Container", max: { cpu: "1" }, min: { memory: "64Mi" }, default: { cpu: "1" }, defaultRequest: { cpu: "1", memory: "64Mi" } });
    const bad = await post(`/api/v1/namespaces/${ns}/limitranges`, { ...limitRange([{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }]), metadata: { name: "bad" } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain("spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1");
  });

  it("fills in a container's missing requests and limits", async () => {
    const ns = await newNs("lr");
    await post(`/api/v1/namespaces/${ns}/limitranges`, limitRange([{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }]));
    const r = await post(`/api/v1/namespaces/${ns}/pods`, podWith("p", { limits: { memory: "512Mi" } }));
    expect(r.status).toBe(201);
    expect(r.body.spec.containers[0].resources).toEqual({ limits: { memory: "512Mi", cpu: "500m" }, requests: { memory: "512Mi", cpu: "100m" } });
    expect(r.body.metadata.annotations["kubernetes.io/limit-ranger"]).toBe("LimitRanger plugin set: cpu request for container c; cpu limit for container c");
    expect(r.body.status.qosClass).toBe("Burstable");
    const stored = (await get(`/api/v1/namespaces/${ns}/pods/p`)).body;
    expect(stored.spec.containers[0].resources.limits.cpu).toBe("500m");
  });

  it("refuses pods outside min, max and ratio with upstream's messages", async () => {
    const ns = await newNs("lr");
    await post(
      `/api/v1/namespaces/${ns}/limitranges`,
      limitRange([{ type: "Container", max: { cpu: "500m" }, min: { cpu: "50m" }, maxLimitRequestRatio: { cpu: "4" } }, { type: "Pod", max: { memory: "1Gi" } }]),
    );
    const big = await post(`/api/v1/namespaces/${ns}/pods`, podWith("big", { limits: { cpu: "1", memory: "128Mi" } }));
    expect(big.status).toBe(403);
    expect(big.body).toMatchObject({ reason: "Forbidden", message: 'pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1' });
    const ratio = await post(`/api/v1/namespaces/${ns}/pods`, podWith("ratio", { requests: { cpu: "50m" }, limits: { cpu: "500m", memory: "128Mi" } }));
    expect(ratio.body.message).toBe('pods "ratio" is forbidden: cpu max limit to request ratio per Container is 4, but provided ratio is 10.000000');
    const mem = await post(`/api/v1/namespaces/${ns}/pods`, podWith("mem", { requests: { cpu: "200m" }, limits: { cpu: "200m" } }));
    expect(mem.body.message).toBe('pods "mem" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified');
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("fits", { requests: { cpu: "200m" }, limits: { cpu: "400m", memory: "1Gi" } }))).status).toBe(201);
  });

  it("lets pods without resources pass a compute quota through its defaults", async () => {
    const ns = await newNs("lr");
    await post(`/api/v1/namespaces/${ns}/limitranges`, limitRange([{ type: "Container", default: { cpu: "200m" }, defaultRequest: { cpu: "100m" } }]));
    await post(`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "cpu" }, spec: { hard: { "requests.cpu": "250m", "limits.cpu": "1" } } });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("a"))).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/pods`, podWith("b"))).status).toBe(201);
    const c = await post(`/api/v1/namespaces/${ns}/pods`, podWith("c"));
    expect(c.body.message).toBe('pods "c" is forbidden: exceeded quota: cpu, requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m');
  });
});
