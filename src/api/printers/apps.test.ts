import { describe, expect, it } from "vitest";
import { D, H, M, ago, cell, kubectlHeaders, one, rowByHeader } from "./test-helpers.js";

type Obj = Record<string, unknown>;

const template = (containers: Array<[string, string]>, nodeSelector?: Obj) => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: containers.map(([name, image]) => ({ name, image })), ...(nodeSelector ? { nodeSelector } : {}) },
});

const workload = (kind: string, spec: Obj, status: Obj, age = 5 * M): Obj => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name: "web", namespace: "default", creationTimestamp: ago(age) },
  spec,
  status,
});

describe("deployments", () => {
  const d = workload(
    "Deployment",
    { replicas: 3, selector: { matchLabels: { app: "web", tier: "fe" } }, template: template([["nginx", "nginx:1.27"], ["log", "busybox"]]) },
    { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  );
  it("have kubectl's headers", () => {
    const t = one("apps", "Deployment", d);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    expect(t.columnDefinitions.map((c) => c.type)).toEqual(["string", "string", "string", "string", "string", "string", "string", "string"]);
  });
  it("print ready/desired, integer counts, containers, images and the selector", () => {
    expect(one("apps", "Deployment", d).rows[0].cells).toEqual(["web", "2/3", 3, 2, "5m", "nginx,log", "nginx:1.27,busybox", "app=web,tier=fe"]);
  });
  it("print a fresh deployment with an empty status", () => {
    const fresh = workload("Deployment", { replicas: 2, selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, template: template([["a", "a"]]) }, {}, 10 * M);
    expect(rowByHeader(one("apps", "Deployment", fresh))).toMatchObject({ READY: "0/2", "UP-TO-DATE": 0, AVAILABLE: 0, AGE: "10m", SELECTOR: "app in (api,web)" });
  });
});

describe("replicasets", () => {
  const rs = workload(
    "ReplicaSet",
    { replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } }, template: template([["nginx", "nginx:1.27"]]) },
    { replicas: 3, readyReplicas: 1 },
    2 * D + 3 * H,
  );
  it("have kubectl's headers", () => {
    const t = one("apps", "ReplicaSet", rs);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    expect(t.columnDefinitions.slice(1, 4).map((c) => c.type)).toEqual(["integer", "integer", "integer"]);
  });
  it("print integer counts", () => {
    expect(one("apps", "ReplicaSet", rs).rows[0].cells).toEqual(["web", 3, 3, 1, "2d3h", "nginx", "nginx:1.27", "app=web,pod-template-hash=5d4f"]);
  });
  it("print a scaled-down replicaset and <none> for an empty selector", () => {
    const zero = workload("ReplicaSet", { replicas: 0, selector: {}, template: template([["a", "a"]]) }, { replicas: 0 });
    expect(rowByHeader(one("apps", "ReplicaSet", zero))).toMatchObject({ DESIRED: 0, CURRENT: 0, READY: 0, SELECTOR: "<none>" });
  });
});

describe("statefulsets", () => {
  const sts = workload("StatefulSet", { replicas: 3, serviceName: "db", selector: { matchLabels: { app: "db" } }, template: template([["pg", "postgres:16"]]) }, { replicas: 3, readyReplicas: 3 }, 47 * H);
  it("have kubectl's headers", () => {
    const t = one("apps", "StatefulSet", sts);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "READY", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]);
  });
  it("print ready/desired", () => {
    expect(one("apps", "StatefulSet", sts).rows[0].cells).toEqual(["web", "3/3", "47h", "pg", "postgres:16"]);
  });
});

describe("daemonsets", () => {
  const ds = workload(
    "DaemonSet",
    { selector: { matchLabels: { app: "agent" } }, template: template([["agent", "agent:2"]], { "kubernetes.io/os": "linux", disk: "ssd" }) },
    { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    8 * D,
  );
  it("have kubectl's headers", () => {
    const t = one("apps", "DaemonSet", ds);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual([
      "NAME",
      "DESIRED",
      "CURRENT",
      "READY",
      "UP-TO-DATE",
      "AVAILABLE",
      "NODE SELECTOR",
      "AGE",
      "CONTAINERS",
      "IMAGES",
      "SELECTOR",
    ]);
  });
  it("print counts and the sorted node selector", () => {
    expect(one("apps", "DaemonSet", ds).rows[0].cells).toEqual(["web", 3, 3, 2, 3, 2, "disk=ssd,kubernetes.io/os=linux", "8d", "agent", "agent:2", "app=agent"]);
  });
  it("print <none> without a node selector", () => {
    const plain = workload("DaemonSet", { selector: { matchLabels: { app: "a" } }, template: template([["a", "a"]]) }, {});
    expect(cell("apps", "DaemonSet", plain, "NODE SELECTOR")).toBe("<none>");
  });
});
