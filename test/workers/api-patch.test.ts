// PATCH: JSON merge patch, JSON patch (RFC 6902), strategic merge patch, and their errors.
import { describe, expect, it } from "vitest";
import { api, cm, get, newNs, patch, post, settle } from "./helpers.js";

// Pods refuse most spec changes (upstream's pod update validation), so list merging is shown on
// a Deployment's pod template; pods are used where only metadata or images change.
const tpl = "/spec/template/spec";
async function podWith(ns: string) {
  const r = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "p", labels: { a: "1", b: "2" } },
    spec: {
      selector: { matchLabels: { app: "p" } },
      template: {
        metadata: { labels: { app: "p" } },
        spec: {
          containers: [
            { name: "app", image: "app:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] },
            { name: "side", image: "side:1" },
          ],
        },
      },
    },
  });
  expect(r.status, r.text).toBe(201);
  return `/apis/apps/v1/namespaces/${ns}/deployments/p`;
}
const tspec = (o: any) => o.spec.template.spec;
const wrap = (spec: unknown) => ({ spec: { template: { spec } } });

describe("merge patch", () => {
  it("sets, replaces and removes (null) fields; lists are replaced whole", async () => {
    const ns = await newNs("pm");
    const path = await podWith(ns);
    const r = await patch(path, "merge", { metadata: { labels: { a: null, c: "3" } }, ...wrap({ containers: [{ name: "only", image: "only:1" }] }) });
    expect(r.status, r.text).toBe(200);
    expect(r.body.metadata.labels).toEqual({ b: "2", c: "3" });
    expect(tspec(r.body).containers.map((c: any) => c.name)).toEqual(["only"]);
    expect(tspec(r.body).containers[0].imagePullPolicy).toBe("IfNotPresent");
  });

  it("with a stale resourceVersion in the patch → 409", async () => {
    const ns = await newNs("pm");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const a = (await post(path, cm("x"))).body;
    await patch(`${path}/x`, "merge", { data: { k: "2" } });
    const r = await patch(`${path}/x`, "merge", { metadata: { resourceVersion: a.metadata.resourceVersion }, data: { k: "3" } });
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe("Conflict");
    expect((await get(`${path}/x`)).body.data).toEqual({ k: "2" });
  });
});

describe("json patch", () => {
  it("applies add, replace, remove, test in order", async () => {
    const ns = await newNs("pj");
    const path = await podWith(ns);
    const r = await patch(path, "json", [
      { op: "test", path: "/metadata/labels/a", value: "1" },
      { op: "replace", path: `${tpl}/containers/0/image`, value: "app:2" },
      { op: "add", path: "/metadata/labels/d", value: "4" },
      { op: "remove", path: "/metadata/labels/b" },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body.metadata.labels).toEqual({ a: "1", d: "4" });
    expect(tspec(r.body).containers[0].image).toBe("app:2");
  });

  it("a failing test op → 422 and nothing written", async () => {
    const ns = await newNs("pj");
    const path = await podWith(ns);
    // The Deployment controller writes the revision annotation and the status after the create:
    // let it finish, so "nothing written" compares against the object it left.
    await settle(ns);
    const before = (await get(path)).body;
    const r = await patch(path, "json", [
      { op: "replace", path: "/metadata/labels/a", value: "changed" },
      { op: "test", path: "/metadata/labels/b", value: "nope" },
    ]);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    const after = (await get(path)).body;
    expect(after).toEqual(before);
  });

  it("an object instead of an operation list → 400", async () => {
    const ns = await newNs("pj");
    const path = await podWith(ns);
    const r = await patch(path, "json", { op: "add" });
    expect(r.status).toBe(400);
  });
});

describe("strategic merge patch", () => {
  it("merges containers by name and env by name", async () => {
    const ns = await newNs("ps");
    const path = await podWith(ns);
    const r = await patch(path, "strategic", wrap({ containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "two" }, { name: "C", value: "3" }] }] }));
    expect(r.status, r.text).toBe(200);
    const cs = tspec(r.body).containers;
    expect(cs.map((c: any) => [c.name, c.image])).toEqual([
      ["app", "app:2"],
      ["side", "side:1"],
    ]);
    expect(cs[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "two" },
      { name: "C", value: "3" },
    ]);
  });

  it("$patch: delete removes a container by name", async () => {
    const ns = await newNs("ps");
    const path = await podWith(ns);
    const r = await patch(path, "strategic", wrap({ containers: [{ name: "side", $patch: "delete" }] }));
    expect(r.status, r.text).toBe(200);
    expect(tspec(r.body).containers.map((c: any) => c.name)).toEqual(["app"]);
  });

  it("a pod's image changes merge by container name; other pod spec changes are refused", async () => {
    const ns = await newNs("ps");
    const base = `/api/v1/namespaces/${ns}/pods`;
    await post(base, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] } });
    const r = await patch(`${base}/p`, "strategic", { spec: { containers: [{ name: "b", image: "b:2" }] } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(["a=a:1", "b=b:2"]);
    const bad = await patch(`${base}/p`, "strategic", { spec: { containers: [{ name: "b", $patch: "delete" }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0]).toMatchObject({ reason: "FieldValueForbidden", field: "spec" });
  });
});

describe("patch errors", () => {
  it("an unknown content type → 415", async () => {
    const ns = await newNs("pe");
    const path = await podWith(ns);
    const r = await api("PATCH", path, { metadata: {} }, { "content-type": "application/json" });
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ reason: "UnsupportedMediaType", code: 415 });
    expect(r.body.message).toMatch(/^the body of the request was in an unknown format - accepted media types include: /);
  });

  it("patch of a missing object → 404", async () => {
    const ns = await newNs("pe");
    const r = await patch(`/api/v1/namespaces/${ns}/configmaps/nope`, "merge", { data: { a: "b" } });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: "NotFound", message: `configmaps "nope" not found`, details: { name: "nope", kind: "configmaps" } });
    expect((await get(`/api/v1/namespaces/${ns}/configmaps`)).body.items).toEqual([]);
  });

  it("a patch that changes the name → 422 and nothing written", async () => {
    const ns = await newNs("pe");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("x"));
    const r = await patch(`${path}/x`, "merge", { metadata: { name: "y" } });
    expect(r.status).toBe(422);
    expect((await get(path)).body.items.map((i: any) => i.metadata.name)).toEqual(["x"]);
  });

  it("a patch producing an invalid object → 422 with causes", async () => {
    const ns = await newNs("pe");
    await post(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "a", image: "a:1" }] } } },
    });
    const r = await patch(`/apis/apps/v1/namespaces/${ns}/deployments/d`, "merge", { spec: { replicas: -1 } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(`Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`);
    expect((await get(`/apis/apps/v1/namespaces/${ns}/deployments/d`)).body.spec.replicas).toBe(1);
  });
});
