import { describe, it, expect } from "vitest";
import { applyStrategicMergePatch, noPatchMeta, type PatchMeta } from "./strategic-merge-patch.js";
import { patchMetaFor } from "./patch-meta.js";
import { PatchError } from "./patch-error.js";

const podMeta = patchMetaFor("", "Pod") as PatchMeta;
const deploymentMeta = patchMetaFor("apps", "Deployment") as PatchMeta;
const smp = (original: unknown, patch: unknown, meta: PatchMeta = podMeta) => applyStrategicMergePatch(original, patch, meta);

function fails(original: unknown, patch: unknown, meta: PatchMeta = podMeta): PatchError {
  try {
    smp(original, patch, meta);
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error("expected a PatchError");
}

const names = (list: unknown) => (list as Array<{ name: string }>).map((x) => x.name);

const pod = () => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", labels: { app: "web", tier: "fe" }, finalizers: ["a", "b"] },
  spec: {
    nodeName: "n1",
    containers: [
      { name: "app", image: "nginx", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }], ports: [{ containerPort: 80 }] },
      { name: "sidecar", image: "envoy" },
    ],
    tolerations: [{ key: "k1", operator: "Exists" }],
  },
});

describe("applyStrategicMergePatch: maps and nulls", () => {
  it("merges maps key by key and deletes keys set to null", () => {
    const out = smp(pod(), { metadata: { labels: { tier: null, env: "prod" } }, spec: { nodeName: null } });
    expect(out.metadata).toMatchObject({ labels: { app: "web", env: "prod" } });
    expect((out.spec as any).nodeName).toBeUndefined();
    expect("nodeName" in (out.spec as object)).toBe(false);
  });

  it("drops nulls that match nothing instead of storing them", () => {
    const out = smp({ metadata: { name: "x" } }, { metadata: { annotations: { a: null, b: "1" } }, spec: { x: null } });
    // As in RFC 7386, the new map stays (empty), its null members do not.
    expect(out).toEqual({ metadata: { name: "x", annotations: { b: "1" } }, spec: {} });
  });

  it("replaces a map with $patch: replace and empties it with $patch: delete", () => {
    expect(smp(pod(), { metadata: { labels: { $patch: "replace", only: "this" } } }).metadata).toMatchObject({ labels: { only: "this" } });
    expect((smp(pod(), { metadata: { labels: { $patch: "delete" } } }).metadata as any).labels).toEqual({});
  });

  it("accepts $patch: merge on a map as the default", () => {
    expect((smp(pod(), { metadata: { labels: { $patch: "merge", x: "y" } } }).metadata as any).labels).toEqual({
      app: "web",
      tier: "fe",
      x: "y",
    });
  });

  it("never mutates its inputs", () => {
    const original = pod();
    const patch = { spec: { containers: [{ name: "app", env: [{ name: "Z", value: "3" }] }] }, metadata: { labels: { $patch: "replace" } } };
    const o0 = structuredClone(original);
    const p0 = structuredClone(patch);
    const out = smp(original, patch) as any;
    expect(original).toEqual(o0);
    expect(patch).toEqual(p0);
    out.spec.containers[1].image = "changed";
    expect(original.spec.containers[1].image).toBe("envoy");
  });

  it("treats a missing original as an empty object", () => {
    expect(smp(null, { metadata: { name: "x" } })).toEqual({ metadata: { name: "x" } });
  });
});

describe("applyStrategicMergePatch: lists of maps", () => {
  it("merges containers by name", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "sidecar", image: "envoy:1.30" }] } }) as any;
    expect(out.spec.containers).toEqual([pod().spec.containers[0], { name: "sidecar", image: "envoy:1.30" }]);
  });

  it("puts a new container first, as upstream does without $setElementOrder", () => {
    // kubernetes.io "Update API Objects in Place Using kubectl patch": patch-demo-ctr-2 lands first.
    const out = smp(
      { spec: { containers: [{ name: "patch-demo-ctr", image: "nginx" }] } },
      { spec: { containers: [{ name: "patch-demo-ctr-2", image: "redis" }] } },
    ) as any;
    expect(out.spec.containers).toEqual([
      { name: "patch-demo-ctr-2", image: "redis" },
      { name: "patch-demo-ctr", image: "nginx" },
    ]);
  });

  it("merges env by name inside a container, keeping server order for known items", () => {
    const out = smp(pod(), {
      spec: { containers: [{ name: "app", env: [{ name: "Y", value: "two" }, { name: "Z", value: "3" }] }] },
    }) as any;
    expect(out.spec.containers[0].env).toEqual([
      { name: "X", value: "1" },
      { name: "Y", value: "two" },
      { name: "Z", value: "3" },
    ]);
    expect(out.spec.containers[0].image).toBe("nginx");
  });

  it("merges ports by containerPort", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "app", ports: [{ containerPort: 80, name: "http" }] }] } }) as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 80, name: "http" }]);
  });

  it("deletes an item with $patch: delete", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } }) as any;
    expect(names(out.spec.containers)).toEqual(["app"]);
  });

  it("replaces a whole merge list with $patch: replace", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "only", image: "busybox" }, { $patch: "replace" }] } }) as any;
    expect(out.spec.containers).toEqual([{ name: "only", image: "busybox" }]);
  });

  it("replaces lists that have no merge strategy (tolerations)", () => {
    const out = smp(pod(), { spec: { tolerations: [{ key: "k2", operator: "Exists" }] } }) as any;
    expect(out.spec.tolerations).toEqual([{ key: "k2", operator: "Exists" }]);
  });

  it("processes directives inside a list the original lacks", () => {
    const out = smp({ spec: {} }, { spec: { volumes: [{ name: "v", emptyDir: {} }, { $patch: "replace" }], containers: [{ name: "c", env: null }] } }) as any;
    expect(out.spec).toEqual({ volumes: [{ name: "v", emptyDir: {} }], containers: [{ name: "c" }] });
  });

  it("requires the merge key", () => {
    const e = fails(pod(), { spec: { containers: [{ image: "httpd" }] } });
    expect(e.message).toBe("map: map[image:httpd] does not contain declared merge key: name");
    expect(e.code).toBe(422);
  });

  it("rejects unknown $patch values and unknown directives", () => {
    expect(fails(pod(), { metadata: { labels: { $patch: "frobnicate" } } }).message).toMatch(/^unknown patch type: frobnicate in map:/);
    expect(fails(pod(), { spec: { containers: [{ name: "app", $patch: "nope" }] } }).message).toMatch(/^unknown patch type: nope/);
    expect(fails(pod(), { spec: { $frobnicate: [] } }).code).toBe(400);
  });
});

describe("applyStrategicMergePatch: lists of primitives", () => {
  it("unions finalizers, keeping server order for items already there", () => {
    expect(smp(pod(), { metadata: { finalizers: ["b", "c"] } }).metadata).toMatchObject({ finalizers: ["a", "b", "c"] });
    // A new item goes before the remaining server-only ones, as upstream.
    expect(smp(pod(), { metadata: { finalizers: ["c"] } }).metadata).toMatchObject({ finalizers: ["c", "a", "b"] });
  });

  it("deletes with $deleteFromPrimitiveList", () => {
    expect(smp(pod(), { metadata: { "$deleteFromPrimitiveList/finalizers": ["a", "zz"] } }).metadata).toMatchObject({ finalizers: ["b"] });
    const noList = smp({ metadata: { name: "x" } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } });
    expect(noList).toEqual({ metadata: { name: "x" } });
  });

  it("combines additions and deletions as kubectl sends them", () => {
    const out = smp(pod(), {
      metadata: { "$setElementOrder/finalizers": ["c", "b"], finalizers: ["c"], "$deleteFromPrimitiveList/finalizers": ["a"] },
    });
    expect(out.metadata).toMatchObject({ finalizers: ["c", "b"] });
  });

  it("reorders with $setElementOrder alone, server-only items keeping their place", () => {
    const out = smp({ metadata: { finalizers: ["a", "b", "c"] } }, { metadata: { "$setElementOrder/finalizers": ["b", "a"] } });
    expect(out.metadata).toMatchObject({ finalizers: ["b", "a", "c"] });
  });

  it("rejects a patch list out of $setElementOrder's order", () => {
    const e = fails({ metadata: { finalizers: ["1", "3", "2"] } }, { metadata: { "$setElementOrder/finalizers": ["1", "2", "3"], finalizers: ["3", "1"] } });
    expect(e.message).toMatch(/doesn't match \$setElementOrder list/);
  });
});

describe("applyStrategicMergePatch: $setElementOrder on lists of maps", () => {
  const live = () => ({
    spec: {
      containers: [
        {
          name: "app",
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
            { name: "C", value: "server-added" },
          ],
        },
      ],
    },
  });

  it("orders the listed items and keeps server-only items in place", () => {
    // The user reordered A and B and added D; C was added by someone else.
    const out = smp(live(), {
      spec: {
        containers: [
          {
            name: "app",
            "$setElementOrder/env": [{ name: "B" }, { name: "A" }, { name: "D" }],
            env: [{ name: "D", value: "4" }],
          },
        ],
      },
    }) as any;
    expect(names(out.spec.containers[0].env)).toEqual(["B", "A", "D", "C"]);
  });

  it("applies deletions listed with the order", () => {
    const out = smp(live(), {
      spec: { containers: [{ name: "app", "$setElementOrder/env": [{ name: "A" }], env: [{ name: "B", $patch: "delete" }] }] },
    }) as any;
    expect(names(out.spec.containers[0].env)).toEqual(["A", "C"]);
  });
});

describe("applyStrategicMergePatch: $retainKeys", () => {
  it("clears keys not retained", () => {
    const out = smp(
      { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null } } },
      deploymentMeta,
    );
    expect(out).toEqual({ spec: { strategy: { type: "Recreate" } } });
  });

  it("rejects patch keys missing from the list", () => {
    const e = fails({ spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } }, deploymentMeta);
    expect(e.message).toBe("patch content doesn't match retainKeys list");
    expect(fails({ spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: "type" } } }, deploymentMeta).code).toBe(400);
  });
});

describe("applyStrategicMergePatch: a kubectl apply three-way patch", () => {
  it("updates a Deployment the way kube-apiserver does", () => {
    const lastApplied = "{...old...}";
    const live = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied, "deployment.kubernetes.io/revision": "1" },
        finalizers: ["example.com/keep"],
      },
      spec: {
        replicas: 5, // set by an autoscaler, absent from the applied config
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              {
                name: "web",
                image: "nginx:1.25",
                imagePullPolicy: "IfNotPresent",
                env: [
                  { name: "A", value: "1" },
                  { name: "B", value: "2" },
                ],
                ports: [{ containerPort: 80, protocol: "TCP" }],
                terminationMessagePath: "/dev/termination-log",
              },
            ],
            restartPolicy: "Always",
            dnsPolicy: "ClusterFirst",
          },
        },
      },
    };
    // What kubectl apply computes (CreateThreeWayMergePatch) after the user changed the image,
    // replaced env B by C, added port 443, switched to Recreate and added a template label.
    const patch = {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...new...}" } },
      spec: {
        strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" },
        template: {
          metadata: { labels: { tier: "frontend" } },
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [
              {
                "$setElementOrder/env": [{ name: "A" }, { name: "C" }],
                "$setElementOrder/ports": [{ containerPort: 80 }, { containerPort: 443 }],
                env: [{ name: "C", value: "3" }, { $patch: "delete", name: "B" }],
                image: "nginx:1.26",
                name: "web",
                ports: [{ containerPort: 443, protocol: "TCP" }],
              },
            ],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(live, patch, deploymentMeta);
    expect(out).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...new...}", "deployment.kubernetes.io/revision": "1" },
        finalizers: ["example.com/keep"],
      },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "Recreate" },
        template: {
          metadata: { labels: { app: "web", tier: "frontend" } },
          spec: {
            containers: [
              {
                name: "web",
                image: "nginx:1.26",
                imagePullPolicy: "IfNotPresent",
                env: [
                  { name: "A", value: "1" },
                  { name: "C", value: "3" },
                ],
                ports: [
                  { containerPort: 80, protocol: "TCP" },
                  { containerPort: 443, protocol: "TCP" },
                ],
                terminationMessagePath: "/dev/termination-log",
              },
            ],
            restartPolicy: "Always",
            dnsPolicy: "ClusterFirst",
          },
        },
      },
    });
  });
});

describe("applyStrategicMergePatch without metadata", () => {
  it("merges maps and replaces lists", () => {
    expect(applyStrategicMergePatch({ a: { b: 1 }, l: [1, 2] }, { a: { c: 2 }, l: [3] }, noPatchMeta)).toEqual({ a: { b: 1, c: 2 }, l: [3] });
  });
  it("rejects a patch that is not an object", () => {
    for (const p of [[], "x", null]) {
      expect(() => applyStrategicMergePatch({}, p, noPatchMeta)).toThrow(PatchError);
    }
  });
});

describe("applyStrategicMergePatch: volumes with $retainKeys, ownerReferences by uid", () => {
  it("switches a volume's source as kubectl apply sends it", () => {
    const out = smp(
      { spec: { volumes: [{ name: "cfg", emptyDir: {} }, { name: "data", emptyDir: {} }] } },
      { spec: { volumes: [{ name: "cfg", $retainKeys: ["configMap", "name"], configMap: { name: "app" }, emptyDir: null }] } },
    ) as any;
    expect(out.spec.volumes).toEqual([
      { name: "cfg", configMap: { name: "app" } },
      { name: "data", emptyDir: {} },
    ]);
  });

  it("merges ownerReferences by uid", () => {
    const out = smp(
      { metadata: { ownerReferences: [{ uid: "1", kind: "ReplicaSet", name: "rs" }] } },
      { metadata: { ownerReferences: [{ uid: "1", blockOwnerDeletion: true }] } },
    ) as any;
    expect(out.metadata.ownerReferences).toEqual([{ uid: "1", kind: "ReplicaSet", name: "rs", blockOwnerDeletion: true }]);
  });
});
