// The mirror pod of a static pod: the same pod with the config.mirror annotation and a controller
// owner reference to the Node, without the static pod's uid; and how a mirror is recognised.
import { describe, expect, it } from "vitest";
import { isMirrorPod, isMirrorPodOf, mirrorPodOf } from "./mirror-client.js";
import { staticPodFrom } from "./static-pod.js";

const made = staticPodFrom(
  { apiVersion: "v1", kind: "Pod", metadata: { name: "web", labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
  { nodeName: "n1", source: "/m/web.yaml", seen: new Date("2025-01-01T00:00:00Z") },
);
if (!made.ok) throw new Error(made.message);
const staticPod = made.pod;
const hash = staticPod.metadata.uid!;

describe("mirror pods", () => {
  it("are the static pod with the mirror annotation and the Node as controller owner", () => {
    const mirror = mirrorPodOf(staticPod, { name: "n1", uid: "node-uid" });
    expect(mirror.metadata.uid).toBeUndefined();
    expect(mirror.metadata).toMatchObject({ name: "web-n1", namespace: "default", labels: { a: "b" } });
    expect(mirror.metadata.annotations).toEqual({ ...staticPod.metadata.annotations, "kubernetes.io/config.mirror": hash });
    expect(mirror.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: "n1", uid: "node-uid", controller: true }]);
    expect(mirror.spec).toEqual(staticPod.spec);
    expect(mirror.status).toBeUndefined();
    // The static pod is not changed.
    expect(staticPod.metadata.annotations?.["kubernetes.io/config.mirror"]).toBeUndefined();
  });

  it("are recognised by the annotation, and as the mirror of a static pod by name and hash", () => {
    const made = mirrorPodOf(staticPod, { name: "n1", uid: "u" });
    const mirror = { ...made, metadata: { ...made.metadata, uid: "api-uid" } };
    expect(isMirrorPod(mirror)).toBe(true);
    expect(isMirrorPod(staticPod)).toBe(false);
    expect(isMirrorPodOf(mirror, staticPod)).toBe(true);
    const stale = { metadata: { ...mirror.metadata, annotations: { "kubernetes.io/config.mirror": "older" } } };
    expect(isMirrorPodOf(stale, staticPod)).toBe(false);
    expect(isMirrorPodOf({ metadata: { ...mirror.metadata, name: "other-n1" } }, staticPod)).toBe(false);
  });
});
