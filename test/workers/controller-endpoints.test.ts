// The Endpoints, EndpointSlice and EndpointSlice mirroring controllers running inside the
// namespace store: Services and pods written through the API, the stores' alarms reconciling,
// and the result read back through the API.
import { describe, expect, it } from "vitest";
import { del, eventually, get, newNs, nsStub, post, put, settle } from "./helpers.js";

const DISCOVERY = "/apis/discovery.k8s.io/v1";
const MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const q = encodeURIComponent;

interface PodOptions {
  ip?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  ports?: Array<{ name: string; containerPort: number }>;
  hostname?: string;
  subdomain?: string;
}

/** A pod bound to n1 with the status a kubelet would report. */
async function runPod(ns: string, name: string, o: PodOptions = {}): Promise<any> {
  const spec = { nodeName: "n1", hostname: o.hostname, subdomain: o.subdomain, containers: [{ name: "c", image: "nginx:1.27", ports: o.ports }] };
  const created = await post(`/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name, labels: o.labels ?? { app: "web" } }, spec });
  if (created.status !== 201) throw new Error(`pod create: ${created.status} ${created.text}`);
  if (!o.ip) return created.body;
  return setStatus(ns, name, o.ip, o.ready ?? true);
}

async function setStatus(ns: string, name: string, ip: string, ready: boolean): Promise<any> {
  const p = (await get(`/api/v1/namespaces/${ns}/pods/${name}`)).body;
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const status = { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now }] };
  const r = await put(`/api/v1/namespaces/${ns}/pods/${name}/status`, { ...p, status });
  if (r.status !== 200) throw new Error(`pod status: ${r.status} ${r.text}`);
  return r.body;
}

const service = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) => ({ apiVersion: "v1", kind: "Service", metadata: { name, ...(labels ? { labels } : {}) }, spec });
const endpointsOf = async (ns: string, name: string) => (await get(`/api/v1/namespaces/${ns}/endpoints/${name}`)).body;
const slicesOf = async (ns: string, svc: string): Promise<any[]> => (await get(`${DISCOVERY}/namespaces/${ns}/endpointslices?labelSelector=${q(`kubernetes.io/service-name=${svc}`)}`)).body.items;
const ips = (list: any[] | undefined) => (list ?? []).map((a) => a.ip);
const sliceIPs = (slices: any[], cond: (e: any) => boolean = () => true) => slices.flatMap((s) => s.endpoints.filter(cond).map((e: any) => e.addresses[0])).sort();
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Polls `check` for at most `ms` without firing any alarm by hand: the store's own alarm must do it. */
async function within<T>(ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Endpoints and EndpointSlice controllers", () => {
  it("publish a Service's pods, follow readiness within a second, keep terminating pods in slices only, and clean up", async () => {
    const ns = await newNs("eps");
    const ports = [{ name: "web", containerPort: 8080 }];
    await runPod(ns, "a", { ip: "10.244.0.5", ports });
    await runPod(ns, "b", { ip: "10.244.0.6", ready: false, ports });
    await runPod(ns, "c", { ports }); // no IP yet
    await runPod(ns, "other", { ip: "10.244.0.9", labels: { app: "other" }, ports });
    const created = await post(`/api/v1/namespaces/${ns}/services`, service("web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "web" }] }, { team: "a" }));
    expect(created.status).toBe(201);

    const ep = await eventually(ns, async () => {
      const e = await endpointsOf(ns, "web");
      return e.subsets?.length ? e : undefined;
    });
    expect(ep.metadata.labels).toEqual({ team: "a" });
    expect(ep.metadata.annotations["endpoints.kubernetes.io/last-change-trigger-time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ep.subsets).toEqual([
      {
        addresses: [{ ip: "10.244.0.5", nodeName: "n1", targetRef: { kind: "Pod", namespace: ns, name: "a", uid: expect.any(String) } }],
        notReadyAddresses: [{ ip: "10.244.0.6", nodeName: "n1", targetRef: { kind: "Pod", namespace: ns, name: "b", uid: expect.any(String) } }],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    ]);

    const [slice] = await eventually(ns, async () => {
      const s = await slicesOf(ns, "web");
      return s.length === 1 && s[0].endpoints.length === 2 ? s : undefined;
    });
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({ team: "a", "kubernetes.io/service-name": "web", [MANAGED_BY]: "endpointslice-controller.k8s.io" });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: created.body.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe("IPv4");
    expect(slice.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(slice.endpoints.map((e: any) => [e.addresses, e.conditions, e.nodeName, e.targetRef.name])).toEqual([
      [["10.244.0.5"], { ready: true, serving: true, terminating: false }, "n1", "a"],
      [["10.244.0.6"], { ready: false, serving: false, terminating: false }, "n1", "b"],
    ]);
    await settle(ns);

    // b turns ready; c gets its IP: both show within a second, by the store's own alarm.
    await setStatus(ns, "b", "10.244.0.6", true);
    await setStatus(ns, "c", "10.244.0.7", true);
    await within(1000, async () => {
      const e = await endpointsOf(ns, "web");
      const s = await slicesOf(ns, "web");
      const want = ["10.244.0.5", "10.244.0.6", "10.244.0.7"];
      return same(ips(e.subsets?.[0]?.addresses), want) && same(sliceIPs(s, (x) => x.conditions.ready), want) ? true : undefined;
    });
    const sliceName = (await slicesOf(ns, "web"))[0].metadata.name;

    // A terminating pod leaves the Endpoints but stays in the slice, terminating and not ready.
    expect((await del(`/api/v1/namespaces/${ns}/pods/a`)).status).toBe(200);
    const terminating = await eventually(ns, async () => {
      const e = await endpointsOf(ns, "web");
      const s = await slicesOf(ns, "web");
      const ep = s[0]?.endpoints.find((x: any) => x.targetRef.name === "a");
      return same(ips(e.subsets?.[0]?.addresses), ["10.244.0.6", "10.244.0.7"]) && ep?.conditions.terminating ? s : undefined;
    });
    expect(terminating.find((s: any) => s.endpoints.some((x: any) => x.targetRef.name === "a")).endpoints.find((x: any) => x.targetRef.name === "a").conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    // Gone for good: out of the slice too, which is updated in place.
    expect((await del(`/api/v1/namespaces/${ns}/pods/a`, { gracePeriodSeconds: 0 })).status).toBe(200);
    const after = await eventually(ns, async () => {
      const s = await slicesOf(ns, "web");
      return same(sliceIPs(s), ["10.244.0.6", "10.244.0.7"]) ? s : undefined;
    });
    expect(after.map((s) => s.metadata.name)).toEqual([sliceName]);

    // The Service goes: its Endpoints are deleted, its slices collected with it.
    expect((await del(`/api/v1/namespaces/${ns}/services/web`)).status).toBe(200);
    await eventually(ns, async () => ((await get(`/api/v1/namespaces/${ns}/endpoints/web`)).status === 404 && (await slicesOf(ns, "web")).length === 0 ? true : undefined));
  });

  it("write nothing when nothing changed, and put back Endpoints and slices someone else changed", async () => {
    const ns = await newNs("epsnoop");
    await runPod(ns, "a", { ip: "10.244.1.5" });
    await post(`/api/v1/namespaces/${ns}/services`, service("web", { selector: { app: "web" }, ports: [{ port: 80 }] }));
    await eventually(ns, async () => ((await slicesOf(ns, "web"))[0]?.endpoints.length === 1 ? true : undefined));
    await settle(ns);
    const stub = nsStub(ns) as any;
    const revision = await stub.revision();
    // A resync, and a pod write that changes no endpoint, write nothing.
    await stub.resync(ns);
    const p = (await get(`/api/v1/namespaces/${ns}/pods/a`)).body;
    expect((await put(`/api/v1/namespaces/${ns}/pods/a`, { ...p, metadata: { ...p.metadata, annotations: { note: "x" } } })).status).toBe(200);
    await settle(ns);
    expect(await stub.revision()).toBe(revision + 1);

    // Deleted Endpoints come back; a slice emptied by hand is refilled, under the same name.
    expect((await del(`/api/v1/namespaces/${ns}/endpoints/web`)).status).toBe(200);
    await eventually(ns, async () => (ips((await endpointsOf(ns, "web")).subsets?.[0]?.addresses)[0] === "10.244.1.5" ? true : undefined));
    const [slice] = await slicesOf(ns, "web");
    expect((await put(`${DISCOVERY}/namespaces/${ns}/endpointslices/${slice.metadata.name}`, { ...slice, endpoints: [] })).status).toBe(200);
    await eventually(ns, async () => {
      const s = await slicesOf(ns, "web");
      return s.length === 1 && s[0].metadata.name === slice.metadata.name && s[0].endpoints.length === 1 ? true : undefined;
    });
  });

  it("headless Services: the headless label, hostnames for the subdomain, and an empty placeholder slice before any pod", async () => {
    const ns = await newNs("epshl");
    await post(`/api/v1/namespaces/${ns}/services`, service("db", { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] }));
    const [placeholder] = await eventually(ns, async () => {
      const s = await slicesOf(ns, "db");
      return s.length === 1 ? s : undefined;
    });
    expect(placeholder.endpoints).toEqual([]);
    expect(placeholder.metadata.labels["service.kubernetes.io/headless"]).toBe("");
    await runPod(ns, "db-0", { ip: "10.244.2.5", labels: { app: "db" }, hostname: "db-0", subdomain: "db" });
    const ep = await eventually(ns, async () => {
      const e = await endpointsOf(ns, "db");
      return e.subsets?.length ? e : undefined;
    });
    expect(ep.metadata.labels).toEqual({ "service.kubernetes.io/headless": "" });
    expect(ep.subsets[0].addresses[0]).toMatchObject({ ip: "10.244.2.5", hostname: "db-0" });
    const slices = await eventually(ns, async () => {
      const s = await slicesOf(ns, "db");
      return s.length === 1 && s[0].endpoints.length === 1 ? s : undefined;
    });
    expect(slices[0].metadata.name).toBe(placeholder.metadata.name);
    expect(slices[0].endpoints[0].hostname).toBe("db-0");
  });

  it("mirror a selectorless Service's Endpoints into slices, leave the Endpoints and hand-made slices alone", async () => {
    const ns = await newNs("epsmir");
    await post(`/api/v1/namespaces/${ns}/services`, service("ext", { ports: [{ name: "https", port: 443 }] }));
    const written = await post(`/api/v1/namespaces/${ns}/endpoints`, {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "ext", labels: { source: "manual" } },
      subsets: [{ addresses: [{ ip: "192.0.2.10" }], notReadyAddresses: [{ ip: "192.0.2.11" }], ports: [{ name: "https", port: 443 }] }],
    });
    expect(written.status).toBe(201);
    const handMade = await post(`${DISCOVERY}/namespaces/${ns}/endpointslices`, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "ext-manual", labels: { "kubernetes.io/service-name": "ext" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.0.2.99"] }],
      ports: [{ name: "https", port: 443 }],
    });
    expect(handMade.status).toBe(201);

    const mirrored = await eventually(ns, async () => {
      const s = (await slicesOf(ns, "ext")).filter((x) => x.metadata.labels[MANAGED_BY] === "endpointslicemirroring-controller.k8s.io");
      return s.length === 1 ? s[0] : undefined;
    });
    expect(mirrored.metadata.labels).toEqual({ source: "manual", "kubernetes.io/service-name": "ext", [MANAGED_BY]: "endpointslicemirroring-controller.k8s.io" });
    expect(mirrored.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Endpoints", name: "ext", uid: written.body.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(mirrored.endpoints).toEqual([
      { addresses: ["192.0.2.10"], conditions: { ready: true } },
      { addresses: ["192.0.2.11"], conditions: { ready: false } },
    ]);
    await settle(ns);
    const ep = await endpointsOf(ns, "ext");
    expect(ep.metadata.resourceVersion).toBe(written.body.metadata.resourceVersion);

    // Removing the Endpoints removes the mirrored slices; the hand-made one stays.
    expect((await del(`/api/v1/namespaces/${ns}/endpoints/ext`)).status).toBe(200);
    await eventually(ns, async () => {
      const s = await slicesOf(ns, "ext");
      return s.length === 1 && s[0].metadata.name === "ext-manual" ? true : undefined;
    });
    await settle(ns);
    expect((await get(`${DISCOVERY}/namespaces/${ns}/endpointslices/ext-manual`)).body.metadata.resourceVersion).toBe(handMade.body.metadata.resourceVersion);
  });

  it("ExternalName Services get neither Endpoints nor slices", async () => {
    const ns = await newNs("epsext");
    await runPod(ns, "a", { ip: "10.244.3.5" });
    await post(`/api/v1/namespaces/${ns}/services`, service("named", { type: "ExternalName", externalName: "db.example.com", selector: { app: "web" } }));
    await settle(ns);
    expect((await get(`/api/v1/namespaces/${ns}/endpoints/named`)).status).toBe(404);
    expect(await slicesOf(ns, "named")).toEqual([]);
  });

  it("validate EndpointSlices as upstream", async () => {
    const ns = await newNs("epsval");
    const r = await post(`${DISCOVERY}/namespaces/${ns}/endpointslices`, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "bad" },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.0.0.300"] }, { addresses: [] }],
      ports: [{ name: "http", protocol: "HTTP" }],
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'EndpointSlice.discovery.k8s.io "bad" is invalid: [endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address, endpoints[1].addresses: Required value: must contain at least 1 address, ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"]',
    );
    const ok = await post(`${DISCOVERY}/namespaces/${ns}/endpointslices`, { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "ok" }, addressType: "IPv4", endpoints: [] });
    expect(ok.status).toBe(201);
    const changed = await put(`${DISCOVERY}/namespaces/${ns}/endpointslices/ok`, { ...ok.body, addressType: "IPv6" });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('addressType: Invalid value: "IPv6": field is immutable');
  });
});
