import { describe, it, expect } from "vitest";
import { mergeKeys, patchMetaFor, patchMetaKinds, types } from "./patch-meta.js";

describe("patchMetaFor", () => {
  const pod = patchMetaFor("", "Pod")!;
  const deployment = patchMetaFor("apps", "Deployment")!;
  const cronJob = patchMetaFor("batch", "CronJob")!;

  it("resolves pod fields from upstream's struct tags", () => {
    expect(pod.lookup(["metadata", "finalizers"])).toEqual({ patchStrategy: "merge" });
    expect(pod.lookup(["metadata", "ownerReferences"])).toEqual({ patchStrategy: "merge", patchMergeKey: "uid" });
    expect(pod.lookup(["spec", "containers"])).toEqual({ patchStrategy: "merge", patchMergeKey: "name" });
    expect(pod.lookup(["spec", "initContainers", "env"])).toEqual({ patchStrategy: "merge", patchMergeKey: "name" });
    expect(pod.lookup(["spec", "ephemeralContainers", "volumeMounts"])).toEqual({ patchStrategy: "merge", patchMergeKey: "mountPath" });
    expect(pod.lookup(["spec", "containers", "ports"])).toEqual({ patchStrategy: "merge", patchMergeKey: "containerPort" });
    expect(pod.lookup(["spec", "containers", "volumeDevices"])).toEqual({ patchStrategy: "merge", patchMergeKey: "devicePath" });
    expect(pod.lookup(["spec", "volumes"])).toEqual({ patchStrategy: "merge", patchMergeKey: "name", retainKeys: true });
    expect(pod.lookup(["spec", "hostAliases"])).toEqual({ patchStrategy: "merge", patchMergeKey: "ip" });
    expect(pod.lookup(["spec", "topologySpreadConstraints"])).toEqual({ patchStrategy: "merge", patchMergeKey: "topologyKey" });
    expect(pod.lookup(["status", "conditions"])).toEqual({ patchStrategy: "merge", patchMergeKey: "type" });
  });

  it("answers nothing for fields replaced whole or unknown", () => {
    expect(pod.lookup(["spec", "tolerations"])).toEqual({});
    expect(pod.lookup(["spec", "containers", "resizePolicy"])).toEqual({});
    expect(pod.lookup(["status", "containerStatuses"])).toEqual({});
    expect(pod.lookup(["spec", "nope", "deeper"])).toEqual({});
    expect(pod.lookup(["metadata", "labels"])).toEqual({});
    expect(patchMetaFor("", "Node")!.lookup(["spec", "taints"])).toEqual({});
    expect(patchMetaFor("", "Endpoints")!.lookup(["subsets"])).toEqual({});
  });

  it("follows templates into the pod spec", () => {
    expect(deployment.lookup(["spec", "template", "spec", "containers", "env"])).toEqual({ patchStrategy: "merge", patchMergeKey: "name" });
    expect(deployment.lookup(["spec", "template", "metadata", "finalizers"])).toEqual({ patchStrategy: "merge" });
    expect(deployment.lookup(["spec", "strategy"])).toEqual({ retainKeys: true });
    expect(deployment.lookup(["status", "conditions"])).toEqual({ patchStrategy: "merge", patchMergeKey: "type" });
    expect(cronJob.lookup(["spec", "jobTemplate", "spec", "template", "spec", "imagePullSecrets"])).toEqual({
      patchStrategy: "merge",
      patchMergeKey: "name",
    });
    for (const [group, kind] of [["apps", "StatefulSet"], ["apps", "DaemonSet"], ["apps", "ReplicaSet"], ["batch", "Job"]]) {
      const meta = patchMetaFor(group, kind)!;
      expect(meta.lookup(["spec", "template", "spec", "containers"]).patchMergeKey).toBe("name");
      expect(meta.lookup(["status", "conditions"]).patchMergeKey).toBe("type");
    }
  });

  it("covers node, service and service account lists", () => {
    const node = patchMetaFor("", "Node")!;
    expect(node.lookup(["status", "addresses"])).toEqual({ patchStrategy: "merge", patchMergeKey: "type" });
    expect(node.lookup(["status", "images"])).toEqual({});
    expect(patchMetaFor("", "Service")!.lookup(["spec", "ports"])).toEqual({ patchStrategy: "merge", patchMergeKey: "port" });
    expect(patchMetaFor("", "ServiceAccount")!.lookup(["secrets"])).toEqual({ patchStrategy: "merge", patchMergeKey: "name" });
  });

  it("knows every served built-in kind and nothing else", () => {
    for (const [group, kind] of [
      ["", "ConfigMap"],
      ["", "Secret"],
      ["", "Namespace"],
      ["", "Event"],
      ["coordination.k8s.io", "Lease"],
      ["events.k8s.io", "Event"],
    ]) {
      expect(patchMetaFor(group, kind)?.lookup(["metadata", "finalizers"])).toEqual({ patchStrategy: "merge" });
    }
    expect(patchMetaFor("example.com", "Widget")).toBeUndefined();
    expect(patchMetaFor("", "Deployment")).toBeUndefined();
    expect(patchMetaKinds()).toContainEqual(["apps", "Deployment"]);
    expect(patchMetaKinds()).toContainEqual(["", "Pod"]);
  });

  it("has no dangling type references", () => {
    for (const [name, fields] of Object.entries(types)) {
      for (const [field, def] of Object.entries(fields)) {
        if (def.type) expect(types, `${name}.${field} → ${def.type}`).toHaveProperty(def.type);
      }
    }
  });
});

describe("mergeKeys", () => {
  it("flattens a kind's strategies for OpenAPI", () => {
    const keys = mergeKeys("apps", "Deployment");
    expect(keys).toContainEqual({ path: "spec.template.spec.containers", strategy: "merge", mergeKey: "name" });
    expect(keys).toContainEqual({ path: "spec.template.spec.containers.ports", strategy: "merge", mergeKey: "containerPort" });
    expect(keys).toContainEqual({ path: "spec.template.spec.volumes", strategy: "merge,retainKeys", mergeKey: "name" });
    expect(keys).toContainEqual({ path: "spec.strategy", strategy: "retainKeys" });
    expect(keys).toContainEqual({ path: "metadata.finalizers", strategy: "merge" });
    expect(keys).toContainEqual({ path: "status.conditions", strategy: "merge", mergeKey: "type" });
    expect(keys.find((k) => k.path.endsWith("tolerations"))).toBeUndefined();
    expect(mergeKeys("", "ConfigMap")).toEqual([
      { path: "metadata.finalizers", strategy: "merge" },
      { path: "metadata.ownerReferences", strategy: "merge", mergeKey: "uid" },
    ]);
    expect(mergeKeys("example.com", "Widget")).toEqual([]);
  });
});
