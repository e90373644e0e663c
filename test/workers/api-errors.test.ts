// Bad input: each request is refused with upstream's Status and leaves nothing written.
import { describe, expect, it } from "vitest";
import { api, cm, deployment, get, names, newNs, post, put, raw } from "./helpers.js";

const listNames = async (path: string) => names((await get(path)).body);

describe("request bodies", () => {
  it("malformed JSON → 400", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await api("POST", path, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
    expect(r.body.message).toMatch(/json parse error/);
    expect(await listNames(path)).toEqual([]);
  });

  it("an empty body → 400", async () => {
    const ns = await newNs("e");
    const r = await api("POST", `/api/v1/namespaces/${ns}/configmaps`, "");
    expect(r.status).toBe(400);
  });

  it("a YAML body is accepted with application/yaml", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  labels:\n    from: yaml\ndata:\n  key: value\n";
    const r = await api("POST", path, yaml, { "content-type": "application/yaml" });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toEqual({ key: "value" });
    expect(r.body.metadata.labels).toEqual({ from: "yaml" });
    expect(await listNames(path)).toEqual(["y"]);
  });

  it("an unsupported content type → 415", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await api("POST", path, JSON.stringify(cm("x")), { "content-type": "text/plain" });
    expect(r.status).toBe(415);
    expect(await listNames(path)).toEqual([]);
  });

  it("a body over 3 MiB → 413", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const body = JSON.stringify(cm("big", { k: "x".repeat(3 * 1024 * 1024 + 10) }));
    const r = await api("POST", path, body);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ reason: "RequestEntityTooLarge", code: 413 });
    expect(await listNames(path)).toEqual([]);
  });

  it("a streamed body over 3 MiB without content-length → 413", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === 0) c.enqueue(new TextEncoder().encode(`{"metadata":{"name":"big"},"data":{"k":"`));
        if (sent++ < 4) c.enqueue(chunk);
        else {
          c.enqueue(new TextEncoder().encode(`"}}`));
          c.close();
        }
      },
    });
    const res = await raw("POST", path, { body: stream, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect((await res.json() as any).reason).toBe("RequestEntityTooLarge");
    expect(await listNames(path)).toEqual([]);
  });

  it("an object over 1.5 MiB (in a body under 3 MiB) → 413", async () => {
    // A Lease: no field-level size rule applies, so the per-object storage limit is what refuses it.
    const ns = await newNs("e");
    const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
    const lease = (name: string, holder: string) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: holder } });
    const r = await post(path, lease("big", "x".repeat(2 * 1024 * 1024)));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge", code: 413 });
    expect(r.body.message).toMatch(/^Request entity too large: object is \d+ bytes, the limit is 1572864 bytes$/);
    expect(await listNames(path)).toEqual([]);
    // The same through an update.
    const small = (await post(path, lease("small", "me"))).body;
    const u = await put(`${path}/small`, { ...small, spec: { holderIdentity: "x".repeat(2 * 1024 * 1024) } });
    expect(u.status).toBe(413);
    expect((await get(`${path}/small`)).body.spec.holderIdentity).toBe("me");
  });

  it("a ConfigMap with 2 MiB of data → 422 (upstream's 1 MiB data rule comes before the storage limit)", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await post(path, cm("big", { k: "x".repeat(2 * 1024 * 1024) }));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ reason: "Invalid" });
    expect(r.body.details.causes[0]).toMatchObject({ reason: "FieldValueTooLong" });
    expect(await listNames(path)).toEqual([]);
  });

  it("apiVersion or kind not matching the URL → 400", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const k = await post(path, { ...cm("x"), kind: "Secret" });
    expect(k.status).toBe(400);
    expect(k.body.message).toBe("the kind in the data (Secret) does not match the expected kind (ConfigMap)");
    const v = await post(path, { ...cm("x"), apiVersion: "apps/v1" });
    expect(v.status).toBe(400);
    expect(v.body.message).toBe("the API version in the data (apps/v1) does not match the expected API version (v1)");
    const d = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, { ...deployment("d"), apiVersion: "apps/v1beta1" });
    expect(d.status).toBe(400);
    expect(await listNames(path)).toEqual([]);
    expect(await listNames(`/apis/apps/v1/namespaces/${ns}/deployments`)).toEqual([]);
  });

  it("a body that is not an object → 400", async () => {
    const ns = await newNs("e");
    const r = await api("POST", `/api/v1/namespaces/${ns}/configmaps`, "[1,2]");
    expect(r.status).toBe(400);
  });

  it("a name in the body differing from the URL on PUT → 400", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await post(path, cm("x"));
    const r = await put(`${path}/x`, cm("y", { k: "2" }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: "BadRequest", message: "the name of the object (y) does not match the name on the URL (x)" });
    expect(await listNames(path)).toEqual(["x"]);
    expect((await get(`${path}/x`)).body.data).toEqual({ k: "v" });
  });

  it("a namespace in the body differing from the URL → 400", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await post(path, { ...cm("x"), metadata: { name: "x", namespace: "other" } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("the namespace of the provided object does not match the namespace sent on the request");
    expect(await listNames(path)).toEqual([]);
  });
});

describe("paths", () => {
  it("an unknown resource → 404", async () => {
    const ns = await newNs("e");
    for (const p of [`/api/v1/namespaces/${ns}/widgets`, `/api/v1/widgets`, `/apis/apps/v1/namespaces/${ns}/pods`, `/apis/apps/v2/deployments`]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body).toMatchObject({ kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
    }
  });

  it("an unknown subresource → 404", async () => {
    const ns = await newNs("e");
    await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("d"));
    const r = await get(`/apis/apps/v1/namespaces/${ns}/deployments/d/bogus`);
    expect(r.status).toBe(404);
    expect(r.body.reason).toBe("NotFound");
    const w = await put(`/apis/apps/v1/namespaces/${ns}/deployments/d/bogus`, deployment("d"));
    expect(w.status).toBe(404);
  });

  // Upstream (the registry's path.IsValidPathSegmentName check) answers 400 for a name that
  // cannot be a path segment. '/' and '%' reach the server percent-encoded and get that 400.
  it.each([
    ["a%2Fb", "a/b", "may not contain '/'"],
    ["%25", "%", "may not contain '%'"],
    ["a%25b", "a%b", "may not contain '%'"],
  ])("name %s → 400 and nothing written", async (segment, decoded, why) => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", cm(decoded)],
      ["PATCH", undefined],
      ["DELETE", undefined],
    ] as const) {
      const r = method === "PATCH" ? await api("PATCH", `${path}/${segment}`, { data: {} }, { "content-type": "application/merge-patch+json" }) : await api(method, `${path}/${segment}`, body);
      expect(r.status, `${method} ${segment}`).toBe(400);
      expect(r.body).toMatchObject({ kind: "Status", reason: "BadRequest", message: `invalid resource name "${decoded}": [${why}]` });
    }
    expect(await listNames(path)).toEqual([]);
  });

  // '.' and '..' (also as %2E/%2E%2E) are dot segments to every WHATWG URL parser: the client's
  // own Request (and workerd's) removes them before routing, so no request can name them. The
  // resolver still refuses them (400) should a path ever arrive unnormalized, and a body can't
  // create them (422, the name is checked as a path segment).
  it.each([".", ".."])("name %s cannot reach storage", async (name) => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    expect(new URL(`http://x${path}/${name === "." ? "%2E" : "%2E%2E"}`).pathname).toBe(name === "." ? `${path}/` : `/api/v1/namespaces/${ns}/`);
    const { resolveResourcePath } = await import("../../src/api/resolve.js");
    const { findKind } = await import("../../src/apis/index.js");
    let thrown: any;
    try {
      resolveResourcePath("", "v1", ["namespaces", ns, "configmaps", name], findKind);
    } catch (e) {
      thrown = e;
    }
    expect(thrown?.status).toMatchObject({ code: 400, reason: "BadRequest", message: `invalid resource name "${name}": [may not be '${name}']` });
    const r = await post(path, cm(name));
    expect(r.status).toBe(422);
    expect(r.body.details.causes[0]).toMatchObject({ field: "metadata.name" });
    expect(await listNames(path)).toEqual([]);
  });

  it("a name with '/' in the body of a create → 422 Invalid", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await post(path, cm("a/b"));
    expect(r.status).toBe(422);
    expect(r.body.details.causes[0]).toMatchObject({ field: "metadata.name" });
    expect(await listNames(path)).toEqual([]);
  });

  it("a namespace name that cannot be a key → 400", async () => {
    const r = await get(`/api/v1/namespaces/a%2Fb/configmaps`);
    expect(r.status).toBe(400);
  });

  it("a method a collection does not serve → 405", async () => {
    const ns = await newNs("e");
    const r = await api("PUT", `/api/v1/namespaces/${ns}/configmaps`, cm("x"));
    expect(r.status).toBe(405);
    expect(r.body.reason).toBe("MethodNotAllowed");
  });
});

describe("validation", () => {
  it("Deployment replicas -1 → 422 Invalid with causes", async () => {
    const ns = await newNs("e");
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const r = await post(path, deployment("x", -1));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`,
      reason: "Invalid",
      details: {
        name: "x",
        group: "apps",
        kind: "Deployment",
        causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas" }],
      },
      code: 422,
    });
    expect(await listNames(path)).toEqual([]);
  });

  it("a missing name → 422 name or generateName is required", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await post(path, { apiVersion: "v1", kind: "ConfigMap", metadata: {} });
    expect(r.status).toBe(422);
    expect(r.body.details.causes).toEqual([{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }]);
    expect(await listNames(path)).toEqual([]);
  });

  it("an invalid name → 422", async () => {
    const ns = await newNs("e");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const r = await post(path, cm("Upper_Case"));
    expect(r.status).toBe(422);
    expect(r.body.details.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    expect(await listNames(path)).toEqual([]);
  });

  it("a bad query parameter → 400", async () => {
    const ns = await newNs("e");
    expect((await get(`/api/v1/namespaces/${ns}/configmaps?limit=abc`)).status).toBe(400);
    expect((await get(`/api/v1/namespaces/${ns}/configmaps?watch=maybe`)).status).toBe(400);
    const dry = await post(`/api/v1/namespaces/${ns}/configmaps?dryRun=Some`, cm("x"));
    expect(dry.status).toBe(422);
    expect(await listNames(`/api/v1/namespaces/${ns}/configmaps`)).toEqual([]);
  });
});
