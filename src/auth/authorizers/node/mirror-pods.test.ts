// NodeRestriction on the pods a node creates, rule by rule in upstream's order and wording.
import { describe, expect, it } from "vitest";
import { mirrorPodOwnerUid, mirrorPodRefusal, ownerUidRefusal } from "./mirror-pods.js";

const owner = { apiVersion: "v1", kind: "Node", name: "n1", uid: "node-uid", controller: true };
const mirror = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  metadata: { name: "web-n1", annotations: { "kubernetes.io/config.mirror": "abc" }, ownerReferences: [owner], ...metadata },
  spec: { nodeName: "n1", containers: [{ name: "c", image: "x" }], ...spec },
});
const why = (body: unknown) => mirrorPodRefusal("n1", body);

describe("mirror pods a node may create", () => {
  it("accepts its own mirror pod, and an empty mirror annotation", () => {
    expect(why(mirror())).toBeUndefined();
    expect(why(mirror({}, { annotations: { "kubernetes.io/config.mirror": "" } }))).toBeUndefined();
    expect(mirrorPodOwnerUid(mirror())).toBe("node-uid");
  });

  it("refuses anything but a mirror pod bound to itself", () => {
    expect(why({ metadata: { name: "x" }, spec: { nodeName: "n1" } })).toBe('pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    expect(why(undefined)).toBe('pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    expect(why(mirror({ nodeName: "n2" }))).toBe('node "n1" can only create pods with spec.nodeName set to itself');
    expect(why(mirror({ nodeName: undefined }))).toBe('node "n1" can only create pods with spec.nodeName set to itself');
  });

  it("requires exactly one controller owner reference to its own Node", () => {
    expect(why(mirror({}, { ownerReferences: [owner, owner] }))).toBe('node "n1" can only create pods with a single owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [] }))).toBe('node "n1" can only create pods with an owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: undefined }))).toBe('node "n1" can only create pods with an owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [{ ...owner, name: "n2" }] }))).toBe('node "n1" can only create pods with an owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [{ ...owner, kind: "Pod" }] }))).toBe('node "n1" can only create pods with an owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [{ ...owner, apiVersion: "v2" }] }))).toBe('node "n1" can only create pods with an owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [{ ...owner, controller: false }] }))).toBe('node "n1" can only create pods with a controller owner reference set to itself');
    expect(why(mirror({}, { ownerReferences: [{ ...owner, blockOwnerDeletion: true }] }))).toBe('node "n1" must not set blockOwnerDeletion on an owner reference');
    expect(ownerUidRefusal("n1", "old", "new")).toBe("node n1 UID mismatch: expected old got new");
    expect(ownerUidRefusal("n1", "same", "same")).toBeUndefined();
  });

  it("refuses references to other API objects", () => {
    expect(why(mirror({ serviceAccountName: "default" }))).toBe('node "n1" can not create pods that reference a service account');
    expect(why(mirror({ serviceAccount: "sa" }))).toBe('node "n1" can not create pods that reference a service account');
    const secretRefs = [
      { imagePullSecrets: [{ name: "pull" }] },
      { containers: [{ name: "c", image: "x", env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }] },
      { initContainers: [{ name: "i", image: "x", envFrom: [{ secretRef: { name: "s" } }] }] },
      { ephemeralContainers: [{ name: "e", image: "x", envFrom: [{ secretRef: { name: "s" } }] }] },
      { volumes: [{ name: "v", secret: { secretName: "s" } }] },
      { volumes: [{ name: "v", projected: { sources: [{ secret: { name: "s" } }] } }] },
      { volumes: [{ name: "v", csi: { driver: "d", nodePublishSecretRef: { name: "s" } } }] },
      { volumes: [{ name: "v", rbd: { monitors: ["m"], image: "i", secretRef: { name: "s" } } }] },
    ];
    for (const spec of secretRefs) expect(why(mirror(spec)), JSON.stringify(spec)).toBe('node "n1" can not create pods that reference secrets');
    const configMapRefs = [
      { containers: [{ name: "c", image: "x", env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] }] },
      { containers: [{ name: "c", image: "x", envFrom: [{ configMapRef: { name: "cm" } }] }] },
      { volumes: [{ name: "v", configMap: { name: "cm" } }] },
      { volumes: [{ name: "v", projected: { sources: [{ configMap: { name: "cm" } }] } }] },
    ];
    for (const spec of configMapRefs) expect(why(mirror(spec)), JSON.stringify(spec)).toBe('node "n1" can not create pods that reference configmaps');
    expect(why(mirror({ volumes: [{ name: "v", projected: { sources: [{ clusterTrustBundle: { name: "b", path: "p" } }] } }] }))).toBe(
      'node "n1" can not create pods that reference clustertrustbundles',
    );
    expect(why(mirror({ volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] }))).toBe('node "n1" can not create pods that reference persistentvolumeclaims');
    expect(why(mirror({ volumes: [{ name: "v", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }] }))).toBe(
      "mirror pods may not use ServiceAccountToken volume projections",
    );
    // What references nothing is fine.
    expect(why(mirror({ volumes: [{ name: "v", emptyDir: {} }, { name: "h", hostPath: { path: "/etc" } }, { name: "d", projected: { sources: [{ downwardAPI: { items: [] } }] } }] }))).toBeUndefined();
  });
});
