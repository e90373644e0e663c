// PATCH through @kubernetes/client-node (content type chosen with setHeaderOptions and
// PatchStrategy) against a real `edgeplane up`: JSON merge patch, JSON patch, strategic merge
// patch, and what kubectl's client-side apply sends (hand-built, and with kubectl itself).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { expectApiError, settled, uniq } from "./helpers.js";

let h: Edgeplane;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
const NS = "patch";

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const strategic = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
  h = await startEdgeplane();
  kc = kubeClient(h);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(async () => {
  await h?.stop();
});

const rv = (o: { metadata?: { resourceVersion?: string } }) => Number(o.metadata?.resourceVersion);

function deployment(name: string): V1Deployment {
  return {
    metadata: { name, labels: { app: name, tier: "front" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.25",
              ports: [{ containerPort: 80, name: "http" }, { containerPort: 443, name: "https" }],
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
            },
            { name: "sidecar", image: "busybox:1.36", command: ["sleep", "3600"] },
          ],
        },
      },
    },
  };
}

async function newConfigMap(data: Record<string, string> = { a: "1", b: "2" }, labels?: Record<string, string>) {
  const name = uniq("cm");
  const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, labels }, data } });
  return { name, cm };
}

describe("JSON merge patch (application/merge-patch+json)", () => {
  it("adds, replaces and removes (null) keys", async () => {
    const { name, cm } = await newConfigMap({ a: "1", b: "2" }, { keep: "yes", drop: "yes" });
    const out = await core.patchNamespacedConfigMap(
      { name, namespace: NS, body: { metadata: { labels: { drop: null, added: "yes" } }, data: { a: "10", b: null, c: "3" } } },
      merge,
    );
    expect(out.data).toEqual({ a: "10", c: "3" });
    expect(out.metadata?.labels).toEqual({ keep: "yes", added: "yes" });
    expect(rv(out)).toBeGreaterThan(rv(cm));
    expect(out.metadata?.uid).toBe(cm.metadata?.uid);
    const read = await core.readNamespacedConfigMap({ name, namespace: NS });
    expect(read.data).toEqual({ a: "10", c: "3" });
    expect(read.metadata?.resourceVersion).toBe(out.metadata?.resourceVersion);
  });

  it("replaces lists whole (no merge keys)", async () => {
    const name = uniq("mp");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    const out = await apps.patchNamespacedDeployment(
      { name, namespace: NS, body: { spec: { template: { spec: { containers: [{ name: "only", image: "nginx:1.26" }] } } } } },
      merge,
    );
    const cs = out.spec?.template.spec?.containers ?? [];
    expect(cs.map((c) => c.name)).toEqual(["only"]);
    expect(cs[0].imagePullPolicy).toBe("IfNotPresent"); // defaults apply to the patched object
    expect(out.metadata?.generation).toBe(2);
  });

  it("honours a resourceVersion in the patch (409 when stale) and leaves the object alone", async () => {
    const { name, cm } = await newConfigMap();
    await core.patchNamespacedConfigMap({ name, namespace: NS, body: { data: { a: "x" } } }, merge);
    const s = await expectApiError(
      core.patchNamespacedConfigMap({ name, namespace: NS, body: { metadata: { resourceVersion: cm.metadata!.resourceVersion }, data: { a: "stale" } } }, merge),
      409,
      "Conflict",
    );
    expect(s.message).toBe(`Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    expect((await core.readNamespacedConfigMap({ name, namespace: NS })).data?.a).toBe("x");
  });

  it("answers 404 for a missing object and 422 when the result is invalid", async () => {
    await expectApiError(core.patchNamespacedConfigMap({ name: "missing", namespace: NS, body: { data: { a: "1" } } }, merge), 404, "NotFound");
    const name = uniq("inv");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    // The Deployment controller writes the object after the create: "nothing written" compares against what it left.
    const d = await settled(() => apps.readNamespacedDeployment({ name, namespace: NS }));
    const s = await expectApiError(apps.patchNamespacedDeployment({ name, namespace: NS, body: { spec: { replicas: -3 } } }, merge), 422, "Invalid");
    expect(s.message).toBe(`Deployment.apps "${name}" is invalid: spec.replicas: Invalid value: -3: must be greater than or equal to 0`);
    const after = await apps.readNamespacedDeployment({ name, namespace: NS });
    expect(after.spec?.replicas).toBe(2);
    expect(after.metadata?.resourceVersion).toBe(d.metadata?.resourceVersion);
  });
});

describe("JSON patch (application/json-patch+json)", () => {
  it("applies add, replace, remove, copy, move and a passing test, in order", async () => {
    const { name } = await newConfigMap({ a: "1", b: "2" });
    const out = await core.patchNamespacedConfigMap(
      {
        name,
        namespace: NS,
        body: [
          { op: "test", path: "/data/a", value: "1" },
          { op: "replace", path: "/data/a", value: "one" },
          { op: "add", path: "/data/c", value: "3" },
          { op: "copy", from: "/data/c", path: "/data/d" },
          { op: "move", from: "/data/b", path: "/data/e" },
          { op: "remove", path: "/data/c" },
          { op: "add", path: "/metadata/labels", value: {} },
          { op: "add", path: "/metadata/labels/x~1y", value: "slash" }, // ~1 is '/'
        ],
      },
      jsonPatch,
    );
    expect(out.data).toEqual({ a: "one", d: "3", e: "2" });
    expect(out.metadata?.labels).toEqual({ "x/y": "slash" });
  });

  it("edits lists by index, including '-' for append", async () => {
    const name = uniq("jp");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    const out = await apps.patchNamespacedDeployment(
      {
        name,
        namespace: NS,
        body: [
          { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.27" },
          { op: "add", path: "/spec/template/spec/containers/0/env/-", value: { name: "Z", value: "26" } },
          { op: "remove", path: "/spec/template/spec/containers/1" },
        ],
      },
      jsonPatch,
    );
    const cs = out.spec!.template.spec!.containers;
    expect(cs.map((c) => c.name)).toEqual(["web"]);
    expect(cs[0].image).toBe("nginx:1.27");
    expect(cs[0].env?.map((e) => e.name)).toEqual(["A", "B", "Z"]);
  });

  it("a failing test op: 422 and nothing written", async () => {
    const { name, cm } = await newConfigMap({ a: "1" });
    const s = await expectApiError(
      core.patchNamespacedConfigMap(
        {
          name,
          namespace: NS,
          body: [
            { op: "replace", path: "/data/a", value: "changed" },
            { op: "test", path: "/data/a", value: "1" },
          ],
        },
        jsonPatch,
      ),
      422,
      "Invalid",
    );
    expect(s.code).toBe(422);
    const after = await core.readNamespacedConfigMap({ name, namespace: NS });
    expect(after.data).toEqual({ a: "1" });
    expect(after.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it("a path that does not exist: 422; a body that is not a list of operations: 400", async () => {
    const { name, cm } = await newConfigMap({ a: "1" });
    await expectApiError(core.patchNamespacedConfigMap({ name, namespace: NS, body: [{ op: "remove", path: "/data/nope" }] }, jsonPatch), 422, "Invalid");
    await expectApiError(core.patchNamespacedConfigMap({ name, namespace: NS, body: { data: { a: "2" } } }, jsonPatch), 400, "BadRequest");
    const after = await core.readNamespacedConfigMap({ name, namespace: NS });
    expect(after.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });
});

describe("strategic merge patch (application/strategic-merge-patch+json)", () => {
  it("merges containers by name and env by name, keeping what the patch does not name", async () => {
    const name = uniq("smp");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    const out = await apps.patchNamespacedDeployment(
      {
        name,
        namespace: NS,
        body: {
          metadata: { labels: { extra: "1" } },
          spec: {
            template: {
              spec: {
                containers: [
                  { name: "web", image: "nginx:1.26", env: [{ name: "B", value: "20" }, { name: "C", value: "3" }] },
                  { name: "added", image: "redis:7" },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    const cs = out.spec!.template.spec!.containers;
    // Upstream's order (normalizeElementOrder): patch items keep their order, server-only items
    // are slotted in by their live position only where both are known: web, added, sidecar.
    expect(cs.map((c) => c.name)).toEqual(["web", "added", "sidecar"]);
    expect(cs[0].image).toBe("nginx:1.26");
    expect(cs[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "20" },
      { name: "C", value: "3" },
    ]);
    expect(cs[0].ports?.map((p) => p.containerPort)).toEqual([80, 443]); // untouched
    expect(cs[2].command).toEqual(["sleep", "3600"]);
    expect(cs[1].imagePullPolicy).toBe("IfNotPresent");
    expect(out.metadata?.labels).toEqual({ app: name, tier: "front", extra: "1" });
  });

  it("$patch: delete removes a list element by its merge key; ports merge by containerPort", async () => {
    const name = uniq("smpd");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    const out = await apps.patchNamespacedDeployment(
      {
        name,
        namespace: NS,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { $patch: "delete", name: "sidecar" },
                  { name: "web", env: [{ $patch: "delete", name: "A" }], ports: [{ containerPort: 443, name: "tls" }, { containerPort: 8080, name: "alt" }] },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    const cs = out.spec!.template.spec!.containers;
    expect(cs.map((c) => c.name)).toEqual(["web"]);
    expect(cs[0].env).toEqual([{ name: "B", value: "2" }]);
    expect(cs[0].ports?.map((p) => [p.containerPort, p.name])).toEqual([
      [80, "http"],
      [443, "tls"],
      [8080, "alt"],
    ]);
  });

  it("$retainKeys switches a deployment to Recreate (as kubectl does); null removes a map key", async () => {
    const name = uniq("smpr");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    const out = await apps.patchNamespacedDeployment(
      { name, namespace: NS, body: { metadata: { labels: { tier: null } }, spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } } },
      strategic,
    );
    expect(out.spec?.strategy).toEqual({ type: "Recreate" });
    expect(out.metadata?.labels).toEqual({ app: name });
  });

  it("$deleteFromPrimitiveList removes finalizers by value; $patch: replace replaces a map", async () => {
    const { name } = await newConfigMap({ a: "1", b: "2" });
    await core.patchNamespacedConfigMap({ name, namespace: NS, body: { metadata: { finalizers: ["x.io/a", "x.io/b", "x.io/c"] } } }, merge);
    const out = await core.patchNamespacedConfigMap(
      { name, namespace: NS, body: { metadata: { "$deleteFromPrimitiveList/finalizers": ["x.io/b"] }, data: { $patch: "replace", only: "this" } } },
      strategic,
    );
    expect(out.metadata?.finalizers).toEqual(["x.io/a", "x.io/c"]);
    expect(out.data).toEqual({ only: "this" });
    await core.patchNamespacedConfigMap({ name, namespace: NS, body: { metadata: { finalizers: null } } }, merge);
  });

  it("a patch that would make the object invalid: 422, nothing written", async () => {
    const name = uniq("smpi");
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    // The Deployment controller writes the object after the create: "nothing written" compares against what it left.
    const d = await settled(() => apps.readNamespacedDeployment({ name, namespace: NS }));
    await expectApiError(
      apps.patchNamespacedDeployment({ name, namespace: NS, body: { spec: { template: { spec: { containers: [{ name: "web", image: "" }] } } } } }, strategic),
      422,
      "Invalid",
    );
    expect(rv(await apps.readNamespacedDeployment({ name, namespace: NS }))).toBe(rv(d));
  });
});

describe("kubectl client-side apply", () => {
  it("accepts the patch kubectl sends on a second apply (last-applied annotation, $setElementOrder, deletes)", async () => {
    const name = uniq("apply");
    const first = deployment(name);
    const lastApplied = (obj: unknown) => JSON.stringify(obj) + "\n";
    first.metadata!.annotations = { "kubectl.kubernetes.io/last-applied-configuration": lastApplied({ apiVersion: "apps/v1", kind: "Deployment", ...first }) };
    // kubectl's create: POST with the annotation, fieldManager kubectl-client-side-apply.
    const created = await apps.createNamespacedDeployment({ namespace: NS, body: first, fieldManager: "kubectl-client-side-apply" });

    const second = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { annotations: {}, labels: { app: name }, name, namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ env: [{ name: "A", value: "1" }, { name: "C", value: "3" }], image: "nginx:1.26", name: "web" }] },
        },
      },
    };
    // Exactly the shape kubectl 1.32 computes for this change (three-way strategic merge patch).
    const patch = {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied(second) }, labels: { tier: null } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [
              {
                "$setElementOrder/env": [{ name: "A" }, { name: "C" }],
                env: [{ name: "C", value: "3" }, { $patch: "delete", name: "B" }],
                image: "nginx:1.26",
                name: "web",
              },
              { $patch: "delete", name: "sidecar" },
            ],
          },
        },
      },
    };
    const out = await apps.patchNamespacedDeployment(
      { name, namespace: NS, body: patch, fieldManager: "kubectl-client-side-apply", fieldValidation: "Ignore" },
      strategic,
    );
    expect(out.metadata?.labels).toEqual({ app: name });
    expect(out.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toBe(lastApplied(second));
    const cs = out.spec!.template.spec!.containers;
    expect(cs.map((c) => c.name)).toEqual(["web"]);
    expect(cs[0].image).toBe("nginx:1.26");
    expect(cs[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "C", value: "3" },
    ]);
    expect(cs[0].ports?.map((p) => p.containerPort)).toEqual([80, 443]); // not in either config: kept
    expect(out.metadata?.generation).toBe(2);
    expect(out.metadata?.uid).toBe(created.metadata?.uid);
  });

  it("with kubectl itself: create, configure, unchanged (kubectl apply --validate=false)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-apply-"));
    const env = { ...process.env, KUBECONFIG: h.kubeconfigPath };
    const kubectl = (...args: string[]) => execFileSync("kubectl", args, { env, encoding: "utf8" }).trim();
    try {
      const name = uniq("kapply");
      const v1 = deployment(name);
      const file = join(dir, "d.json");
      writeFileSync(file, JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", ...v1 }));
      expect(kubectl("apply", "--validate=false", "-n", NS, "-f", file)).toBe(`deployment.apps/${name} created`);
      const v2 = structuredClone(v1);
      v2.metadata!.labels = { app: name };
      v2.spec!.template.spec!.containers = [{ name: "web", image: "nginx:1.26", env: [{ name: "A", value: "1" }] }];
      writeFileSync(file, JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", ...v2 }));
      expect(kubectl("apply", "--validate=false", "-n", NS, "-f", file)).toBe(`deployment.apps/${name} configured`);
      // The Deployment controller rolls the new template out (ReplicaSet, annotation, status): the
      // "unchanged" apply is checked against the object it left.
      const d = await settled(() => apps.readNamespacedDeployment({ name, namespace: NS }));
      expect(d.metadata?.labels).toEqual({ app: name });
      expect(d.spec!.template.spec!.containers.map((c) => [c.name, c.image, c.env?.map((e) => e.name)])).toEqual([["web", "nginx:1.26", ["A"]]]);
      expect(kubectl("apply", "--validate=false", "-n", NS, "-f", file)).toBe(`deployment.apps/${name} unchanged`);
      expect((await apps.readNamespacedDeployment({ name, namespace: NS })).metadata?.resourceVersion).toBe(d.metadata?.resourceVersion);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // kubectl apply/create validate manifests by default and download the OpenAPI document for
  // it; edgeplane serves neither /openapi/v3 nor /openapi/v2, so a plain `kubectl apply -f`
  // fails with "failed to download openapi ... turn validation off with --validate=false".
  it("plain `kubectl apply -f` (default validation) works", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-apply-"));
    try {
      const file = join(dir, "cm.json");
      const name = uniq("plain");
      writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } }));
      const out = execFileSync("kubectl", ["apply", "-n", NS, "-f", file], { env: { ...process.env, KUBECONFIG: h.kubeconfigPath }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(out.trim()).toBe(`configmap/${name} created`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("server-side apply conflicts on a field another manager set, and takes it over with force", async () => {
    const { name, cm } = await newConfigMap();
    const path = `/api/v1/namespaces/${NS}/configmaps/${name}`;
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "ssa" } });
    const headers = { "content-type": "application/apply-patch+yaml" };
    const res = await api(h, "PATCH", `${path}?fieldManager=test`, body, headers);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ kind: "Status", status: "Failure", code: 409, reason: "Conflict" });
    expect(res.body.message).toMatch(/^Apply failed with 1 conflict: conflict with ".+"( using v1)?: \.data\.a$/);
    expect(res.body.details.causes).toEqual([expect.objectContaining({ reason: "FieldManagerConflict", field: ".data.a" })]);
    expect((await core.readNamespacedConfigMap({ name, namespace: NS })).metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);

    const forced = await api(h, "PATCH", `${path}?fieldManager=test&force=true`, body, headers);
    expect(forced.status).toBe(200);
    expect(forced.body.data.a).toBe("ssa");
    const entry = forced.body.metadata.managedFields.find((m: any) => m.manager === "test");
    expect(entry).toMatchObject({ operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1" });
    expect(entry.fieldsV1).toMatchObject({ "f:data": { "f:a": {} } });
  });

  it("an unknown patch content type is refused with 415", async () => {
    const { name } = await newConfigMap();
    const res = await api(h, "PATCH", `/api/v1/namespaces/${NS}/configmaps/${name}`, JSON.stringify({ data: { a: "x" } }), { "content-type": "application/json" });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ kind: "Status", code: 415, reason: "UnsupportedMediaType" });
  });
});
