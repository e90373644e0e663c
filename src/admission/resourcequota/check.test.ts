import { describe, expect, it } from "vitest";
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { format } from "../quantity.js";
import { fromWire, prettyPrint } from "../resource-list.js";
import { type QuotaState, checkRequest } from "./check.js";
import { evaluatorFor, objectCountName, podMatchesScope } from "./evaluators.js";
import { calculateUsage } from "./usage.js";

const def = (plural: string, group = "") => findKind(group, group ? `v1` : "v1", plural)!;
const pods = evaluatorFor(def("pods"))!;
const services = evaluatorFor(def("services"))!;
const configmaps = evaluatorFor(def("configmaps"))!;

const quota = (name: string, hard: Record<string, string>, used: Record<string, string>, scopes: string[] = []): QuotaState => ({
  name,
  hard: fromWire(hard),
  used: fromWire(used),
  scopes: scopes.map((s) => ({ scopeName: s, operator: "Exists" })),
});

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
const pod = (name: string, containers: Array<[string, Res]>, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: { containers: containers.map(([n, resources]) => ({ name: n, image: "nginx", resources })), ...extra },
  status: { phase: "Pending" },
});

const create = (object: KubeObject) => ({ operation: "CREATE" as const, object, now: 0 });

describe("object count quotas", () => {
  it("charges the object count and its alias, and refuses past the limit with upstream's message", () => {
    const q = quota("object-counts", { configmaps: "2", "count/configmaps": "5" }, { configmaps: "1", "count/configmaps": "1" });
    const ok = checkRequest(configmaps, [q], create({ metadata: { name: "a" } }));
    expect(ok.allowed).toBe(true);
    if (ok.allowed) expect(prettyPrint(ok.charges.get("object-counts")!)).toBe("configmaps=2,count/configmaps=2");
    const full = quota("object-counts", { configmaps: "2" }, { configmaps: "2" });
    expect(checkRequest(configmaps, [full], create({ metadata: { name: "b" } }))).toEqual({
      allowed: false,
      message: "exceeded quota: object-counts, requested: configmaps=1, used: configmaps=2, limited: configmaps=2",
    });
  });

  it("names count/<resource>.<group> for grouped kinds; a quota on other resources does not apply", () => {
    expect(objectCountName(def("deployments", "apps"))).toBe("count/deployments.apps");
    const deployments = evaluatorFor(def("deployments", "apps"))!;
    const q = quota("q", { "count/deployments.apps": "1" }, { "count/deployments.apps": "1" });
    expect(checkRequest(deployments, [q], create({ metadata: { name: "d" } }))).toMatchObject({ allowed: false, message: expect.stringContaining("count/deployments.apps=1") });
    expect(checkRequest(configmaps, [q], create({ metadata: { name: "c" } }))).toEqual({ allowed: true, charges: new Map() });
  });

  it("counts services, node ports and load balancers, and charges type changes on update", () => {
    const svc = (type: string) => ({ metadata: { name: "s", resourceVersion: "3" }, spec: { type, ports: [{ port: 80 }, { port: 443 }] } });
    const q = quota("svc", { services: "5", "services.nodeports": "2", "services.loadbalancers": "0" }, { services: "1", "services.nodeports": "0", "services.loadbalancers": "0" });
    const np = checkRequest(services, [q], create(svc("NodePort")));
    expect(np.allowed && prettyPrint(np.charges.get("svc")!)).toBe("services=2,services.loadbalancers=0,services.nodeports=2");
    const lb = checkRequest(services, [q], { operation: "UPDATE", object: svc("LoadBalancer"), old: svc("ClusterIP"), now: 0 });
    expect(lb).toEqual({ allowed: false, message: "exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0" });
  });
});

describe("compute quotas", () => {
  const compute = quota("compute-resources", { "limits.cpu": "2", "requests.cpu": "1", "limits.memory": "1Gi" }, { "limits.cpu": "1", "requests.cpu": "500m", "limits.memory": "512Mi" });

  it("refuses a pod that would exceed, naming only the exceeded resources", () => {
    const p = pod("x", [["nginx", { requests: { cpu: "200m" }, limits: { cpu: "2", memory: "256Mi" } }]]);
    expect(checkRequest(pods, [compute], create(p))).toEqual({
      allowed: false,
      message: "exceeded quota: compute-resources, requested: limits.cpu=2, used: limits.cpu=1, limited: limits.cpu=2",
    });
  });

  it("charges requests and limits with quantity arithmetic", () => {
    const p = pod("x", [
      ["a", { requests: { cpu: "250m" }, limits: { cpu: "500m", memory: "128Mi" } }],
      ["b", { requests: { cpu: "250m" }, limits: { cpu: "500m", memory: "128Mi" } }],
    ]);
    const r = checkRequest(pods, [compute], create(p));
    expect(r.allowed && prettyPrint(r.charges.get("compute-resources")!)).toBe("limits.cpu=2,limits.memory=768Mi,requests.cpu=1");
  });

  it("requires every container to set what the quota limits (upstream's must specify)", () => {
    const p = pod("x", [
      ["nginx", {}],
      ["sidecar", { requests: { cpu: "100m" }, limits: { cpu: "100m" } }],
    ]);
    expect(checkRequest(pods, [quota("compute-resources", { "limits.cpu": "2", "requests.cpu": "1" }, {})], create(p))).toEqual({
      allowed: false,
      message: "failed quota: compute-resources: must specify limits.cpu for: nginx; requests.cpu for: nginx",
    });
  });

  it("does not charge compute for terminal pods, but still counts them in count/pods", () => {
    const done = { ...pod("x", [["c", { requests: { cpu: "1" } }]]), status: { phase: "Succeeded" } };
    const usage = pods.usage(done, 0);
    expect(prettyPrint(usage)).toBe("count/pods=1");
  });

  it("counts init containers at their peak and sidecars in the sum", () => {
    const p = pod("x", [["app", { requests: { cpu: "100m" } }]], {
      initContainers: [
        { name: "init", image: "i", resources: { requests: { cpu: "1" } } },
        { name: "side", image: "s", restartPolicy: "Always", resources: { requests: { cpu: "200m" } } },
      ],
    });
    expect(format(pods.usage(p, 0)["requests.cpu"])).toBe("1");
    const p2 = pod("y", [["app", { requests: { cpu: "1" } }]], { initContainers: [{ name: "side", image: "s", restartPolicy: "Always", resources: { requests: { cpu: "200m" } } }] });
    expect(format(pods.usage(p2, 0)["requests.cpu"])).toBe("1200m");
  });

  it("refuses when the quota has no usage for a resource it limits yet", () => {
    const p = pod("x", [["c", {}]]);
    expect(checkRequest(pods, [quota("q", { pods: "1" }, {})], create(p))).toEqual({ allowed: false, message: "status unknown for quota: q, resources: pods" });
  });
});

describe("scopes", () => {
  const bestEffort = pod("be", [["c", {}]]);
  const burstable = pod("b", [["c", { requests: { cpu: "1" } }]]);
  const terminating = pod("t", [["c", {}]], { activeDeadlineSeconds: 30 });

  it("match pods as upstream's podMatchesScopeFunc", () => {
    const m = (scopeName: string, p: KubeObject, operator = "Exists", values?: string[]) => podMatchesScope({ scopeName, operator, values }, p as never);
    expect([m("BestEffort", bestEffort), m("BestEffort", burstable), m("NotBestEffort", burstable)]).toEqual([true, false, true]);
    expect([m("Terminating", terminating), m("NotTerminating", terminating), m("NotTerminating", bestEffort)]).toEqual([true, false, true]);
    const high = pod("h", [["c", {}]], { priorityClassName: "high" });
    expect([m("PriorityClass", high, "In", ["high"]), m("PriorityClass", high, "NotIn", ["high"]), m("PriorityClass", bestEffort, "DoesNotExist")]).toEqual([true, false, true]);
  });

  it("only charge the quotas whose scopes the pod is in", () => {
    const q = quota("best-effort", { pods: "1" }, { pods: "1" }, ["BestEffort"]);
    expect(checkRequest(pods, [q], create(burstable))).toEqual({ allowed: true, charges: new Map() });
    expect(checkRequest(pods, [q], create(bestEffort))).toMatchObject({ allowed: false });
  });
});

describe("calculateUsage", () => {
  const items: Record<string, KubeObject[]> = {
    pods: [pod("a", [["c", { requests: { cpu: "500m", memory: "1Gi" } }]]), { ...pod("b", [["c", { requests: { cpu: "1" } }]]), status: { phase: "Failed" } }],
    configmaps: [{ metadata: { name: "x" } }, { metadata: { name: "y" } }],
  };
  const source = { list: (d: { plural: string }) => items[d.plural] ?? [], count: (d: { plural: string }) => (items[d.plural] ?? []).length };

  it("sums the namespace's objects for the quota's hard resources only", () => {
    const used = calculateUsage({ hard: { pods: "10", "requests.cpu": "4", "count/pods": "10", configmaps: "3", "count/secrets": "1" } }, source, 0);
    expect(prettyPrint(used)).toBe("configmaps=2,count/pods=2,count/secrets=0,pods=1,requests.cpu=500m");
  });

  it("leaves objects out of a scoped quota that their kind cannot match", () => {
    const used = calculateUsage({ hard: { pods: "10", configmaps: "3" }, scopes: ["NotBestEffort"] }, source, 0);
    expect(prettyPrint(used)).toBe("configmaps=0,pods=1");
  });
});
