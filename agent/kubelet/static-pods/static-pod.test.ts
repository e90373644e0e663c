// A manifest as the pod the kubelet runs: name suffix, namespace, node binding, the hashed uid
// (stable for the same pod, node and file; new on any edit), the config annotations, the API
// server's defaults, and refusals worded as upstream's.
import { describe, expect, it } from "vitest";
import { rfc3339Nano, staticPodFrom, staticPodUid } from "./static-pod.js";

const seen = new Date("2025-03-04T05:06:07.120Z");
const ctx = { nodeName: "edge-1", source: "/etc/manifests/web.yaml", seen };
const manifest = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", ...metadata },
  spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "3600"] }], ...spec },
});
const ok = (doc: unknown, c = ctx) => {
  const r = staticPodFrom(doc, c);
  if (!r.ok) throw new Error(r.message);
  return r.pod;
};
const refusal = (doc: unknown) => {
  const r = staticPodFrom(doc, ctx);
  return r.ok ? "accepted" : r.message;
};

describe("static pod from a manifest", () => {
  it("is named <name>-<node>, in default, bound to the node, Pending, with the config annotations", () => {
    const pod = ok(manifest());
    expect(pod.metadata.name).toBe("web-edge-1");
    expect(pod.metadata.namespace).toBe("default");
    expect(pod.spec.nodeName).toBe("edge-1");
    expect(pod.status).toEqual({ phase: "Pending" });
    expect(pod.metadata.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(pod.metadata.annotations).toEqual({
      "kubernetes.io/config.hash": pod.metadata.uid,
      "kubernetes.io/config.seen": "2025-03-04T05:06:07.12Z",
      "kubernetes.io/config.source": "file",
    });
    expect(ok(manifest({}, { namespace: "kube-system" })).metadata.namespace).toBe("kube-system");
  });

  it("gets the defaults the API server would apply, and tolerates every NoExecute taint", () => {
    const pod = ok(manifest({ containers: [{ name: "a", image: "nginx" }, { name: "b", image: "nginx:1.27" }], tolerations: [{ key: "k", operator: "Exists" }] }));
    expect(pod.spec.restartPolicy).toBe("Always");
    expect(pod.spec.dnsPolicy).toBe("ClusterFirst");
    expect(pod.spec.terminationGracePeriodSeconds).toBe(30);
    expect(pod.spec.schedulerName).toBe("default-scheduler");
    expect(pod.spec.enableServiceLinks).toBe(true);
    expect(pod.spec.containers?.map((c) => c.imagePullPolicy)).toEqual(["Always", "IfNotPresent"]);
    expect(pod.spec.containers?.[0].terminationMessagePath).toBe("/dev/termination-log");
    expect(pod.spec.tolerations).toEqual([{ key: "k", operator: "Exists" }, { operator: "Exists", effect: "NoExecute" }]);
    // No ServiceAccount: a mirror pod may not name one.
    expect(pod.spec.serviceAccountName).toBeUndefined();
    // An equal toleration is replaced, not doubled.
    const again = ok(manifest({ tolerations: [{ operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 }] }));
    expect(again.spec.tolerations).toEqual([{ operator: "Exists", effect: "NoExecute" }]);
  });

  it("resolves the priority of the system priority classes", () => {
    expect(ok(manifest({ priorityClassName: "system-node-critical" })).spec.priority).toBe(2000001000);
    expect(ok(manifest({ priorityClassName: "system-cluster-critical" })).spec.priority).toBe(2000000000);
    expect(ok(manifest({ priorityClassName: "system-node-critical", priority: 7 })).spec.priority).toBe(7);
    expect(ok(manifest()).spec.priority).toBeUndefined();
  });

  it("has a uid that is stable for the same pod, node and file, and changes with any of them", () => {
    const uid = ok(manifest()).metadata.uid;
    expect(ok(manifest(), { ...ctx, seen: new Date() }).metadata.uid).toBe(uid);
    // Key order and defaults spelled out do not matter: the decoded pod is hashed.
    const reordered = { spec: { containers: [{ command: ["sleep", "3600"], image: "busybox:1.36", name: "c" }], restartPolicy: "Always" }, metadata: { name: "web" }, kind: "Pod", apiVersion: "v1" };
    expect(ok(reordered).metadata.uid).toBe(uid);
    expect(ok(manifest({ containers: [{ name: "c", image: "busybox:1.37", command: ["sleep", "3600"] }] })).metadata.uid).not.toBe(uid);
    expect(ok(manifest({}, { labels: { a: "b" } })).metadata.uid).not.toBe(uid);
    expect(ok(manifest(), { ...ctx, nodeName: "edge-2" }).metadata.uid).not.toBe(uid);
    expect(ok(manifest(), { ...ctx, source: "/etc/manifests/other.yaml" }).metadata.uid).not.toBe(uid);
    // upstream keeps a uid the file sets.
    expect(ok(manifest({}, { uid: "given" })).metadata.uid).toBe("given");
    expect(staticPodUid(ok(manifest()), "n", "f")).toBe(staticPodUid(ok(manifest()), "n", "f"));
  });

  it("drops what the server owns", () => {
    const pod = ok({ ...manifest({}, { resourceVersion: "12", creationTimestamp: "2020-01-01T00:00:00Z" }), status: { phase: "Running" } });
    expect(pod.metadata.resourceVersion).toBeUndefined();
    expect(pod.metadata.creationTimestamp).toBeUndefined();
    expect(pod.status).toEqual({ phase: "Pending" });
  });

  it("refuses what is not a valid pod, saying why", () => {
    expect(refusal("text")).toBe("couldn't parse as pod: the manifest is not an object");
    expect(refusal({ apiVersion: "v1", metadata: { name: "x" } })).toBe("couldn't parse as pod: Object 'Kind' is missing");
    expect(refusal({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" } })).toBe("couldn't parse as pod: apps/v1, Kind=Deployment is not a v1 Pod");
    expect(refusal({ ...manifest(), metadata: {} })).toBe("invalid pod: name is needed for the pod");
    expect(refusal(manifest({ containers: "nope" }))).toBe(
      `couldn't parse as pod: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []Container`,
    );
    expect(refusal(manifest({ containers: [] }))).toBe("invalid pod: [spec.containers: Required value]");
    expect(refusal(manifest({}, { name: "Bad_Name" }))).toMatch(/^invalid pod: \[metadata\.name: Invalid value: "Bad_Name-edge-1": a lowercase RFC 1123 subdomain/);
    expect(refusal(manifest({}, { namespace: "Not.A.Label" }))).toMatch(/^invalid pod: \[metadata\.namespace: Invalid value: "Not\.A\.Label"/);
  });

  it("writes config.seen as Go's RFC3339Nano", () => {
    expect(rfc3339Nano(new Date("2025-01-01T00:00:00.000Z"))).toBe("2025-01-01T00:00:00Z");
    expect(rfc3339Nano(new Date("2025-01-01T00:00:00.500Z"))).toBe("2025-01-01T00:00:00.5Z");
    expect(rfc3339Nano(new Date("2025-01-01T00:00:00.123Z"))).toBe("2025-01-01T00:00:00.123Z");
  });
});
