import { describe, expect, it } from "vitest";
import { D, ago, cell, kubectlHeaders, one } from "./test-helpers.js";

type Obj = Record<string, unknown>;

const node = (opts: { labels?: Obj; conditions?: Obj[]; unschedulable?: boolean; addresses?: Obj[]; nodeInfo?: Obj } = {}): Obj => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "node-a", creationTimestamp: ago(12 * D), labels: opts.labels ?? { "kubernetes.io/hostname": "node-a" } },
  spec: opts.unschedulable ? { unschedulable: true } : {},
  status: {
    conditions: opts.conditions ?? [
      { type: "MemoryPressure", status: "False" },
      { type: "Ready", status: "True" },
    ],
    addresses: opts.addresses ?? [],
    nodeInfo: opts.nodeInfo ?? {},
  },
});

describe("nodes", () => {
  it("have kubectl's headers", () => {
    const t = one("", "Node", node());
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual([
      "NAME",
      "STATUS",
      "ROLES",
      "AGE",
      "VERSION",
      "INTERNAL-IP",
      "EXTERNAL-IP",
      "OS-IMAGE",
      "KERNEL-VERSION",
      "CONTAINER-RUNTIME",
    ]);
  });

  it("print a ready control-plane node", () => {
    const n = node({
      labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "true" },
      addresses: [
        { type: "Hostname", address: "node-a" },
        { type: "InternalIP", address: "192.168.1.10" },
        { type: "ExternalIP", address: "203.0.113.10" },
      ],
      nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Ubuntu 24.04 LTS", kernelVersion: "6.8.0-31-generic", containerRuntimeVersion: "containerd://1.7.12" },
    });
    expect(one("", "Node", n).rows[0].cells).toEqual([
      "node-a",
      "Ready",
      "control-plane,etcd",
      "12d",
      "v1.32.0",
      "192.168.1.10",
      "203.0.113.10",
      "Ubuntu 24.04 LTS",
      "6.8.0-31-generic",
      "containerd://1.7.12",
    ]);
  });

  it("print NotReady, Unknown and SchedulingDisabled", () => {
    expect(cell("", "Node", node({ conditions: [{ type: "Ready", status: "False" }] }), "STATUS")).toBe("NotReady");
    expect(cell("", "Node", node({ conditions: [{ type: "Ready", status: "Unknown" }] }), "STATUS")).toBe("NotReady");
    expect(cell("", "Node", node({ conditions: [] }), "STATUS")).toBe("Unknown");
    expect(cell("", "Node", node({ unschedulable: true }), "STATUS")).toBe("Ready,SchedulingDisabled");
    expect(cell("", "Node", node({ conditions: [{ type: "Ready", status: "False" }], unschedulable: true }), "STATUS")).toBe("NotReady,SchedulingDisabled");
  });

  it("print roles from both label forms, or <none>", () => {
    expect(cell("", "Node", node(), "ROLES")).toBe("<none>");
    expect(cell("", "Node", node({ labels: { "kubernetes.io/role": "worker", "node-role.kubernetes.io/": "" } }), "ROLES")).toBe("worker");
    expect(cell("", "Node", node({ labels: { "node-role.kubernetes.io/worker": "", "kubernetes.io/role": "worker", "node-role.kubernetes.io/gpu": "" } }), "ROLES")).toBe("gpu,worker");
  });

  it("print <none>/<unknown> for missing addresses and node info", () => {
    expect(one("", "Node", node()).rows[0].cells.slice(4)).toEqual(["", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]);
  });
});
