// The abuse limits through the Worker: YAML alias and nesting bombs and deep JSON refused fast,
// 429 + Retry-After for a user over its rate, for a full in-flight pool and for a user's excess
// watches, and names and subresources that try to traverse paths. Tiny limits come from a
// per-test env passed to the Worker's fetch; the non-admin users from TEST_TOKENS.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { TOKEN, newNs, post } from "./helpers.js";

const id = Math.random().toString(36).slice(2, 8);
const BOB = `bob-${id}`;
const CAROL = `carol-${id}`;
const tokens = `bob-token,${BOB}\ncarol-token,${CAROL}`;
const testEnv = (vars: Partial<Env> = {}): Env => ({ ...(env as Env), TEST_TOKENS: tokens, ...vars });

async function send(method: string, path: string, opts: { token?: string; body?: BodyInit; type?: string; env?: Env; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? TOKEN}`, ...(opts.headers ?? {}) };
  if (opts.body !== undefined) headers["content-type"] = opts.type ?? "application/json";
  const init: RequestInit & { duplex?: string } = { method, headers, body: opts.body };
  if (opts.body instanceof ReadableStream) init.duplex = "half";
  return worker.fetch(new Request(`http://x${path}`, init), opts.env ?? testEnv(), createExecutionContext());
}

async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

describe("documents", () => {
  it("a YAML alias bomb, a deep YAML and a deep JSON document get a 400 at once", async () => {
    const path = "/api/v1/namespaces/default/configmaps";
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const bomb = levels.map((l, i) => `${l}: &${l} [${Array(9).fill(i === 0 ? '"lol"' : `*${levels[i - 1]}`).join(",")}]`).join("\n");
    const cases: Array<[string, string, RegExp]> = [
      ["application/yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n${bomb}\n`, /^error converting YAML to JSON: yaml: document contains excessive aliasing$/],
      ["application/yaml", "[".repeat(2_000_000), /^error converting YAML to JSON: yaml: exceeded max depth of 100$/],
      ["application/yaml", Array.from({ length: 500 }, (_, i) => `${" ".repeat(i)}a:`).join("\n"), /exceeded max depth of 100$/],
      ["application/json", "[".repeat(1_500_000) + "]".repeat(1_500_000), /^couldn't get version\/kind; json parse error: json: exceeded max depth of 100$/],
    ];
    for (const [type, body, message] of cases) {
      const t = Date.now();
      const r = await send("POST", path, { body, type });
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(await json(r)).toMatchObject({ kind: "Status", reason: "BadRequest", message: expect.stringMatching(message) });
      expect(Date.now() - t, body.slice(0, 40)).toBeLessThan(1500);
    }
    // The same bound on a patch.
    const deepPatch = `{"metadata":${'{"a":'.repeat(200)}1${"}".repeat(200)}}`;
    const p = await send("PATCH", `${path}/whatever`, { body: deepPatch, type: "application/merge-patch+json" });
    expect(p.status).toBe(400);
    expect((await json(p)).message).toMatch(/exceeded max depth/);
  });

  it("a document nested up to the limit is parsed as usual", async () => {
    const ns = await newNs("lim");
    const deep = (n: number): unknown => (n === 0 ? "x" : { a: deep(n - 1) });
    const r = await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "deep" }, extra: deep(98) }) });
    expect(r.status).toBe(201);
    expect(r.headers.get("warning")).toMatch(/unknown field .*extra/);
  });
});

describe("429 Too Many Requests", () => {
  it("a user over its rate gets 429 with Retry-After; the admin is not limited", async () => {
    const tiny = testEnv({ USER_RATE_LIMIT_QPS: "0.5", USER_RATE_LIMIT_BURST: "3" });
    for (let i = 0; i < 3; i++) expect((await send("GET", "/api/v1/namespaces/default/pods", { token: "bob-token", env: tiny })).status).toBe(403);
    const r = await send("GET", "/api/v1/namespaces/default/pods", { token: "bob-token", env: tiny });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("2");
    expect(await json(r)).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "TooManyRequests",
      code: 429,
      message: "Too many requests, please try again later.",
      details: { retryAfterSeconds: 2 },
    });
    for (let i = 0; i < 10; i++) expect((await send("GET", "/api/v1/namespaces/default/pods", { env: tiny })).status).toBe(200);
  });

  it("a full in-flight pool refuses others' mutating requests, not read-only ones, not system:masters", async () => {
    const one = testEnv({ MAX_MUTATING_REQUESTS_INFLIGHT: "1" });
    const ns = await newNs("lim");
    // The admin holds the only mutating slot: its body never ends until we say so.
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held" } })));
        finish = () => c.close();
      },
    });
    const held = send("POST", `/api/v1/namespaces/${ns}/configmaps`, { body, env: one });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { token: "bob-token", body: "{}", env: one });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await json(refused)).message).toBe("Too many requests, please try again later.");
    expect((await send("GET", `/api/v1/namespaces/${ns}/configmaps`, { token: "bob-token", env: one })).status).toBe(403);
    const admin = await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: JSON.stringify({ metadata: { name: "admin" } }), env: one });
    expect(admin.status).toBe(201);
    finish();
    expect((await held).status).toBe(201);
    expect((await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { token: "bob-token", body: "{}", env: one })).status).toBe(403);
  });

  it("a user's watches are bounded: HTTP watches per isolate, WebSocket watches per store", async () => {
    const ns = await newNs("lim");
    expect((await post("/apis/rbac.authorization.k8s.io/v1/clusterroles", { metadata: { name: `watch-cm-${id}` }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }] })).status).toBe(201);
    const binding = { metadata: { name: "carol" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `watch-cm-${id}` }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: CAROL }] };
    expect((await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
    const one = testEnv({ MAX_WATCHES_PER_USER: "1" });
    const watch = `/api/v1/namespaces/${ns}/configmaps?watch=true`;

    const first = await send("GET", watch, { token: "carol-token", env: one });
    expect(first.status).toBe(200);
    const second = await send("GET", watch, { token: "carol-token", env: one });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("5");
    expect((await json(second)).reason).toBe("TooManyRequests");
    // The admin is not bounded.
    const admin = await send("GET", watch, { env: one });
    expect(admin.status).toBe(200);
    await admin.body!.cancel();
    // Closing the first watch frees its slot.
    await first.body!.cancel();
    const third = await send("GET", watch, { token: "carol-token", env: one });
    expect(third.status).toBe(200);
    await third.body!.cancel();

    // WebSocket watches on one namespace are held (and counted) by its store.
    const ws1 = await send("GET", watch, { token: "carol-token", env: one, headers: { upgrade: "websocket" } });
    expect(ws1.status).toBe(101);
    ws1.webSocket!.accept();
    const ws2 = await send("GET", watch, { token: "carol-token", env: one, headers: { upgrade: "websocket" } });
    expect(ws2.status).toBe(429);
    expect(ws2.headers.get("retry-after")).toBe("5");
    ws1.webSocket!.close(1000, "done");

    // A WebSocket watch across namespaces is pumped by the Worker, which holds its slot until it closes.
    const crb = { metadata: { name: `carol-${id}` }, roleRef: binding.roleRef, subjects: binding.subjects };
    expect((await post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", crb)).status).toBe(201);
    const across = "/api/v1/configmaps?watch=true";
    const wsAll = await send("GET", across, { token: "carol-token", env: one, headers: { upgrade: "websocket" } });
    expect(wsAll.status).toBe(101);
    wsAll.webSocket!.accept();
    expect((await send("GET", across, { token: "carol-token", env: one })).status).toBe(429);
    wsAll.webSocket!.close(1000, "done");
    let after = 429;
    for (let i = 0; i < 40 && after === 429; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const r = await send("GET", across, { token: "carol-token", env: one });
      after = r.status;
      if (r.status === 200) await r.body!.cancel();
    }
    expect(after).toBe(200);
  });
});

describe("names and subresources never traverse", () => {
  it("encoded slashes and dot segments are refused on get, put, delete, watch and subresources", async () => {
    const ns = await newNs("lim");
    const base = `/api/v1/namespaces/${ns}`;
    expect((await send("POST", `${base}/configmaps`, { body: JSON.stringify({ metadata: { name: "target" }, data: { k: "v" } }) })).status).toBe(201);
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } });
    const attempts: Array<[string, string, number[]]> = [
      ["GET", `${base}/configmaps/a%2Fb`, [400]],
      ["PUT", `${base}/configmaps/a%2Fb`, [400]],
      ["DELETE", `${base}/configmaps/a%2Fb`, [400]],
      ["GET", `${base}/configmaps/%2E%2E`, [400]],
      ["PUT", `${base}/configmaps/%2e%2e`, [400]],
      ["DELETE", `${base}/configmaps/%2E%2E`, [400]],
      ["GET", `${base}/configmaps/..%2Ftarget`, [400]],
      ["DELETE", `${base}/configmaps/%2E%2E%2Ftarget`, [400]],
      ["GET", `${base}/configmaps/%252E%252E`, [400]],
      ["GET", `/api/v1/namespaces/a%2F..%2F${ns}/configmaps/target`, [400]],
      ["GET", `/api/v1/namespaces/%2E%2E%2F${ns}/configmaps?watch=true`, [400]],
      ["GET", `${base}/configmaps/%2E%2E?watch=true`, [400]],
      ["GET", `${base}/pods/p%2F..%2Fq/status`, [400]],
      ["PUT", `${base}/pods/p/%2E%2E%2Fstatus`, [404]],
      ["PUT", `/apis/apps/v1/namespaces/${ns}/deployments/d%2F..%2Fe/scale`, [400]],
      ["GET", `/apis/apps/v1/namespaces/${ns}/deployments/d/%2E%2E`, [400, 404]],
    ];
    for (const [method, path, codes] of attempts) {
      const r = await send(method, path, method === "PUT" ? { body } : {});
      expect(codes, `${method} ${path} → ${r.status}`).toContain(r.status);
      expect((await json(r)).kind).toBe("Status");
    }
    // A dot segment is resolved by URL parsing before any route sees the path (workerd does so for
    // every request): `pods/%2E%2E/status` is the namespace's own status, authorized and audited as
    // that, never a pod named "..".
    const dots = await send("GET", `${base}/pods/%2E%2E/status`);
    expect(dots.status).toBe(200);
    expect((await json(dots)).kind).toBe("Namespace");
    // Nothing was written or deleted.
    const list = await json(await send("GET", `${base}/configmaps`));
    expect(list.items.map((i: any) => i.metadata.name).filter((n: string) => n !== "kube-root-ca.crt")).toEqual(["target"]);
  });
});
