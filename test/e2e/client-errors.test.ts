// Bad input against a real `edgeplane up`: every refusal is a metav1.Status with upstream's
// code and reason, and leaves nothing written (checked by listing afterwards).
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type ApiResponse, type Edgeplane } from "./harness.js";
import { apiError, expectFailure, rawRequest, settled } from "./helpers.js";

let h: Edgeplane;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
/** Nothing may ever be written here. */
const NS = "errs";
/** Holds objects that bad requests must leave alone. */
const KEEP = "errs-keep";
/** The one namespace a (known-bad) test lets bad requests damage. */
const VICTIM = "errs-victim";
let namespacesAtStart: string[];
let keepState: string;

const CM = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments`;

beforeAll(async () => {
  // These tests count the ConfigMaps of fresh namespaces: no kube-root-ca.crt here (kubectl-tokens tests it).
  h = await startEdgeplane({ vars: { KUBE_ROOT_CA_CERT: "" } });
  kc = kubeClient(h);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: KEEP } } });
  await core.createNamespacedConfigMap({ namespace: KEEP, body: { metadata: { name: "existing" }, data: { a: "1" } } });
  await core.createNamespacedConfigMap({ namespace: KEEP, body: { metadata: { name: "other" }, data: { b: "2" } } });
  namespacesAtStart = (await core.listNamespace()).items.map((n) => `${n.metadata?.name}@${n.metadata?.resourceVersion}`).sort();
  keepState = await snapshotKeep();
});
afterAll(async () => {
  await h?.stop();
});

async function snapshotKeep(): Promise<string> {
  const list = await core.listNamespacedConfigMap({ namespace: KEEP });
  return JSON.stringify(list.items.map((i) => [i.metadata?.name, i.metadata?.resourceVersion, i.data]));
}

/** Nothing written anywhere: the empty namespace stays empty, the kept objects and namespaces unchanged. */
async function expectNothingWritten(): Promise<void> {
  expect((await core.listNamespacedConfigMap({ namespace: NS })).items).toEqual([]);
  expect((await core.listNamespacedPod({ namespace: NS })).items).toEqual([]);
  expect((await apps.listNamespacedDeployment({ namespace: NS })).items).toEqual([]);
  expect((await core.listNamespacedSecret({ namespace: NS })).items).toEqual([]);
  expect(await snapshotKeep()).toBe(keepState);
  const nss = (await core.listNamespace()).items
    .filter((n) => n.metadata?.name !== VICTIM)
    .map((n) => `${n.metadata?.name}@${n.metadata?.resourceVersion}`)
    .sort();
  expect(nss).toEqual(namespacesAtStart);
}

/** The response is a metav1.Status failure with this code and reason (and JSON content type). */
function expectStatus(res: ApiResponse | { status: number; body: any; headers: Record<string, unknown> }, code: number, reason: string): any {
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(code);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  expect(typeof res.body).toBe("object");
  expectFailure(res.body, code, reason);
  expect(res.body.metadata).toEqual({});
  expect(res.body.message.length).toBeGreaterThan(0);
  return res.body;
}

const big = (bytes: number) => "x".repeat(bytes);

describe("malformed bodies", () => {
  it("malformed JSON: 400 on POST, PUT and PATCH", async () => {
    const bad = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"';
    expectStatus(await api(h, "POST", CM, bad, { "content-type": "application/json" }), 400, "BadRequest");
    expectStatus(await api(h, "PUT", `/api/v1/namespaces/${KEEP}/configmaps/existing`, bad, { "content-type": "application/json" }), 400, "BadRequest");
    expectStatus(await api(h, "PATCH", `/api/v1/namespaces/${KEEP}/configmaps/existing`, "{not json", { "content-type": "application/merge-patch+json" }), 400, "BadRequest");
    expectStatus(await api(h, "PATCH", `/api/v1/namespaces/${KEEP}/configmaps/existing`, "[{", { "content-type": "application/json-patch+json" }), 400, "BadRequest");
    await expectNothingWritten();
  });

  it("malformed YAML (application/yaml): 400; well-formed YAML is accepted", async () => {
    const bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n  labels: {a: b\n";
    const s = expectStatus(await api(h, "POST", CM, bad, { "content-type": "application/yaml" }), 400, "BadRequest");
    expect(s.message).toMatch(/yaml/i);
    await expectNothingWritten();

    // Control: the same endpoint takes a valid YAML document (written elsewhere, then removed).
    const ok = await api(h, "POST", `/api/v1/namespaces/${KEEP}/configmaps`, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n", {
      "content-type": "application/yaml",
    });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toEqual({ k: "v" });
    expect((await api(h, "DELETE", `/api/v1/namespaces/${KEEP}/configmaps/from-yaml`)).status).toBe(200);
  });

  it("an empty body, a JSON array, a JSON string: 400", async () => {
    expectStatus(await api(h, "POST", CM, "", { "content-type": "application/json" }), 400, "BadRequest");
    expectStatus(await api(h, "POST", CM, "[]", { "content-type": "application/json" }), 400, "BadRequest");
    expectStatus(await api(h, "POST", CM, '"configmap"', { "content-type": "application/json" }), 400, "BadRequest");
    expectStatus(await api(h, "PATCH", `/api/v1/namespaces/${KEEP}/configmaps/existing`, "[]", { "content-type": "application/merge-patch+json" }), 400, "BadRequest");
    await expectNothingWritten();
  });

  it("an unsupported content type: 415", async () => {
    expectStatus(await api(h, "POST", CM, JSON.stringify({ metadata: { name: "t" } }), { "content-type": "text/plain" }), 415, "UnsupportedMediaType");
    await expectNothingWritten();
  });
});

describe("sizes", () => {
  it("a body over 3 MiB: 413 (declared length and chunked)", async () => {
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "huge" }, data: { x: big(3 * 1024 * 1024 + 100) } });
    const declared = await api(h, "POST", CM, body, { "content-type": "application/json" });
    const s = expectStatus(declared, 413, "RequestEntityTooLarge");
    expect(s.message).toContain("3145728");
    // Without a content-length (chunked), the limit still holds.
    const chunked = await rawRequest(h, "POST", CM, body, { "transfer-encoding": "chunked" });
    expectStatus(chunked, 413, "RequestEntityTooLarge");
    await expectNothingWritten();
  });

  it("an object over 1.5 MiB (body under 3 MiB): 413 on create, replace and patch", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "fat" },
      spec: { containers: [{ name: "c", image: "nginx:1.25", env: [{ name: "BIG", value: big(1.6 * 1024 * 1024) }] }] },
    };
    const s = expectStatus(await api(h, "POST", `/api/v1/namespaces/${NS}/pods`, pod), 413, "RequestEntityTooLarge");
    expect(s.message).toContain("1572864");

    // Growing an existing object past the limit is refused the same way.
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "grow" },
      spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } },
    };
    const created = await api(h, "POST", `/apis/apps/v1/namespaces/${KEEP}/deployments`, dep);
    expect(created.status).toBe(201);
    const path = `/apis/apps/v1/namespaces/${KEEP}/deployments/grow`;
    // The Deployment controller writes the object after the create; start from what it left.
    const current = await settled(async () => (await api(h, "GET", path)).body);
    const fat = structuredClone(current);
    fat.spec.template.spec.containers[0].env = [{ name: "BIG", value: big(1.6 * 1024 * 1024) }];
    expectStatus(await api(h, "PUT", path, fat), 413, "RequestEntityTooLarge");
    expectStatus(
      await api(h, "PATCH", path, { spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "BIG", value: big(1.6 * 1024 * 1024) }] }] } } } }, {
        "content-type": "application/strategic-merge-patch+json",
      }),
      413,
      "RequestEntityTooLarge",
    );
    const after = await api(h, "GET", path);
    expect(after.body.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
    expect(after.body.spec.template.spec.containers[0].env).toBeUndefined();
    expect((await api(h, "DELETE", path)).status).toBe(200);
    await expectNothingWritten();
  });

  it("a ConfigMap over 1 MiB of data: 422 (ConfigMap's own limit, as upstream)", async () => {
    const res = await api(h, "POST", CM, { metadata: { name: "mb" }, data: { x: big(1024 * 1024 + 10) } });
    const s = expectStatus(res, 422, "Invalid");
    expect(s.message).toBe('ConfigMap "mb" is invalid: Too long: may not be more than 1048576 bytes');
    await expectNothingWritten();
  });
});

describe("body and URL disagree", () => {
  it("apiVersion or kind not matching the URL: 400", async () => {
    const v = expectStatus(await api(h, "POST", CM, { apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "v" } }), 400, "BadRequest");
    expect(v.message).toBe("the API version in the data (apps/v1) does not match the expected API version (v1)");
    const k = expectStatus(await api(h, "POST", CM, { apiVersion: "v1", kind: "Secret", metadata: { name: "k" } }), 400, "BadRequest");
    expect(k.message).toContain("Secret");
    expect(k.message).toContain("ConfigMap");
    const d = expectStatus(
      await api(h, "POST", DEPLOY, { apiVersion: "extensions/v1beta1", kind: "Deployment", metadata: { name: "d" }, spec: {} }),
      400,
      "BadRequest",
    );
    expect(d.message).toBe("the API version in the data (extensions/v1beta1) does not match the expected API version (apps/v1)");
    expectStatus(await api(h, "PUT", `/api/v1/namespaces/${KEEP}/configmaps/existing`, { apiVersion: "v1", kind: "Secret", metadata: { name: "existing" } }), 400, "BadRequest");
    await expectNothingWritten();
  });

  it("a name in the body differing from the URL on PUT: 400", async () => {
    const cur = (await api(h, "GET", `/api/v1/namespaces/${KEEP}/configmaps/existing`)).body;
    const s = expectStatus(
      await api(h, "PUT", `/api/v1/namespaces/${KEEP}/configmaps/existing`, { ...cur, metadata: { ...cur.metadata, name: "other" }, data: { hijack: "1" } }),
      400,
      "BadRequest",
    );
    expect(s.message).toBe("the name of the object (other) does not match the name on the URL (existing)");
    await expectNothingWritten();
  });

  it("a namespace in the body differing from the URL: 400", async () => {
    const s = expectStatus(await api(h, "POST", CM, { metadata: { name: "n", namespace: KEEP } }), 400, "BadRequest");
    expect(s.message).toBe("the namespace of the provided object does not match the namespace sent on the request");
    await expectNothingWritten();
  });
});

describe("unknown paths", () => {
  it("an unknown resource or group: 404", async () => {
    for (const [method, path] of [
      ["GET", `/api/v1/namespaces/${NS}/widgets`],
      ["POST", `/api/v1/namespaces/${NS}/widgets`],
      ["GET", "/api/v1/widgets"],
      ["GET", `/apis/example.com/v1/namespaces/${NS}/widgets`],
      ["GET", "/apis/apps/v2/deployments"],
      ["GET", "/apis/nonexistent.io"],
    ] as const) {
      const res = await api(h, method, path, method === "POST" ? { metadata: { name: "w" } } : undefined);
      const s = expectStatus(res, 404, "NotFound");
      expect(s.message, path).toBe("the server could not find the requested resource");
    }
    await expectNothingWritten();
  });

  it("an unknown subresource: 404", async () => {
    for (const [method, path] of [
      ["GET", `/api/v1/namespaces/${KEEP}/configmaps/existing/status`],
      ["PUT", `/api/v1/namespaces/${KEEP}/configmaps/existing/status`],
      ["PATCH", `/api/v1/namespaces/${KEEP}/configmaps/existing/scale`],
      ["GET", `/api/v1/namespaces/${NS}/pods/p/nonsense`],
      ["GET", `/apis/apps/v1/namespaces/${NS}/deployments/d/status/extra`],
    ] as const) {
      const body = method === "GET" ? undefined : { metadata: { name: "existing" }, data: { changed: "1" } };
      const res = await api(h, method, path, body);
      expectStatus(res, 404, "NotFound");
    }
    await expectNothingWritten();
  });

  it("POST to an object's URL: 405", async () => {
    expectStatus(await api(h, "POST", `/api/v1/namespaces/${KEEP}/configmaps/existing`, { metadata: { name: "existing" } }), 405, "MethodNotAllowed");
    await expectNothingWritten();
  });
});

describe("names that can never be keys", () => {
  it("'/' (%2F) and '%' (%25) in a URL name: 400 for every verb", async () => {
    for (const enc of ["a%2Fb", "a%25b", "%25", "%2F"]) {
      for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
        const body = method === "PUT" ? JSON.stringify({ metadata: { name: decodeURIComponent(enc) } }) : method === "PATCH" ? "{}" : undefined;
        const headers: Record<string, string> = method === "PATCH" ? { "content-type": "application/merge-patch+json" } : {};
        const res = await rawRequest(h, method, `${CM}/${enc}`, body, headers);
        const s = expectStatus(res, 400, "BadRequest");
        expect(s.message, `${method} ${enc}`).toContain("may not contain");
      }
    }
    await expectNothingWritten();
  });

  it("'/', '%', '.' and '..' as a name in a POST body: refused (422), nothing written", async () => {
    for (const name of ["a/b", "a%b", ".", ".."]) {
      const res = await api(h, "POST", CM, { metadata: { name } });
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(res.body.kind).toBe("Status");
      expect(res.body.details?.causes?.[0]?.field).toBe("metadata.name");
    }
    await expectNothingWritten();
  });

  // Upstream answers a name of "." or ".." (sent as is, or as %2E) with 400
  // (path.IsValidPathSegmentName). The Workers runtime resolves dot segments while parsing the
  // URL (…/configmaps/.. would read the namespace); edgeplane refuses the trailing '/' they
  // leave behind.
  it("'.' and '..' (as is or %2E-escaped) in a URL name: 400", async () => {
    for (const enc of [".", "..", "%2E", "%2e%2E"]) {
      const res = await rawRequest(h, "GET", `/api/v1/namespaces/${KEEP}/configmaps/${enc}`);
      expectStatus(res, 400, "BadRequest");
    }
  });

  // Without that guard, DELETE .../configmaps/%2E would be a deletecollection of every configmap
  // in the namespace, and DELETE .../configmaps/%2E%2E would delete the namespace itself.
  it("DELETE of a configmap named '.' or '..' deletes nothing", async () => {
    const victim = VICTIM;
    await core.createNamespace({ body: { metadata: { name: victim } } });
    await core.createNamespacedConfigMap({ namespace: victim, body: { metadata: { name: "precious" }, data: { a: "1" } } });
    const one = await rawRequest(h, "DELETE", `/api/v1/namespaces/${victim}/configmaps/%2E`);
    const two = await rawRequest(h, "DELETE", `/api/v1/namespaces/${victim}/configmaps/%2E%2E`);
    const left = (await core.listNamespacedConfigMap({ namespace: victim })).items.map((i) => i.metadata?.name);
    const ns = await core.readNamespace({ name: victim });
    expect(left).toEqual(["precious"]);
    expect(ns.metadata?.deletionTimestamp).toBeUndefined();
    expect(one.status).toBe(400);
    expect(two.status).toBe(400);
  });
});

describe("validation", () => {
  it("a Deployment with replicas -1: 422 with upstream's message and causes", async () => {
    const body = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: -1, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } },
    };
    const s = expectStatus(await api(h, "POST", DEPLOY, body), 422, "Invalid");
    expect(s.message).toBe('Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(s.details).toEqual({
      name: "x",
      group: "apps",
      kind: "Deployment",
      causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas" }],
    });

    // The same through client-node: an ApiException with code 422 and the Status as its body.
    const { code, status } = await apiError(apps.createNamespacedDeployment({ namespace: NS, body: body as never }));
    expect(code).toBe(422);
    expect(status.message).toBe(s.message);
    expect(status.details?.causes).toEqual(s.details.causes);
    await expectNothingWritten();
  });

  it("several field errors: all of them, in the message and in causes", async () => {
    const body = {
      metadata: { name: "multi" },
      spec: { replicas: -2, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "c" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } },
    };
    const s = expectStatus(await api(h, "POST", DEPLOY, body), 422, "Invalid");
    const fields = s.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toContain("spec.replicas");
    expect(fields).toContain("spec.template.metadata.labels");
    expect(s.message).toMatch(/^Deployment\.apps "multi" is invalid: \[.*spec\.replicas.*spec\.template\.metadata\.labels.*\]$/);
    await expectNothingWritten();
  });

  it("a Pod without containers and with a bad restartPolicy: 422", async () => {
    const s = expectStatus(await api(h, "POST", `/api/v1/namespaces/${NS}/pods`, { metadata: { name: "p" }, spec: { containers: [], restartPolicy: "Sometimes" } }), 422, "Invalid");
    const fields = s.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toContain("spec.containers");
    expect(fields).toContain("spec.restartPolicy");
    await expectNothingWritten();
  });

  it("dryRun=All validates and answers but writes nothing", async () => {
    const res = await api(h, "POST", `${CM}?dryRun=All`, { metadata: { name: "dry" }, data: { a: "1" } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toBe("dry");
    expect(res.body.metadata.uid).toBeTruthy();
    const bad = await api(h, "POST", `${DEPLOY}?dryRun=All`, { metadata: { name: "x" }, spec: { replicas: -1 } });
    expect(bad.status).toBe(422);
    await expectNothingWritten();
  });
});

describe("authentication", () => {
  it("no token or a wrong token: 401 Status, nothing written", async () => {
    for (const authorization of ["", "Bearer wrong", "Basic YWRtaW46YWRtaW4=", `Bearer ${"x".repeat(43)}`]) {
      const get = await api(h, "GET", CM, undefined, { authorization });
      const s = expectStatus(get, 401, "Unauthorized");
      expect(s.message).toBe("Unauthorized");
      expectStatus(await api(h, "POST", CM, { metadata: { name: "anon" } }, { authorization }), 401, "Unauthorized");
      expectStatus(await api(h, "DELETE", `/api/v1/namespaces/${KEEP}/configmaps/existing`, undefined, { authorization }), 401, "Unauthorized");
    }
    await expectNothingWritten();
  });

  it("client-node without credentials gets an ApiException 401", async () => {
    const { KubeConfig } = await import("@kubernetes/client-node");
    const anon = new KubeConfig();
    anon.loadFromOptions({
      clusters: [{ name: "c", server: h.url, caData: Buffer.from(h.ca).toString("base64") }],
      users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const { code } = await apiError(anon.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "anon" } } }));
    expect(code).toBe(401);
    await expectNothingWritten();
  });
});
