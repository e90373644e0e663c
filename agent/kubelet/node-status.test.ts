// The Node the agent registers and when its status is posted again.
import { describe, expect, it } from "vitest";
import type { Machine } from "./machine.js";
import { goArch, goOS, simulatedMachine, uuidFrom } from "./machine.js";
import { machineCapacity, newNode, nodeConditions, nodeLabels, nodeMetaPatch, ownedNodeStatus, rfc3339, statusUpdateReason, type NodeConfig } from "./node-status.js";

const machine: Machine = {
  cpus: 8,
  memoryBytes: 16 * 1024 ** 3,
  diskBytes: 100 * 1024 ** 3,
  os: "linux",
  arch: "arm64",
  osImage: "Debian GNU/Linux 12 (bookworm)",
  kernelVersion: "6.1.0",
  machineID: "0123456789abcdef0123456789abcdef",
  systemUUID: "01234567-89ab-cdef-0123-456789abcdef",
  bootID: "boot",
};

const cfg = (over: Partial<NodeConfig> = {}): NodeConfig => ({
  name: "sim-1",
  labels: { disk: "ssd" },
  taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }],
  capacity: { ...machineCapacity(machine), cpu: "4" },
  internalIP: "10.200.0.2",
  hostname: "sim-1",
  podCIDR: "10.244.1.0/24",
  machine,
  containerRuntimeVersion: "simulated://0.1.0",
  ...over,
});

const T0 = Date.parse("2026-01-02T15:04:05Z");

describe("machine facts", () => {
  it("names architectures and systems as Go does", () => {
    expect(goArch("x64")).toBe("amd64");
    expect(goArch("arm64")).toBe("arm64");
    expect(goOS("linux")).toBe("linux");
    expect(goOS("win32")).toBe("windows");
  });

  it("gives each simulated node its own stable ids", () => {
    const a = simulatedMachine(machine, "sim-0");
    const b = simulatedMachine(machine, "sim-1");
    expect(a.machineID).not.toBe(b.machineID);
    expect(a.machineID).toBe(simulatedMachine(machine, "sim-0").machineID);
    expect(a.systemUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.bootID).not.toBe(b.bootID);
    expect(uuidFrom("0123456789abcdef0123456789abcdef")).toBe("01234567-89ab-cdef-0123-456789abcdef");
  });
});

describe("the registered Node", () => {
  it("has the capacity of the machine unless told otherwise, and all of it allocatable", () => {
    expect(machineCapacity(machine)).toEqual({ cpu: "8", memory: "16777216Ki", pods: "110", "ephemeral-storage": "104857600Ki" });
    expect(machineCapacity({ ...machine, diskBytes: 0 })).not.toHaveProperty("ephemeral-storage");
    const st = ownedNodeStatus(cfg(), T0);
    expect(st.capacity).toEqual({ cpu: "4", memory: "16777216Ki", pods: "110", "ephemeral-storage": "104857600Ki" });
    expect(st.allocatable).toEqual(st.capacity);
  });

  it("carries the well-known labels, the user's, taints, addresses, kubelet port and nodeInfo, and leaves the pod CIDR to the control plane", () => {
    const node = newNode(cfg(), T0) as any;
    expect(node).toMatchObject({ apiVersion: "v1", kind: "Node", metadata: { name: "sim-1" } });
    expect(node.metadata.labels).toEqual({
      "beta.kubernetes.io/arch": "arm64",
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/arch": "arm64",
      "kubernetes.io/hostname": "sim-1",
      "kubernetes.io/os": "linux",
      disk: "ssd",
    });
    expect(node.spec).toEqual({ taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] });
    expect(node.status.addresses).toEqual([
      { type: "InternalIP", address: "10.200.0.2" },
      { type: "Hostname", address: "sim-1" },
    ]);
    expect(node.status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(node.status.nodeInfo).toEqual({
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: "boot",
      kernelVersion: "6.1.0",
      osImage: "Debian GNU/Linux 12 (bookworm)",
      containerRuntimeVersion: "simulated://0.1.0",
      kubeletVersion: "v1.32.0-edgeplane",
      operatingSystem: "linux",
      architecture: "arm64",
    });
    expect(newNode(cfg({ taints: [] }), T0)).not.toHaveProperty("spec.taints");
  });

  it("lets --labels override a well-known label such as the hostname", () => {
    expect(nodeLabels(cfg({ labels: { "kubernetes.io/hostname": "other" } }))["kubernetes.io/hostname"]).toBe("other");
  });

  it("reports the four conditions with upstream's reasons", () => {
    const ts = rfc3339(T0);
    expect(nodeConditions(T0)).toEqual([
      { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available", lastHeartbeatTime: ts, lastTransitionTime: ts },
      { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure", lastHeartbeatTime: ts, lastTransitionTime: ts },
      { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available", lastHeartbeatTime: ts, lastTransitionTime: ts },
      { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: ts, lastTransitionTime: ts },
    ]);
  });

  it("keeps a condition's lastTransitionTime while its status stays, and moves it when it changes", () => {
    const before = nodeConditions(T0);
    const later = T0 + 30_000;
    const same = nodeConditions(later, before);
    expect(same.find((c) => c.type === "Ready")).toMatchObject({ lastTransitionTime: rfc3339(T0), lastHeartbeatTime: rfc3339(later) });
    const unknown = before.map((c) => (c.type === "Ready" ? { ...c, status: "Unknown", reason: "NodeStatusUnknown" } : c));
    const back = nodeConditions(later, unknown);
    expect(back.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "KubeletReady", lastTransitionTime: rfc3339(later) });
    expect(back.find((c) => c.type === "MemoryPressure")?.lastTransitionTime).toBe(rfc3339(T0));
  });
});

describe("statusUpdateReason", () => {
  const posted = (at: number, c = cfg()) => ({ status: ownedNodeStatus(c, at) });

  it("needs nothing while the status is fresh and unchanged", () => {
    expect(statusUpdateReason(posted(T0), cfg(), T0 + 59_000)).toBeUndefined();
  });

  it("posts when the heartbeat is a minute old", () => {
    expect(statusUpdateReason(posted(T0), cfg(), T0 + 60_000)).toBe("the last heartbeat is too old");
  });

  it("posts when the node lifecycle controller marked the node Unknown, or a condition is missing", () => {
    const node = posted(T0);
    node.status.conditions = node.status.conditions.map((c) => (c.type === "Ready" ? { ...c, status: "Unknown", reason: "NodeStatusUnknown" } : c));
    expect(statusUpdateReason(node, cfg(), T0 + 1000)).toBe("the Ready condition is Unknown");
    expect(statusUpdateReason({ status: {} }, cfg(), T0)).toBe("the Ready condition is missing");
    expect(statusUpdateReason({}, cfg(), T0)).toBe("the Ready condition is missing");
    const noDisk = posted(T0);
    noDisk.status.conditions = noDisk.status.conditions.filter((c) => c.type !== "DiskPressure");
    expect(statusUpdateReason(noDisk, cfg(), T0 + 1000)).toBe("the DiskPressure condition changed");
  });

  it("posts when something the kubelet owns changed", () => {
    expect(statusUpdateReason(posted(T0), cfg({ capacity: { cpu: "2" } }), T0 + 1000)).toBe("capacity changed");
    expect(statusUpdateReason(posted(T0), cfg({ internalIP: "10.0.0.9" }), T0 + 1000)).toBe("addresses changed");
    expect(statusUpdateReason(posted(T0), cfg({ containerRuntimeVersion: "simulated://0.2.0" }), T0 + 1000)).toBe("nodeInfo changed");
  });
});

describe("nodeMetaPatch (an existing Node at registration)", () => {
  const existing = (over: any = {}) => ({
    metadata: { resourceVersion: "7", labels: { ...nodeLabels(cfg()), other: "kept" }, ...over.metadata },
    spec: { podCIDR: "10.244.9.0/24", taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }], ...over.spec },
  });

  it("is undefined when labels, taints and pod CIDR are up to date", () => {
    expect(nodeMetaPatch(existing(), cfg())).toBeUndefined();
  });

  it("adds and updates the agent's labels and taints, keeps others' taints, and pins the resourceVersion", () => {
    const node = existing({ spec: { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }, { key: "gpu", value: "false", effect: "NoSchedule" }] } });
    expect(nodeMetaPatch(node, cfg({ labels: { disk: "nvme" } }))).toEqual({
      metadata: { labels: { disk: "nvme" }, resourceVersion: "7" },
      spec: { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }, { key: "gpu", value: "true", effect: "NoSchedule" }] },
    });
  });

  it("sets the agent's annotations and removes one it no longer advertises (the relay port)", () => {
    const relay = "proxy.edgeplane.dev/relay-port";
    expect(nodeMetaPatch(existing(), cfg({ annotations: { [relay]: "10262" } }))).toEqual({ metadata: { annotations: { [relay]: "10262" }, resourceVersion: "7" } });
    const advertised = existing({ metadata: { annotations: { [relay]: "10262", other: "kept" } } });
    expect(nodeMetaPatch(advertised, cfg({ annotations: { [relay]: "10262" } }))).toBeUndefined();
    expect(nodeMetaPatch(advertised, cfg({ annotations: { [relay]: null } }))).toEqual({ metadata: { annotations: { [relay]: null }, resourceVersion: "7" } });
    expect(nodeMetaPatch(existing(), cfg({ annotations: { [relay]: null } }))).toBeUndefined();
    expect(newNode(cfg({ annotations: { [relay]: null } }), 0).metadata).not.toHaveProperty(["annotations", relay]);
  });

  it("never sets or changes the pod CIDR (the control plane's node IPAM gives it)", () => {
    expect(nodeMetaPatch(existing({ spec: { podCIDR: undefined } }), cfg())).toBeUndefined();
    expect(nodeMetaPatch(existing(), cfg({ podCIDR: "10.244.3.0/24" }))).toBeUndefined();
  });
});
