import { describe, expect, it } from "vitest";
import { pathAttributes, resourceAttributes } from "../../attributes.js";
import { nodeNameOf } from "./index.js";
import { nodeReferences } from "./references.js";
import { decideForNode, fieldEquals } from "./rules.js";

const node = { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
const pod = (name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name, namespace: "app" }, spec: { nodeName, containers: [{ name: "c", image: "x" }], ...spec } }) as any;

const pods = [
  pod("mine", "n1", {
    serviceAccountName: "runner",
    imagePullSecrets: [{ name: "pull" }],
    volumes: [
      { name: "s", secret: { secretName: "vol-secret" } },
      { name: "c", configMap: { name: "vol-cm" } },
      { name: "p", persistentVolumeClaim: { claimName: "data" } },
      { name: "pr", projected: { sources: [{ secret: { name: "proj-secret" } }, { configMap: { name: "proj-cm" } }] } },
    ],
    initContainers: [{ name: "i", image: "x", env: [{ name: "A", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } }] }],
    containers: [{ name: "c", image: "x", envFrom: [{ configMapRef: { name: "envfrom-cm" } }] }],
  }),
  pod("theirs", "n2", { volumes: [{ name: "s", secret: { secretName: "other-secret" } }] }),
  pod("pending", undefined),
];
const refs = async () => nodeReferences(pods, "n1");

const req = (verb: string, resource: string, o: { group?: string; namespace?: string; name?: string; subresource?: string; fieldSelector?: string } = {}) => {
  const method = { get: "GET", list: "GET", watch: "GET", create: "POST", update: "PUT", patch: "PATCH", delete: "DELETE" }[verb]!;
  const a = resourceAttributes(node, method, "/", { group: o.group ?? "", version: "v1", resource, namespace: o.namespace ?? "", name: o.name, subresource: o.subresource }, verb === "watch");
  if (o.fieldSelector) a.fieldSelector = o.fieldSelector;
  return a;
};
const decide = async (a: ReturnType<typeof req>) => (await decideForNode(a, "n1", refs)).decision;

describe("node authorizer", () => {
  it("knows a node by username and group together", () => {
    expect(nodeNameOf(node)).toBe("n1");
    expect(nodeNameOf({ username: "system:node:n1", groups: [] })).toBeUndefined();
    expect(nodeNameOf({ username: "bob", groups: ["system:nodes"] })).toBeUndefined();
  });

  it("collects what the node's pods reference, and nothing of other nodes' pods", () => {
    expect(nodeReferences(pods, "n1")).toEqual({
      pods: ["mine"],
      secrets: ["env-secret", "proj-secret", "pull", "vol-secret"],
      configmaps: ["envfrom-cm", "proj-cm", "vol-cm"],
      persistentvolumeclaims: ["data"],
      serviceaccounts: ["runner"],
    });
  });

  it("its own Node and Lease only", async () => {
    expect(await decide(req("get", "nodes", { name: "n1" }))).toBe("allow");
    expect(await decide(req("patch", "nodes", { name: "n1", subresource: "status" }))).toBe("allow");
    // Other Nodes are RBAC's to decide (system:node-proxier is bound to the nodes).
    expect(await decide(req("get", "nodes", { name: "n2" }))).toBe("noOpinion");
    expect(await decide(req("patch", "nodes", { name: "n2" }))).toBe("deny");
    expect(await decide(req("delete", "nodes", { name: "n1" }))).toBe("deny");
    expect(await decide(req("get", "nodes", { name: "n1", subresource: "status" }))).toBe("deny");
    expect(await decide(req("list", "nodes"))).toBe("noOpinion");
    expect(await decide(req("watch", "nodes", { fieldSelector: "metadata.name=n1" }))).toBe("allow");
    expect(await decide(req("watch", "nodes", { fieldSelector: "metadata.name=n2" }))).toBe("noOpinion");
    expect(await decide(req("update", "leases", { group: "coordination.k8s.io", namespace: "kube-node-lease", name: "n1" }))).toBe("allow");
    expect(await decide(req("update", "leases", { group: "coordination.k8s.io", namespace: "kube-node-lease", name: "n2" }))).toBe("deny");
    expect(await decide(req("get", "leases", { group: "coordination.k8s.io", namespace: "default", name: "n1" }))).toBe("deny");
    expect(await decide(req("watch", "leases", { group: "coordination.k8s.io", namespace: "kube-node-lease", fieldSelector: "metadata.name=n1" }))).toBe("deny");
  });

  it("pods bound to it, their status, and a watch of exactly its pods", async () => {
    expect(await decide(req("get", "pods", { namespace: "app", name: "mine" }))).toBe("allow");
    expect(await decide(req("update", "pods", { namespace: "app", name: "mine", subresource: "status" }))).toBe("allow");
    expect(await decide(req("delete", "pods", { namespace: "app", name: "mine" }))).toBe("allow");
    expect(await decide(req("patch", "pods", { namespace: "app", name: "mine" }))).toBe("deny");
    expect(await decide(req("get", "pods", { namespace: "app", name: "mine", subresource: "status" }))).toBe("deny");
    expect(await decide(req("get", "pods", { namespace: "app", name: "theirs" }))).toBe("deny");
    expect(await decide(req("get", "pods", { namespace: "app", name: "pending" }))).toBe("deny");
    expect(await decide(req("create", "pods", { namespace: "app", name: "mine", subresource: "exec" }))).toBe("deny");
    expect(await decide(req("watch", "pods", { fieldSelector: "spec.nodeName=n1" }))).toBe("allow");
    // Creating pods: allowed here, the body decides at admission (only its own mirror pods pass).
    expect(await decide(req("create", "pods", { namespace: "app" }))).toBe("allow");
    expect(await decide(req("create", "pods"))).toBe("deny");
    expect(await decide(req("create", "pods", { namespace: "app", name: "theirs", subresource: "eviction" }))).toBe("deny");
    expect(await decide(req("list", "pods", { namespace: "app" }))).toBe("deny");
  });

  it("reads only what its pods reference, never writes it", async () => {
    for (const [resource, name] of [["secrets", "vol-secret"], ["secrets", "env-secret"], ["secrets", "pull"], ["configmaps", "envfrom-cm"], ["persistentvolumeclaims", "data"]]) {
      expect(await decide(req("get", resource, { namespace: "app", name })), `${resource}/${name}`).toBe("allow");
    }
    expect(await decide(req("watch", "secrets", { namespace: "app", fieldSelector: "metadata.name=proj-secret" }))).toBe("allow");
    expect(await decide(req("get", "secrets", { namespace: "app", name: "other-secret" }))).toBe("deny");
    expect(await decide(req("list", "secrets", { namespace: "app" }))).toBe("deny");
    expect(await decide(req("update", "secrets", { namespace: "app", name: "vol-secret" }))).toBe("deny");
    expect(await decide(req("create", "serviceaccounts", { namespace: "app", name: "runner", subresource: "token" }))).toBe("allow");
    expect(await decide(req("create", "serviceaccounts", { namespace: "app", name: "default", subresource: "token" }))).toBe("deny");
  });

  it("events anywhere, services to read, discovery paths; nothing else", async () => {
    expect(await decide(req("create", "events", { namespace: "app" }))).toBe("allow");
    expect(await decide(req("list", "services"))).toBe("allow");
    expect(await decide(req("get", "endpoints", { namespace: "app", name: "web" }))).toBe("allow");
    // Listing Endpoints and EndpointSlices across namespaces is RBAC's to decide (system:node-proxier).
    expect(await decide(req("list", "endpointslices", { group: "discovery.k8s.io" }))).toBe("noOpinion");
    expect(await decide(req("watch", "endpoints"))).toBe("noOpinion");
    expect(await decide(req("create", "endpointslices", { group: "discovery.k8s.io", namespace: "app" }))).toBe("deny");
    expect(await decide(req("create", "services", { namespace: "app" }))).toBe("deny");
    expect(await decide(req("list", "deployments", { group: "apps" }))).toBe("deny");
    expect((await decideForNode(pathAttributes(node, "GET", "/api"), "n1", refs)).decision).toBe("allow");
    expect((await decideForNode(pathAttributes(node, "POST", "/debug/x"), "n1", refs)).decision).toBe("deny");
    expect((await decideForNode(req("get", "pods", { namespace: "app", name: "theirs" }), "n1", refs)).reason).toBe("no relationship found between node 'n1' and this object");
  });

  it("reads key=value terms of a field selector", () => {
    expect(fieldEquals("spec.nodeName=n1", "spec.nodeName")).toBe("n1");
    expect(fieldEquals("a=b,spec.nodeName==n1", "spec.nodeName")).toBe("n1");
    expect(fieldEquals("spec.nodeName!=n1", "spec.nodeName")).toBeUndefined();
  });
});

describe("NodeRestriction on create", async () => {
  const { admitNodeCreate } = await import("./restriction.js");
  const { findKind } = await import("../../../apis/index.js");
  const nodes = findKind("", "v1", "nodes")!;
  const leases = findKind("coordination.k8s.io", "v1", "leases")!;
  it("a node creates only its own Node and Lease", () => {
    expect(() => admitNodeCreate(node, nodes, { metadata: { name: "n1" } })).not.toThrow();
    expect(() => admitNodeCreate(node, nodes, { metadata: { name: "n2" } })).toThrow('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(() => admitNodeCreate(node, leases, { metadata: { name: "n2" } })).toThrow("can only access node lease with the same name as the requesting node");
    expect(() => admitNodeCreate({ username: "bob", groups: [] }, nodes, { metadata: { name: "n2" } })).not.toThrow();
  });

  it("a node creates only mirror pods bound to itself", () => {
    const pods = findKind("", "v1", "pods")!;
    const mirror = {
      metadata: { name: "web-n1", annotations: { "kubernetes.io/config.mirror": "h" }, ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "u", controller: true }] },
      spec: { nodeName: "n1", containers: [{ name: "c", image: "x" }] },
    };
    expect(() => admitNodeCreate(node, pods, mirror)).not.toThrow();
    expect(() => admitNodeCreate(node, pods, { metadata: { name: "plain" }, spec: { nodeName: "n1" } })).toThrow(
      'pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    );
    expect(() => admitNodeCreate(node, pods, { ...mirror, spec: { nodeName: "n2" } })).toThrow('pods "web-n1" is forbidden: node "n1" can only create pods with spec.nodeName set to itself');
    // Anyone else is not this plugin's business.
    expect(() => admitNodeCreate({ username: "bob", groups: [] }, pods, { metadata: { name: "plain" } })).not.toThrow();
  });

  it("checks a mirror pod's owner against the Node's uid", async () => {
    const { admitNodeMirrorPodOwner } = await import("./restriction.js");
    const pods = findKind("", "v1", "pods")!;
    const body = { metadata: { name: "web-n1", ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "old", controller: true }] } };
    await expect(admitNodeMirrorPodOwner(node, pods, body, async () => "old")).resolves.toBeUndefined();
    await expect(admitNodeMirrorPodOwner(node, pods, body, async () => "new")).rejects.toThrow('pods "web-n1" is forbidden: node n1 UID mismatch: expected old got new');
    await expect(admitNodeMirrorPodOwner(node, pods, body, async () => undefined)).rejects.toThrow('nodes "n1" not found');
    await expect(admitNodeMirrorPodOwner(node, nodes, body, async () => "new")).resolves.toBeUndefined();
  });
});
