// Server-side apply and managedFields through the generic registry, over the in-memory store.
import { beforeEach, describe, expect, it } from "vitest";
import { findKind, type KindDef, type KubeObject } from "../../apis/index.js";
import { StatusError } from "../../lib/status.js";
import { newMemoryStore } from "../../storage/memory.js";
import { GenericStore } from "../generic-store.js";

const deployments = findKind("apps", "v1", "deployments")!;
const configmaps = findKind("", "v1", "configmaps")!;

let nowMs = Date.parse("2024-05-01T10:00:00Z");
let store: GenericStore;
beforeEach(() => {
  nowMs = Date.parse("2024-05-01T10:00:00Z");
  store = new GenericStore(newMemoryStore(() => nowMs), "default", () => nowMs);
});

function deployment(replicas: number | undefined, containers: Array<Record<string, unknown>> = [{ name: "nginx", image: "nginx:1.25" }], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
      ...extra,
    },
  };
}

const apply = (def: KindDef, body: unknown, manager = "kubectl", extra: { force?: boolean; dryRun?: boolean } = {}) =>
  store.patch(def, (body as KubeObject).metadata.name as string, "apply", body, undefined, { fieldManager: manager, ...extra });

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error("expected a StatusError");
}

const managed = (obj: unknown) => ((obj as KubeObject).metadata.managedFields ?? []) as Array<Record<string, any>>;
const entry = (obj: unknown, manager: string, operation = "Apply") => managed(obj).find((e) => e.manager === manager && e.operation === operation);

describe("server-side apply: create", () => {
  it("creates a missing object (201) with an Apply entry for its manager", () => {
    const res = apply(deployments, deployment(2));
    expect(res.code).toBe(201);
    const obj = res.body as KubeObject;
    expect((obj.spec as any).replicas).toBe(2);
    expect((obj.spec as any).strategy.type).toBe("RollingUpdate"); // defaulted after the merge
    expect(managed(obj)).toHaveLength(1);
    expect(managed(obj)[0]).toEqual({
      manager: "kubectl",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: "2024-05-01T10:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": { "f:matchLabels": { "f:app": {} } },
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {} } } },
          },
        },
      },
    });
    // GET returns managedFields.
    expect(managed(store.get(deployments, "web"))).toEqual(managed(obj));
  });

  it("requires a fieldManager (422 on PatchOptions)", () => {
    const e = statusOf(() => store.patch(deployments, "web", "apply", deployment(1), undefined, {}));
    expect(e.status).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: "meta.k8s.io", kind: "PatchOptions", causes: [{ reason: "FieldValueRequired", field: "fieldManager" }] },
    });
  });

  it("refuses a configuration of another kind or version, or one carrying managedFields", () => {
    expect(statusOf(() => apply(deployments, { ...deployment(1), apiVersion: "apps/v1beta1" })).status).toMatchObject({ code: 400, message: "invalid object type: apps/v1beta1, Kind=Deployment" });
    const cfg = deployment(1);
    (cfg.metadata as any).managedFields = [];
    expect(statusOf(() => apply(deployments, cfg)).status).toMatchObject({ code: 400, message: "metadata.managedFields must be nil" });
  });

  it("refuses an associative list item without its key", () => {
    const e = statusOf(() => apply(deployments, deployment(1, [{ image: "nginx" }])));
    expect(e.status.code).toBe(500);
    expect(e.status.message).toBe(
      'failed to create typed patch object (web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });

  it("dry run answers the object and writes nothing", () => {
    const res = apply(deployments, deployment(1), "kubectl", { dryRun: true });
    expect(managed(res.body)).toHaveLength(1);
    expect(statusOf(() => store.get(deployments, "web")).status.code).toBe(404);
  });
});

describe("server-side apply: update by the same manager", () => {
  it("re-applying the same configuration changes nothing (same resourceVersion, same time)", () => {
    const first = apply(deployments, deployment(2)).body as KubeObject;
    nowMs += 60_000;
    const again = apply(deployments, deployment(2));
    expect(again.code).toBe(200);
    const obj = again.body as KubeObject;
    expect(obj.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(obj.metadata.managedFields).toEqual(first.metadata.managedFields);
  });

  it("a changed value is written, generation bumps, the entry's time moves", () => {
    const first = apply(deployments, deployment(2)).body as KubeObject;
    nowMs += 60_000;
    const obj = apply(deployments, deployment(4)).body as KubeObject;
    expect((obj.spec as any).replicas).toBe(4);
    expect(obj.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    expect(obj.metadata.generation).toBe(2);
    expect(entry(obj, "kubectl")!.time).toBe("2024-05-01T10:01:00Z");
  });

  it("a field the manager applied before and leaves out now is removed", () => {
    apply(deployments, deployment(3, undefined, { minReadySeconds: 5 }));
    const cfg = deployment(undefined);
    (cfg.metadata as any).labels = undefined;
    const obj = apply(deployments, { ...cfg, metadata: { name: "web" } }).body as KubeObject;
    const spec = obj.spec as any;
    expect(spec.minReadySeconds).toBeUndefined();
    expect(spec.replicas).toBe(1); // removed, then defaulted again
    expect(obj.metadata.labels).toBeUndefined();
    expect(entry(obj, "kubectl")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    expect(entry(obj, "kubectl")!.fieldsV1["f:metadata"]).toBeUndefined();
  });

  it("a field another manager also owns stays when the applier drops it", () => {
    apply(deployments, deployment(3));
    apply(deployments, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } }, "hpa");
    const obj = apply(deployments, deployment(undefined)).body as KubeObject;
    expect((obj.spec as any).replicas).toBe(3);
    expect(entry(obj, "kubectl")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    expect(entry(obj, "hpa")!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("a container dropped from the configuration is removed; containers merge by name", () => {
    apply(deployments, deployment(1, [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }]));
    const obj = apply(deployments, deployment(1, [{ name: "b", image: "b:2" }])).body as KubeObject;
    const containers = (obj.spec as any).template.spec.containers;
    expect(containers.map((c: any) => [c.name, c.image])).toEqual([["b", "b:2"]]);
  });
});

describe("server-side apply: conflicts", () => {
  it("changing a field another applier owns is a 409 with upstream's message and causes", () => {
    apply(deployments, deployment(2));
    const e = statusOf(() => apply(deployments, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 5 } }, "other"));
    expect(e.status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
      reason: "Conflict",
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.replicas" }] },
      code: 409,
    });
    expect((store.get(deployments, "web").spec as any).replicas).toBe(2);
  });

  it("setting the same value is shared ownership, not a conflict", () => {
    apply(deployments, deployment(2));
    const obj = apply(deployments, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } }, "other").body as KubeObject;
    expect(entry(obj, "kubectl")!.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(entry(obj, "other")!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("several conflicts are listed per manager", () => {
    apply(deployments, deployment(2, [{ name: "nginx", image: "nginx:1" }]));
    const e = statusOf(() => apply(deployments, deployment(5, [{ name: "nginx", image: "nginx:2" }]), "other"));
    expect(e.status.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
    expect(e.status.details?.causes?.map((c) => c.field)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="nginx"].image']);
  });

  it("force=true takes the fields over", () => {
    apply(deployments, deployment(2));
    const obj = apply(deployments, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 5 } }, "other", { force: true }).body as KubeObject;
    expect((obj.spec as any).replicas).toBe(5);
    expect(entry(obj, "other")!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(entry(obj, "kubectl")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    // The old owner now conflicts in turn.
    const e = statusOf(() => apply(deployments, deployment(2)));
    expect(e.status.message).toBe('Apply failed with 1 conflict: conflict with "other": .spec.replicas');
  });

  it("the classic flow: client-side apply, then server-side apply changing replicas", () => {
    // kubectl apply (client-side) creates with fieldManager kubectl-client-side-apply.
    store.create(deployments, deployment(1), { fieldManager: "kubectl-client-side-apply" });
    const created = store.get(deployments, "web");
    const csa = entry(created, "kubectl-client-side-apply", "Update")!;
    expect(csa).toMatchObject({ apiVersion: "apps/v1", fieldsType: "FieldsV1", time: "2024-05-01T10:00:00Z" });
    expect(csa.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(csa.fieldsV1["f:metadata"]).toEqual({ "f:labels": { ".": {}, "f:app": {} } });
    // kubectl apply --server-side --field-manager=deployer with another replica count.
    const e = statusOf(() => apply(deployments, deployment(3), "deployer"));
    expect(e.status.code).toBe(409);
    expect(e.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(e.status.details).toEqual({ causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }] });
    // --force-conflicts
    const obj = apply(deployments, deployment(3), "deployer", { force: true }).body as KubeObject;
    expect((obj.spec as any).replicas).toBe(3);
    expect(entry(obj, "kubectl-client-side-apply", "Update")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
  });

  it("kubectl's own server-side apply takes over fields its last-applied annotation set (upgrade from client-side apply)", () => {
    const cfg = deployment(1);
    const annotated = { ...cfg, metadata: { ...cfg.metadata, annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(cfg) + "\n" } } };
    store.create(deployments, annotated, { fieldManager: "kubectl-client-side-apply" });
    const obj = apply(deployments, deployment(3), "kubectl").body as KubeObject;
    expect((obj.spec as any).replicas).toBe(3);
    expect(JSON.parse(obj.metadata.annotations!["kubectl.kubernetes.io/last-applied-configuration"]).spec.replicas).toBe(3);
    // A field changed by someone else since (kubectl scale) still conflicts.
    store.patch(deployments, "web", "merge", { spec: { replicas: 7 } }, undefined, { fieldManager: "kubectl-scale" });
    const e = statusOf(() => apply(deployments, deployment(4), "kubectl"));
    expect(e.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  });
});

describe("server-side apply: lists and maps", () => {
  it("containers merge by name: another applier's container is kept, the order follows the appliers", () => {
    apply(deployments, deployment(1, [{ name: "app", image: "app:1" }]));
    const obj = apply(
      deployments,
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy:1" }] } } } },
      "mesh",
    ).body as KubeObject;
    const containers = (obj.spec as any).template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(["app", "sidecar"]);
    expect(containers[0].imagePullPolicy).toBe("IfNotPresent"); // defaults kept
    expect(entry(obj, "mesh")!.fieldsV1).toEqual({
      "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"sidecar"}': { ".": {}, "f:image": {}, "f:name": {} } } } } },
    });
    // Re-applying the first manager's configuration keeps the sidecar (mesh owns it).
    const again = apply(deployments, deployment(1, [{ name: "app", image: "app:2" }])).body as KubeObject;
    expect((again.spec as any).template.spec.containers.map((c: any) => [c.name, c.image])).toEqual([
      ["app", "app:2"],
      ["sidecar", "envoy:1"],
    ]);
  });

  it("container ports are keyed by containerPort and protocol (TCP by default)", () => {
    const obj = apply(deployments, deployment(1, [{ name: "app", image: "app:1", ports: [{ containerPort: 80 }] }])).body as KubeObject;
    expect(entry(obj, "kubectl")!.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']["f:ports"]).toEqual({
      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
    });
  });

  it("labels merge per key between managers; args (atomic) are replaced whole", () => {
    apply(configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { a: "1" } }, data: { x: "1" } });
    const obj = apply(configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { b: "2" } }, data: { y: "2" } }, "other").body as KubeObject;
    expect(obj.metadata.labels).toEqual({ a: "1", b: "2" });
    expect(obj.data).toEqual({ x: "1", y: "2" });
    apply(deployments, deployment(1, [{ name: "app", image: "app:1", args: ["a", "b"] }]));
    const d = apply(deployments, deployment(1, [{ name: "app", image: "app:1", args: ["c"] }])).body as KubeObject;
    expect((d.spec as any).template.spec.containers[0].args).toEqual(["c"]);
    expect(entry(d, "kubectl")!.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']["f:args"]).toEqual({});
  });
});

describe("managedFields on Update operations", () => {
  it("create, update and patch record the fields each request changed", () => {
    store.create(configmaps, { metadata: { name: "c" }, data: { a: "1" } }, { fieldManager: "kubectl-create" });
    nowMs += 1000;
    const cur = store.get(configmaps, "c");
    store.update(configmaps, "c", { ...cur, data: { a: "1", b: "2" } }, undefined, { fieldManager: "kubectl-edit" });
    nowMs += 1000;
    const obj = store.patch(configmaps, "c", "merge", { data: { a: "9" } }, undefined, { userAgent: "kubectl/v1.30.0 (linux/amd64) kubernetes/abc" }).body as KubeObject;
    expect(managed(obj)).toEqual([
      { manager: "kubectl-create", operation: "Update", apiVersion: "v1", time: "2024-05-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } },
      { manager: "kubectl-edit", operation: "Update", apiVersion: "v1", time: "2024-05-01T10:00:01Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:b": {} } } },
      { manager: "kubectl", operation: "Update", apiVersion: "v1", time: "2024-05-01T10:00:02Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} } } },
    ]);
  });

  it("an update that changes nothing leaves managedFields and resourceVersion alone", () => {
    store.create(configmaps, { metadata: { name: "c" }, data: { a: "1" } }, { fieldManager: "m" });
    const written = store.update(configmaps, "c", { ...store.get(configmaps, "c"), data: { a: "2" } }, undefined, { fieldManager: "m" }).body as KubeObject;
    nowMs += 5000;
    const res = store.update(configmaps, "c", structuredClone(written), undefined, { fieldManager: "other" }).body as KubeObject;
    expect(res.metadata.resourceVersion).toBe(written.metadata.resourceVersion);
    expect(res.metadata.managedFields).toEqual(written.metadata.managedFields);
    expect(managed(res).map((e) => e.manager)).toEqual(["m"]);
  });

  it("an update sending managedFields: [] resets them", () => {
    const created = store.create(configmaps, { metadata: { name: "c" }, data: { a: "1" } }, { fieldManager: "m" }).body as KubeObject;
    const res = store.update(configmaps, "c", { ...created, metadata: { ...created.metadata, managedFields: [] } }, undefined, { fieldManager: "other" }).body as KubeObject;
    expect(res.metadata.managedFields).toBeUndefined();
  });

  it("status writes are their own entries (subresource status) and do not take spec fields", () => {
    apply(deployments, deployment(1));
    const cur = store.get(deployments, "web");
    const obj = store.update(deployments, "web", { ...cur, status: { replicas: 1 } }, "status", { fieldManager: "kube-controller-manager" }).body as KubeObject;
    expect(entry(obj, "kube-controller-manager", "Update")).toMatchObject({ subresource: "status", fieldsV1: { "f:status": { "f:replicas": {} } } });
    // A later apply of status by the main resource owns nothing under status.
    const again = apply(deployments, { ...deployment(1), status: { replicas: 9 } }).body as KubeObject;
    expect((again.status as any).replicas).toBe(1);
    expect(entry(again, "kubectl")!.fieldsV1["f:status"]).toBeUndefined();
  });
});

describe("managedFields housekeeping", () => {
  it("keeps at most 10 Update entries, folding the oldest into ancient-changes", () => {
    store.create(configmaps, { metadata: { name: "c" }, data: {} }, { fieldManager: "m0" });
    for (let i = 1; i <= 11; i++) {
      nowMs += 1000;
      const cur = store.get(configmaps, "c");
      store.update(configmaps, "c", { ...cur, data: { ...(cur.data as object), [`k${i}`]: "v" } }, undefined, { fieldManager: `m${i}` });
    }
    const entries = managed(store.get(configmaps, "c"));
    expect(entries).toHaveLength(10);
    const ancient = entries.find((e) => e.manager === "ancient-changes")!;
    expect(ancient).toMatchObject({ operation: "Update", apiVersion: "v1" });
    expect(Object.keys(ancient.fieldsV1["f:data"]).sort()).toEqual([".", "f:k1", "f:k2"]);
    expect(entries.map((e) => e.manager)).not.toContain("m1");
  });

  it("server-side apply to the status subresource owns status fields only", () => {
    apply(deployments, deployment(1));
    const obj = store.patch(deployments, "web", "apply", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 9 }, status: { replicas: 1 } }, "status", { fieldManager: "ctrl" }).body as KubeObject;
    expect((obj.spec as any).replicas).toBe(1);
    expect((obj.status as any).replicas).toBe(1);
    expect(entry(obj, "ctrl")).toMatchObject({ subresource: "status", fieldsV1: { "f:status": { "f:replicas": {} } } });
  });
});

describe("scale", () => {
  it("a write through /scale is an Update entry with subresource scale owning .spec.replicas", () => {
    apply(deployments, deployment(1));
    store.update(deployments, "web", { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 4 } }, "scale", { userAgent: "kubectl/v1.31.0" });
    const obj = store.get(deployments, "web");
    expect(entry(obj, "kubectl", "Update")).toMatchObject({ subresource: "scale", fieldsV1: { "f:spec": { "f:replicas": {} } } });
    expect(entry(obj, "kubectl", "Apply")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    const e = statusOf(() => apply(deployments, deployment(2)));
    expect(e.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
  });
});
