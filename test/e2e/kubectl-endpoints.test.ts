// Real kubectl against `edgeplane up`: the Endpoints and EndpointSlices the controllers publish for
// a Service's pods, as `kubectl get endpoints` and `kubectl get endpointslices` print them, the
// discovery.k8s.io group in `api-resources`, EndpointSlices written with kubectl, and what a node
// (the agent, which is also its kube-proxy) may read. Pod status is set with
// `kubectl patch --subresource=status`, as a kubelet would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually } from "./helpers.js";
import { AGE, hasKubectl, kubectlFor, manifestDir, rowOf, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-endpoints");

let h: Edgeplane;
let k: Kubectl;
let files: ReturnType<typeof manifestDir>;

const NS = "net";
const json = (o: unknown) => JSON.stringify(o);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const createJson = (name: string, items: unknown[]) => k.ok(["create", "-f", files.write(name, json({ apiVersion: "v1", kind: "List", items }))]);
const pod = (name: string, app: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: NS, labels: { app } },
  spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx:1.27", ports: [{ name: "http", containerPort: 8080 }] }] },
});
const running = (name: string, ip: string, ready = true) =>
  k.ok(["patch", "pod", name, "-n", NS, "--subresource=status", "--type=merge", "-p", json({ status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now() }] } })]);
/** The rows of `kubectl get endpointslices` for one Service. */
const slicesOf = async (svc: string) => {
  const t = table(await k.ok(["get", "endpointslices", "-n", NS, "-l", `kubernetes.io/service-name=${svc}`]));
  return t;
};

describe.skipIf(!hasKubectl)("kubectl: Endpoints and EndpointSlices", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir();
    await k.ok(["create", "namespace", NS]);
    await createJson("web.json", [
      pod("web-1", "web"),
      pod("web-2", "web"),
      pod("web-3", "web"),
      pod("web-4", "web"),
      { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "empty", namespace: NS }, spec: { selector: { app: "nothing" }, ports: [{ port: 80 }] } },
    ]);
    for (const [i, name] of ["web-1", "web-2", "web-3", "web-4"].entries()) await running(name, `10.244.0.${5 + i}`);
  });
  afterAll(async () => {
    files?.remove();
    await h?.stop();
  });

  it("get endpoints: NAME ENDPOINTS AGE, three addresses then + N more..., <none> for a Service without pods", async () => {
    const t = await eventually(async () => {
      const t = table(await k.ok(["get", "endpoints", "-n", NS]));
      expect(rowOf(t, "web").ENDPOINTS).toBe("10.244.0.5:8080,10.244.0.6:8080,10.244.0.7:8080 + 1 more...");
      return t;
    }, 15_000);
    expect(t.headers).toEqual(["NAME", "ENDPOINTS", "AGE"]);
    expect(rowOf(t, "empty").ENDPOINTS).toBe("<none>");
    expect(rowOf(t, "web").AGE).toMatch(AGE);
  });

  it("get endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE, the same with -o wide; <unset> for an empty slice", async () => {
    const t = await eventually(async () => {
      const t = await slicesOf("web");
      expect(t.rows).toHaveLength(1);
      expect(t.rows[0]).toMatchObject({ ADDRESSTYPE: "IPv4", PORTS: "8080", ENDPOINTS: "10.244.0.5,10.244.0.6,10.244.0.7 + 1 more..." });
      return t;
    }, 15_000);
    expect(t.headers).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    expect(t.rows[0].NAME).toMatch(/^web-[a-z0-9]{5}$/);
    expect(t.rows[0].AGE).toMatch(AGE);
    const empty = await eventually(async () => {
      const e = await slicesOf("empty");
      expect(e.rows).toHaveLength(1);
      return e;
    }, 15_000);
    expect(empty.rows[0]).toMatchObject({ ADDRESSTYPE: "IPv4", PORTS: "<unset>", ENDPOINTS: "<unset>" });
    const wide = table(await k.ok(["get", "endpointslices", "-n", NS, "-o", "wide"]));
    expect(wide.headers).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
  });

  it("a pod that stops being ready leaves the Endpoints' addresses and turns not ready in its slice", async () => {
    await running("web-4", "10.244.0.8", false);
    await eventually(async () => {
      expect(rowOf(table(await k.ok(["get", "endpoints", "web", "-n", NS])), "web").ENDPOINTS).toBe("10.244.0.5:8080,10.244.0.6:8080,10.244.0.7:8080");
      const slice = JSON.parse(await k.ok(["get", "endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=web", "-o", "json"])).items[0];
      expect(slice.endpoints.find((e: any) => e.targetRef.name === "web-4").conditions).toEqual({ ready: false, serving: false, terminating: false });
    }, 15_000);
  });

  it("api-resources, api-versions and explain know discovery.k8s.io/v1 EndpointSlices", async () => {
    const t = table(await k.ok(["api-resources", "--api-group=discovery.k8s.io"]));
    expect(t.rows).toEqual([{ NAME: "endpointslices", SHORTNAMES: "", APIVERSION: "discovery.k8s.io/v1", NAMESPACED: "true", KIND: "EndpointSlice" }]);
    expect((await k.ok(["api-versions"])).split("\n")).toContain("discovery.k8s.io/v1");
    const explain = await k.ok(["explain", "endpointslices.addressType"]);
    expect(explain).toContain("KIND:       EndpointSlice");
    expect(explain).toContain("GROUP:      discovery.k8s.io");
  });

  it("EndpointSlices written with kubectl: apply twice, label, validation errors", async () => {
    const slice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "manual-1", namespace: NS, labels: { "kubernetes.io/service-name": "manual" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.0.2.10"] }],
      ports: [{ name: "https", port: 443 }],
    };
    await k.ok(["apply", "-f", files.write("slice.json", json(slice))]);
    await k.ok(["apply", "-f", files.write("slice.json", json({ ...slice, endpoints: [{ addresses: ["192.0.2.10"] }, { addresses: ["192.0.2.11"] }] }))]);
    await k.ok(["label", "endpointslice", "manual-1", "-n", NS, "team=a"]);
    expect(rowOf(table(await k.ok(["get", "endpointslice", "manual-1", "-n", NS])), "manual-1")).toMatchObject({ ADDRESSTYPE: "IPv4", PORTS: "443", ENDPOINTS: "192.0.2.10,192.0.2.11" });
    const bad = await k(["apply", "-f", files.write("bad.json", json({ ...slice, metadata: { name: "bad", namespace: NS }, addressType: "IP" }))]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"');
  });

  it("a node may list and watch Services, Endpoints and EndpointSlices in every namespace (system:node-proxier), not write them", async () => {
    const as = ["--as=system:node:node-1", "--as-group=system:nodes"];
    for (const resource of ["endpointslices.discovery.k8s.io", "services", "endpoints"]) {
      for (const verb of ["list", "watch"]) expect(await k.ok(["auth", "can-i", verb, resource, "--all-namespaces", ...as]), `${verb} ${resource}`).toBe("yes\n");
    }
    expect((await k(["auth", "can-i", "create", "endpointslices.discovery.k8s.io", "-n", NS, ...as])).stdout).toMatch(/^no\b/);
    const t = table(await k.ok(["get", "endpointslices", "-A", ...as]));
    expect(t.rows.map((r) => r.NAMESPACE)).toContain(NS);
  });
});
