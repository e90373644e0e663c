// Property-based fuzzing of object validation through the whole API, inside workerd: ConfigMap,
// Pod and Deployment bodies generated from the kinds' schemas or mutated from valid objects are
// POSTed, PUT and PATCHed (merge, JSON, strategic and apply patches) through the Worker. No
// request may answer 500, and a refused one must leave nothing written: no object after a refused
// create, the same resourceVersion and content after a refused update or patch, and (where no
// controller writes on its own) the same store revision.
// Runs are few (the pool slows as storage grows) and seeded; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configMapDef } from "../../src/apis/core/v1/configmap.js";
import { deploymentDef } from "../../src/apis/apps/v1/deployment.js";
import { podDef } from "../../src/apis/core/v1/pod.js";
import type { KindDef } from "../../src/apis/types.js";
import { anyJson, mutated, nested, schemaObject, trickyKeys, validConfigMap, validDeployment, validPod } from "../fuzz/kube-arbitraries.js";
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index.js";
import { TOKEN, newNs, nsStub, settle, type Res } from "./helpers.js";

const SEED = 0xf022;

/**
 * Requests go to the Worker's fetch handler directly, not through helpers.ts's
 * `exports.default.fetch`: under the Workers Vitest pool every request through that loopback gets
 * slower than the one before (cloudflare/workers-sdk#15446; about 100 ms each after 1,500), which
 * a fuzzing file that makes thousands of them cannot afford.
 */
async function raw(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
  const req = new Request(`http://x${path}`, { method, body: init.body, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });
  return worker.fetch(req, env as never, createExecutionContext());
}

async function api(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Res> {
  const res = await raw(method, path, { body, headers: body === undefined ? headers : { "content-type": "application/json", ...headers } });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
const get = (path: string) => api("GET", path);
const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

interface Kind {
  def: KindDef;
  path: (ns: string) => string;
  valid: (name: string) => Record<string, unknown>;
  /** Whether its controllers write on their own after a write (then the store revision moves). */
  controllers: boolean;
}
const KINDS: Record<"ConfigMap" | "Pod" | "Deployment", Kind> = {
  ConfigMap: { def: configMapDef as unknown as KindDef, path: (ns) => `/api/v1/namespaces/${ns}/configmaps`, valid: validConfigMap, controllers: false },
  Pod: { def: podDef as unknown as KindDef, path: (ns) => `/api/v1/namespaces/${ns}/pods`, valid: validPod, controllers: false },
  Deployment: { def: deploymentDef as unknown as KindDef, path: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`, valid: validDeployment, controllers: true },
};

/**
 * Server-side apply of a configuration that does not fit the schema (`.metadata: expected map,
 * got list`) is a 500 upstream too (kubernetes/kubernetes#122480), and edgeplane answers as
 * upstream does (src/registry/apply/field-manager.ts); the only 500 allowed here.
 */
const UPSTREAM_500 = /^failed to create typed patch object \(/;

/** The property's verdict on one answer: never a server error. */
function noServerError(r: Res, what: string): void {
  const message = typeof r.body === "object" && r.body ? String((r.body as { message?: unknown }).message ?? "") : "";
  if (r.status === 500 && UPSTREAM_500.test(message)) return;
  expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 500)}`).toBeLessThan(500);
}

/**
 * Keeps generated Deployments from asking the controllers for many pods: a positive replica
 * count (or none, which defaults to 1) becomes 0; negative, fractional and mistyped ones stay.
 */
function fewReplicas(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const o = body as Record<string, unknown>;
  if (o.spec && typeof o.spec === "object" && !Array.isArray(o.spec)) {
    const spec = { ...(o.spec as Record<string, unknown>) };
    if (spec.replicas === undefined || (typeof spec.replicas === "number" && Number.isInteger(spec.replicas) && spec.replicas > 0)) spec.replicas = 0;
    return { ...o, spec };
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Bugs the properties found, kept as regular tests.

/** No known bug is excluded from the generators any more (a place to name one if a new one is found). */
const knownBug = (_bodyText: string) => false;

describe("bugs the fuzzing found", () => {
  it("Object.prototype names are unknown fields, not lookups: a \"toString\" key is created with a warning", async () => {
    const ns = await newNs("fzk");
    const r = await api("POST", `${KINDS.ConfigMap.path(ns)}`, '{"metadata":{"name":"x","toString":{}}}');
    // Upstream: 201, with the warning `unknown field "metadata.toString"`.
    expect(r.status, r.text).toBe(201);
  });
  it("an apiVersion that is not a string is a 400", async () => {
    const ns = await newNs("fzk");
    const r = await api("POST", `${KINDS.ConfigMap.path(ns)}`, '{"apiVersion":{"toString":1},"metadata":{"name":"y"}}');
    expect(r.status, r.text).toBe(400);
  });
});

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}-${(seq++).toString(36)}`;

/** Bodies for a create: schema-generated, or a valid object with random edits. */
function createBodies(kind: Kind): fc.Arbitrary<unknown> {
  const named = (o: Record<string, unknown>, name: string) => {
    const meta = o.metadata && typeof o.metadata === "object" && !Array.isArray(o.metadata) ? (o.metadata as Record<string, unknown>) : {};
    // A generated name is usually one of a few; make it unique so that creates do not collide.
    return { ...o, metadata: { ...meta, ...(typeof meta.name === "string" && /^[a-z0-9]/.test(meta.name) ? { name: `${meta.name}-${name}` } : {}) } };
  };
  return fc
    .oneof(
      { weight: 2, arbitrary: fc.constant(null).chain(() => mutated(kind.valid("base"))) },
      { weight: 1, arbitrary: schemaObject(kind.def, { maxProps: 3, maxDepth: 7 }) },
      { weight: 1, arbitrary: fc.constant(kind.valid("base")) },
    )
    .map((o) => fewReplicas(named(o, uniqueName("n"))))
    .filter((o) => !knownBug(JSON.stringify(o)));
}

async function namesIn(path: string): Promise<string[]> {
  const r = await get(path);
  expect(r.status, r.text).toBe(200);
  return (r.body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name).sort();
}

const revision = (ns: string): Promise<number> => (nsStub(ns) as unknown as { revision(): Promise<number> }).revision();

/** A namespace whose own controllers (service account, root CA ConfigMap…) are done writing. */
async function quietNamespace(prefix: string): Promise<string> {
  const ns = await newNs(prefix);
  await settle(ns);
  return ns;
}

// ---------------------------------------------------------------------------------------------
// Create

describe.each(Object.keys(KINDS) as Array<keyof typeof KINDS>)("fuzzing POST %s", (kindName) => {
  const kind = KINDS[kindName];
  it(
    "never answers 500, and a refused create writes nothing",
    async () => {
      const ns = await quietNamespace(`fz-${kindName.toLowerCase()}`);
      let created = 0;
      await fc.assert(
        fc.asyncProperty(createBodies(kind), fc.constantFrom("", "?fieldValidation=Strict", "?fieldValidation=Ignore", "?dryRun=All"), async (body, query) => {
          const before = kind.controllers ? undefined : await revision(ns);
          const listBefore = kind.controllers ? await namesIn(kind.path(ns)) : undefined;
          const r = await api("POST", kind.path(ns) + query, JSON.stringify(body));
          noServerError(r, `POST ${JSON.stringify(body).slice(0, 300)}`);
          const name = (body as { metadata?: { name?: unknown } })?.metadata?.name;
          if (r.status === 201 && query !== "?dryRun=All") {
            created++;
            return;
          }
          // Refused (or a dry run): nothing written.
          if (before !== undefined) expect(await revision(ns), `store written by a ${r.status}: ${r.text.slice(0, 300)}`).toBe(before);
          if (listBefore) expect(await namesIn(kind.path(ns))).toEqual(listBefore);
          if (typeof name === "string" && /^[a-z0-9][-a-z0-9.]*$/.test(name) && r.status !== 409) {
            expect((await get(`${kind.path(ns)}/${name}`)).status).toBe(404);
          }
        }),
        params(kindName === "ConfigMap" ? 150 : 100),
      );
      // Not a property, a sanity check that the generators reach the write path at all.
      expect(created).toBeGreaterThan(0);
    },
    60_000,
  );
});

// ---------------------------------------------------------------------------------------------
// Update and patch

/** Patch bodies of every type, aimed at the current object's own paths. */
function patchFor(current: Record<string, unknown>, kind: Kind): fc.Arbitrary<{ type: string; body: string; query: string }> {
  const pointers: string[] = [];
  const walk = (v: unknown, p: string) => {
    pointers.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}/${i}`));
    else if (v && typeof v === "object") for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${p}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`);
  };
  walk(current, "");
  const pointer = fc.oneof(fc.constantFrom(...pointers), fc.constantFrom(...pointers).map((p) => `${p}/-`), fc.constantFrom(...pointers).chain((p) => fc.constantFrom(...trickyKeys).map((k) => `${p}/${k}`)));
  const value = fc.oneof(anyJson, fc.constantFrom(...pointers).map((p) => valueAt(current, p)), fc.constantFrom(nested(150, "object"), nested(99, "array")));
  const jsonOp = fc.oneof(
    fc.record({ op: fc.constantFrom("add", "replace", "test"), path: pointer, value }),
    fc.record({ op: fc.constant("remove"), path: pointer }),
    fc.record({ op: fc.constantFrom("move", "copy"), from: pointer, path: pointer }),
  );
  // Deepening: add a map, move the old value into it, move it back; 3 small ops per level.
  const deepening = fc.integer({ min: 40, max: 400 }).map((n) => {
    const base = kind === KINDS.Deployment ? "/spec/template/spec/containers/0/securityContext" : "/metadata/managedFields/0";
    const ops: unknown[] = [{ op: "add", path: base, value: { r: {} } }];
    for (let i = 0; i < n; i++) ops.push({ op: "add", path: `${base}/t`, value: {} }, { op: "move", from: `${base}/r`, path: `${base}/t/r` }, { op: "move", from: `${base}/t`, path: `${base}/r` });
    return ops;
  });
  // Copy bomb: each copy of the root into a new key doubles the document.
  const copyBomb = fc.integer({ min: 20, max: 40 }).map((n) => Array.from({ length: n }, (_, i) => ({ op: "copy", from: "", path: `/metadata/labels/k${i}` })));
  const partial = fc.constant(null).chain(() => mutated(current));
  const withNulls = fc.tuple(partial, fc.constantFrom(...pointers.filter((p) => p.split("/").length === 3))).map(([m, p]) => {
    const [, a, b] = p.split("/");
    return { ...m, [a]: { ...(typeof m[a] === "object" && m[a] && !Array.isArray(m[a]) ? (m[a] as object) : {}), [b]: null } };
  });
  const directives = fc.record(
    {
      spec: fc.record({ template: fc.record({ spec: fc.record({ containers: fc.array(fc.record({ name: fc.constantFrom("c", "x"), $patch: fc.constantFrom("delete", "replace", "merge", "bogus"), image: fc.constantFrom("busybox", "") }, { requiredKeys: ["name"] }), { maxLength: 2 }), "$setElementOrder/containers": fc.array(fc.record({ name: fc.constantFrom("c", "x") }), { maxLength: 2 }) }, { requiredKeys: [] }) }) }, { requiredKeys: [] }),
      metadata: fc.record({ labels: fc.dictionary(fc.constantFrom("app", "x", "$patch"), fc.oneof(fc.constantFrom("web", "", "bad value"), fc.constant(null)), { maxKeys: 2 }), $retainKeys: fc.array(fc.constantFrom("name", "labels"), { maxLength: 2 }), "$deleteFromPrimitiveList/finalizers": fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }) }, { requiredKeys: [] }),
      data: fc.dictionary(fc.constantFrom("k", "key.txt", "bad key"), fc.oneof(fc.constantFrom("v", ""), fc.constant(null)), { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );
  const mergeLike = fc.oneof(partial, withNulls, directives, anyJson);
  const patches = fc.oneof(
    mergeLike.map((b) => ({ type: "application/merge-patch+json", body: JSON.stringify(fewReplicas(b)), query: "" })),
    mergeLike.map((b) => ({ type: "application/strategic-merge-patch+json", body: JSON.stringify(fewReplicas(b)), query: "" })),
    fc.oneof({ weight: 4, arbitrary: fc.array(jsonOp, { maxLength: 4 }) }, { weight: 1, arbitrary: deepening }, { weight: 1, arbitrary: copyBomb }, { weight: 1, arbitrary: anyJson })
      .filter((ops) => !touchesReplicas(ops))
      .map((ops) => ({ type: "application/json-patch+json", body: JSON.stringify(ops), query: "" })),
    fc.oneof(partial, fc.constant(current)).map((b) => ({ type: "application/apply-patch+yaml", body: JSON.stringify(fewReplicas(b)), query: "?fieldManager=fuzz&force=true" })),
    fc.tuple(fc.constantFrom("application/merge-patch+json", "application/yaml", "text/plain", ""), fc.string({ unit: "binary", maxLength: 30 })).map(([type, body]) => ({ type, body, query: "" })),
  );
  return patches.filter((p) => !knownBug(p.body));
}

/** JSON patches that could raise a Deployment's replicas (copy/move into it, or replace a parent). */
function touchesReplicas(ops: unknown): boolean {
  if (!Array.isArray(ops)) return false;
  return ops.some((op) => {
    if (!op || typeof op !== "object") return false;
    const path = String((op as { path?: unknown }).path ?? "");
    return path === "" || path === "/spec" || path.startsWith("/spec/replicas");
  });
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

describe.each(Object.keys(KINDS) as Array<keyof typeof KINDS>)("fuzzing PATCH and PUT %s", (kindName) => {
  const kind = KINDS[kindName];
  it(
    "never answers 500, and a refused update or patch leaves the object as it was",
    async () => {
      const ns = await quietNamespace(`fzp-${kindName.toLowerCase()}`);
      const name = "target";
      const url = `${kind.path(ns)}/${name}`;
      const created = await api("POST", kind.path(ns), JSON.stringify(fewReplicas(kind.valid(name))));
      expect(created.status, created.text).toBe(201);
      if (kind.controllers) await settle(ns);

      // The object changes as successful patches land; each run starts from what is stored.
      const current = async () => {
        const r = await get(url);
        expect(r.status, r.text).toBe(200);
        return r.body as Record<string, unknown>;
      };
      let state = await current();
      let accepted = 0;
      const request = fc.oneof(
        { weight: 4, arbitrary: fc.constant(null).map(() => "patch" as const) },
        { weight: 1, arbitrary: fc.constant(null).map(() => "put" as const) },
      );
      await fc.assert(
        fc.asyncProperty(
          request.chain((verb): fc.Arbitrary<{ verb: "patch" | "put"; type: string; body: string; query: string }> =>
            verb === "patch"
              ? patchFor(state, kind).map((p) => ({ verb, ...p }))
              : fc.oneof(mutated(state), schemaObject(kind.def, { maxProps: 3, maxDepth: 7 })).map((b) => {
                  const meta = (b.metadata && typeof b.metadata === "object" ? b.metadata : {}) as Record<string, unknown>;
                  // Usually the current name and resourceVersion, so the update reaches validation.
                  const body = { ...b, metadata: { name, resourceVersion: (state.metadata as Record<string, unknown>).resourceVersion, ...meta } };
                  return { verb, type: "application/json", body: JSON.stringify(fewReplicas(body)), query: "" };
                })
                .filter((p) => !knownBug(p.body)),
          ),
          async (req) => {
            const before = await current();
            const revBefore = kind.controllers ? undefined : await revision(ns);
            const r = await api(req.verb === "patch" ? "PATCH" : "PUT", url + req.query, req.body, { "content-type": req.type });
            noServerError(r, `${req.verb.toUpperCase()} ${req.type} ${req.body.slice(0, 400)}`);
            if (r.status >= 200 && r.status < 300) {
              accepted++;
              if (kind.controllers) await settle(ns);
              state = await current();
              return;
            }
            const after = await current();
            expect(after, `refused with ${r.status} (${r.text.slice(0, 300)}) but changed`).toEqual(before);
            if (revBefore !== undefined) expect(await revision(ns)).toBe(revBefore);
          },
        ),
        params(kindName === "ConfigMap" ? 150 : 100),
      );
      expect(accepted).toBeGreaterThan(0);
    },
    60_000,
  );
});

describe("patches that would blow up", () => {
  it("a JSON patch copying the object into itself 40 times is a 422 and writes nothing", async () => {
    const ns = await quietNamespace("fzc");
    const url = `${KINDS.ConfigMap.path(ns)}/target`;
    expect((await api("POST", KINDS.ConfigMap.path(ns), JSON.stringify(validConfigMap("target")))).status).toBe(201);
    const before = await get(url);
    const bomb = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "", path: `/metadata/labels/k${i}` }));
    const r = await api("PATCH", url, JSON.stringify(bomb), { "content-type": "application/json-patch+json" });
    expect(r.status, r.text).toBe(422);
    expect(r.body.message).toMatch(/^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
    expect((await get(url)).body).toEqual(before.body);
  });

  it("a JSON patch nesting a field thousands of levels deep is a 400 and writes nothing", async () => {
    const ns = await quietNamespace("fzd");
    const path = KINDS.Deployment.path(ns);
    const d = validDeployment("target") as any;
    d.spec.replicas = 0;
    d.spec.template.spec.containers[0].securityContext = { r: {} };
    expect((await api("POST", path, JSON.stringify(d))).status).toBe(201);
    await settle(ns); // the controller's status writes
    const before = await get(`${path}/target`);
    const base = "/spec/template/spec/containers/0/securityContext";
    const ops: unknown[] = [];
    for (let i = 0; i < 3000; i++) ops.push({ op: "add", path: `${base}/t`, value: {} }, { op: "move", from: `${base}/r`, path: `${base}/t/r` }, { op: "move", from: `${base}/t`, path: `${base}/r` });
    const r = await api("PATCH", `${path}/target`, JSON.stringify(ops), { "content-type": "application/json-patch+json" });
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body.message).toMatch(/exceeded max depth/);
    const after = await get(`${path}/target`);
    expect(after.status).toBe(200);
    expect(after.body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
  });
});

// ---------------------------------------------------------------------------------------------
// Raw bodies

describe("fuzzing request bodies", () => {
  it(
    "arbitrary bytes under any Content-Type never answer 500 and write nothing",
    async () => {
      const ns = await quietNamespace("fzb");
      const path = KINDS.ConfigMap.path(ns);
      expect((await api("POST", path, JSON.stringify(validConfigMap("target")))).status).toBe(201);
      const contentTypes = fc.constantFrom(
        "application/json",
        "application/yaml",
        "application/vnd.kubernetes.protobuf",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
        "application/apply-patch+yaml",
        "text/plain",
        "",
      );
      const yamlBombs = fc.constantFrom(
        "a: &x [*x]",
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\na1: &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]\na2: &a2 [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]\na3: &a3 [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]\na4: &a4 [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]\na5: &a5 [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]\na6: &a6 [*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5]\nmetadata: {name: bomb}\ndata: {k: v}',
        "metadata: &m {name: self, labels: *m}",
        "[".repeat(5000) + "]".repeat(5000),
        "metadata:\n  name: y\ndata: !!binary aGVsbG8=",
        "metadata: {name: z, creationTimestamp: !!timestamp 2001-12-14}",
      );
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 80 }),
        fc.string({ maxLength: 60 }).map((s) => new TextEncoder().encode(s)),
        yamlBombs.map((s) => new TextEncoder().encode(s)),
        fc.uint8Array({ maxLength: 60 }).map((b) => new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...b])),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom("POST", "PUT", "PATCH"), contentTypes, bytes, async (method, type, body) => {
          const revBefore = await revision(ns);
          const target = method === "POST" ? path : `${path}/target`;
          const before = (await get(`${path}/target`)).body;
          const res = await raw(method, target, { body, headers: type ? { "content-type": type } : {} });
          const text = await res.text();
          expect(res.status, `${method} ${type} ${JSON.stringify(Array.from(body.slice(0, 60)))} → ${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 200 && res.status < 300) return;
          expect(await revision(ns)).toBe(revBefore);
          expect((await get(`${path}/target`)).body).toEqual(before);
        }),
        params(150),
      );
    },
    60_000,
  );
});
