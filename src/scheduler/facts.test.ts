// podFacts / nodeFacts: requests as upstream computes them, affinity and spread extraction, readiness taints.
import { describe, expect, it } from "vitest";
import { nodeFacts, podFacts } from "./facts.js";
import { makeNode, makePod } from "./testing.js";

const Mi = 1024 * 1024;

describe("podFacts", () => {
  it("extracts identity, defaults and scheduling fields", () => {
    const f = podFacts(
      makePod("web-1", {
        namespace: "shop",
        cpu: "250m",
        memory: "64Mi",
        owner: "rs-1",
        priority: 7,
        created: "2024-05-01T10:00:00Z",
        nodeSelector: { disk: "ssd" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
        labels: { app: "web" },
      }),
    );
    expect(f).toMatchObject({
      key: "shop/web-1",
      namespace: "shop",
      name: "web-1",
      uid: "uid-shop-web-1",
      schedulerName: "default-scheduler",
      priority: 7,
      creationTimestamp: Date.parse("2024-05-01T10:00:00Z"),
      phase: "Pending",
      terminating: false,
      requests: { milliCPU: 250, memory: 64 * Mi, ephemeralStorage: 0 },
      nonZeroRequests: { milliCPU: 250, memory: 64 * Mi },
      ownerUid: "rs-1",
      nodeSelector: { disk: "ssd" },
      labels: { app: "web" },
    });
    expect(f.nodeName).toBeUndefined();
    expect(f.tolerations).toHaveLength(1);
  });

  it("computes requests as upstream: containers summed, init containers at their peak, overhead added", () => {
    const f = podFacts(
      makePod("p", {
        containers: [
          { name: "a", resources: { requests: { cpu: "100m", memory: "100Mi" } } },
          { name: "b", resources: { requests: { cpu: "200m" } } },
        ],
        initContainers: [
          { name: "init1", resources: { requests: { cpu: "500m", memory: "50Mi" } } },
          { name: "init2", resources: { requests: { memory: "300Mi" } } },
        ],
        overhead: { cpu: "10m", memory: "1Mi" },
      }),
    );
    // cpu: max(300, 500) + 10; memory: max(100Mi, 300Mi) + 1Mi.
    expect(f.requests).toEqual({ milliCPU: 510, memory: 301 * Mi, ephemeralStorage: 0 });
    // Non-zero: container b lacks memory (200Mi), init1 has both, init2 lacks cpu (100m):
    // cpu max(300, 500, 100) + 10, memory max(300Mi, 50Mi, 300Mi) + 1Mi.
    expect(f.nonZeroRequests).toEqual({ milliCPU: 510, memory: 301 * Mi });
  });

  it("counts a container without requests as 0 for fit and 100m / 200Mi for scoring", () => {
    const f = podFacts(makePod("best-effort"));
    expect(f.requests).toEqual({ milliCPU: 0, memory: 0, ephemeralStorage: 0 });
    expect(f.nonZeroRequests).toEqual({ milliCPU: 100, memory: 200 * Mi });
    const two = podFacts(makePod("two", { containers: [{ name: "a" }, { name: "b", resources: { requests: { cpu: "1" } } }] }));
    expect(two.nonZeroRequests).toEqual({ milliCPU: 1100, memory: 400 * Mi });
  });

  it("adds sidecar (restartable init container) requests and host ports", () => {
    const f = podFacts(
      makePod("p", {
        cpu: "100m",
        hostPorts: [{ hostPort: 8080 }, { hostPort: 53, protocol: "UDP", hostIP: "10.0.0.1" }],
        initContainers: [{ name: "proxy", restartPolicy: "Always", resources: { requests: { cpu: "50m" } }, ports: [{ containerPort: 9000, hostPort: 9000 }] }],
      }),
    );
    expect(f.requests.milliCPU).toBe(150);
    expect(f.hostPorts).toEqual([
      { hostIP: "0.0.0.0", protocol: "TCP", port: 9000 },
      { hostIP: "0.0.0.0", protocol: "TCP", port: 8080 },
      { hostIP: "10.0.0.1", protocol: "UDP", port: 53 },
    ]);
    expect(podFacts(makePod("q")).hostPorts).toBeUndefined();
  });

  it("keeps extended resources as scalars", () => {
    const f = podFacts(makePod("gpu", { requests: { "nvidia.com/gpu": "2" } }));
    expect(f.requests.scalar).toEqual({ "nvidia.com/gpu": 2 });
  });

  it("reads node affinity, pod (anti-)affinity and spread constraints", () => {
    const f = podFacts(
      makePod("p", {
        namespace: "ns1",
        labels: { app: "db", track: "blue" },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: "disk", operator: "Exists" }] } }],
          },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" }] },
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "cache" } }, namespaces: ["other"], topologyKey: "zone" }] },
        },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "db" } }, matchLabelKeys: ["track"] }],
      }),
    );
    expect(f.requiredNodeAffinity).toHaveLength(1);
    expect(f.preferredNodeAffinity).toHaveLength(1);
    expect(f.requiredAntiAffinityTerms).toEqual([{ namespaces: ["ns1"], selector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" }]);
    expect(f.requiredAffinityTerms?.[0].namespaces).toEqual(["other"]);
    expect(f.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "zone",
        whenUnsatisfiable: "DoNotSchedule",
        selector: { matchLabels: { app: "db" }, matchExpressions: [{ key: "track", operator: "In", values: ["blue"] }] },
        minDomains: 1,
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Ignore",
      },
    ]);
  });

  it("records binding, phase and deletion", () => {
    const f = podFacts(makePod("p", { nodeName: "n1", phase: "Running", deleting: true, schedulerName: "other" }));
    expect(f).toMatchObject({ nodeName: "n1", phase: "Running", terminating: true, schedulerName: "other" });
  });
});

describe("nodeFacts", () => {
  it("parses allocatable with cpu in millicores and memory in bytes", () => {
    const f = nodeFacts(makeNode("n1", { cpu: "3500m", memory: "2Gi", pods: "20", ephemeralStorage: "10Gi", allocatable: { "nvidia.com/gpu": "4" } }));
    expect(f.allocatable).toEqual({ milliCPU: 3500, memory: 2048 * Mi, ephemeralStorage: 10240 * Mi, pods: 20, scalar: { "nvidia.com/gpu": 4 } });
    expect(f.labels["kubernetes.io/hostname"]).toBe("n1");
  });

  it("defaults pods to 110 and allocatable to capacity", () => {
    const node = makeNode("n1");
    const status = node.status as { allocatable?: Record<string, string>; capacity: Record<string, string> };
    delete status.allocatable;
    delete status.capacity.pods;
    expect(nodeFacts(node).allocatable).toMatchObject({ milliCPU: 4000, pods: 110 });
  });

  it("reads Ready and adds the lifecycle controller's taints for a node that is not ready", () => {
    const ready = nodeFacts(makeNode("a", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }));
    expect(ready.ready).toBe("True");
    expect(ready.taints).toEqual([{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]);
    const notReady = nodeFacts(makeNode("b", { ready: "False" }));
    expect(notReady.ready).toBe("False");
    expect(notReady.taints).toEqual([{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }]);
    const unknown = nodeFacts(makeNode("c", { ready: "Unknown" }));
    expect(unknown.taints).toEqual([{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }]);
    const missing = nodeFacts(makeNode("d", { ready: null }));
    expect(missing.ready).toBe("Unknown");
    expect(missing.taints).toEqual([{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }]);
    const already = nodeFacts(makeNode("e", { ready: "False", taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }));
    expect(already.taints).toHaveLength(1);
  });

  it("reads unschedulable", () => {
    expect(nodeFacts(makeNode("n", { unschedulable: true })).unschedulable).toBe(true);
    expect(nodeFacts(makeNode("n")).unschedulable).toBe(false);
  });
});
