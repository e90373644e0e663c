// The audit log through the Worker: one audit.k8s.io/v1 Event per request (success, 404, 401,
// 403), Secret bodies never recorded even at RequestResponse, retention by age and count, and the
// read API for cluster admins only. Requests go through the Worker's fetch with a per-test env
// (a non-admin user from TEST_TOKENS, the audit level) and wait for its waitUntil (the flush).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { TOKEN, newNs } from "./helpers.js";

const ALICE = `alice-${Math.random().toString(36).slice(2, 8)}`;
const testEnv = (vars: Partial<Env> = {}): Env => ({ ...(env as Env), TEST_TOKENS: `alice-token,${ALICE},uid-a,"team-a"`, ...vars });

interface Sent {
  status: number;
  body: any;
  auditID: string;
}

let seq = 0;
async function send(method: string, path: string, opts: { token?: string; body?: unknown; env?: Env; headers?: Record<string, string> } = {}): Promise<Sent> {
  const auditID = `test-${Date.now()}-${seq++}`;
  const headers: Record<string, string> = { "audit-id": auditID, "user-agent": "audit-test/1.0", "x-forwarded-for": "203.0.113.7", ...(opts.headers ?? {}) };
  const token = opts.token ?? TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://x${path}`, { method, headers, body }), opts.env ?? testEnv(), ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  expect(res.headers.get("audit-id")).toBe(auditID);
  return { status: res.status, body: text ? JSON.parse(text) : undefined, auditID };
}

/** The one event recorded for `auditID` (read through the API as the admin). */
async function eventOf(auditID: string): Promise<any> {
  const list = await send("GET", "/debug/audit?limit=5000");
  expect(list.status).toBe(200);
  expect(list.body).toMatchObject({ kind: "EventList", apiVersion: "audit.k8s.io/v1" });
  const found = list.body.items.filter((e: any) => e.auditID === auditID);
  expect(found, `events for ${auditID}`).toHaveLength(1);
  return found[0];
}

const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: "v" } });

describe("audit records", () => {
  it("carry PodSecurity's annotations, which never reach the client", async () => {
    const ns = await newNs("auditpsa");
    const label = await send("PATCH", `/api/v1/namespaces/${ns}`, {
      body: { metadata: { labels: { "pod-security.kubernetes.io/audit": "baseline", "pod-security.kubernetes.io/enforce": "restricted" } } },
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(label.status).toBe(200);
    const privileged = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] } };
    const headers: Record<string, string> = {};
    const refused = await send("POST", `/api/v1/namespaces/${ns}/pods`, { body: privileged, headers });
    expect(refused.status).toBe(403);
    const ev = await eventOf(refused.auditID);
    expect(ev.annotations["pod-security.kubernetes.io/enforce-policy"]).toBe("restricted:latest");
    expect(ev.annotations["pod-security.kubernetes.io/audit-violations"]).toMatch(/^would violate PodSecurity "baseline:latest": privileged/);
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`http://x/api/v1/namespaces/${ns}/pods?dryRun=All`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(privileged) }), testEnv(), ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(403);
    expect(res.headers.get("x-edgeplane-audit-annotations")).toBeNull();
  });

  it("a success and a 404: verb, user, objectRef, responseStatus, source IPs, user agent, timestamps", async () => {
    const ns = await newNs("audit");
    const created = await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: cm("c1") });
    expect(created.status).toBe(201);
    const got = await send("GET", `/api/v1/namespaces/${ns}/configmaps/c1?x=1`);
    expect(got.status).toBe(200);
    const missing = await send("GET", `/api/v1/namespaces/${ns}/configmaps/nope`);
    expect(missing.status).toBe(404);

    const e = await eventOf(got.auditID);
    expect(e).toMatchObject({
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "Metadata",
      stage: "ResponseComplete",
      requestURI: `/api/v1/namespaces/${ns}/configmaps/c1?x=1`,
      verb: "get",
      user: { username: "edgeplane-admin", groups: ["system:masters", "system:authenticated"] },
      sourceIPs: ["203.0.113.7"],
      userAgent: "audit-test/1.0",
      objectRef: { resource: "configmaps", namespace: ns, name: "c1", apiVersion: "v1" },
      responseStatus: { metadata: {}, code: 200 },
    });
    expect(e.requestObject).toBeUndefined();
    expect(e.responseObject).toBeUndefined();
    expect(e.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(e.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(e.requestReceivedTimestamp));

    // A create's objectRef names the object it made.
    expect((await eventOf(created.auditID)).objectRef).toEqual({ resource: "configmaps", namespace: ns, name: "c1", apiVersion: "v1" });
    expect((await eventOf(created.auditID)).verb).toBe("create");

    const m = await eventOf(missing.auditID);
    expect(m.responseStatus).toMatchObject({ code: 404, status: "Failure", reason: "NotFound" });
  });

  it("a 401 has no user; a 403 has the user it refused", async () => {
    const unauth = await send("GET", "/api/v1/namespaces/default/configmaps", { token: "wrong" });
    expect(unauth.status).toBe(401);
    const u = await eventOf(unauth.auditID);
    expect(u.user).toEqual({});
    expect(u).toMatchObject({ verb: "list", objectRef: { resource: "configmaps", namespace: "default" }, responseStatus: { code: 401, reason: "Unauthorized" } });

    const forbidden = await send("GET", "/api/v1/namespaces/default/secrets", { token: "alice-token" });
    expect(forbidden.status).toBe(403);
    const f = await eventOf(forbidden.auditID);
    expect(f.user).toEqual({ username: ALICE, uid: "uid-a", groups: ["team-a", "system:authenticated"] });
    expect(f).toMatchObject({ verb: "list", objectRef: { resource: "secrets", namespace: "default" }, responseStatus: { code: 403, reason: "Forbidden" } });
  });

  it("non-resource requests are recorded too, at Metadata", async () => {
    const v = await send("GET", "/version", { env: testEnv({ AUDIT_LEVEL: "RequestResponse" }) });
    const e = await eventOf(v.auditID);
    expect(e).toMatchObject({ level: "Metadata", verb: "get", requestURI: "/version", responseStatus: { code: 200 } });
    expect(e.objectRef).toBeUndefined();
  });

  it("RequestResponse records a Lease's bodies, never a Secret's or a ConfigMap's", async () => {
    const full = testEnv({ AUDIT_LEVEL: "RequestResponse" });
    const ns = await newNs("audit");
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l1" }, spec: { holderIdentity: "me" } };
    const l = await send("POST", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { body: lease, env: full });
    expect(l.status).toBe(201);
    const le = await eventOf(l.auditID);
    expect(le.level).toBe("RequestResponse");
    expect(le.requestObject).toMatchObject({ kind: "Lease", spec: { holderIdentity: "me" } });
    expect(le.responseObject).toMatchObject({ kind: "Lease", metadata: { name: "l1", namespace: ns } });

    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s1" }, stringData: { password: "hunter2-very-secret" } };
    const created = await send("POST", `/api/v1/namespaces/${ns}/secrets`, { body: secret, env: full });
    expect(created.status).toBe(201);
    const read = await send("GET", `/api/v1/namespaces/${ns}/secrets/s1`, { env: full });
    const listed = await send("GET", `/api/v1/namespaces/${ns}/secrets`, { env: full });
    const patched = await send("PATCH", `/api/v1/namespaces/${ns}/secrets/s1`, {
      body: { stringData: { password: "hunter3-very-secret" } },
      env: full,
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(patched.status).toBe(200);
    // A Secret sent to another resource's URL is not recorded either.
    const misplaced = await send("POST", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { body: secret, env: full });
    expect(misplaced.status).toBe(400);
    const cmCreate = await send("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: cm("c"), env: full });
    for (const s of [created, read, listed, patched, misplaced, cmCreate]) {
      const e = await eventOf(s.auditID);
      expect(e.requestObject, s.auditID).toBeUndefined();
      if (s !== misplaced) expect(e.responseObject, s.auditID).toBeUndefined();
      else expect(e.responseObject).toMatchObject({ kind: "Status", code: 400 }); // a failure's Status is recorded
      expect(JSON.stringify(e)).not.toMatch(/hunter|aHVudGVy/);
    }
    expect((await eventOf(read.auditID)).level).toBe("Metadata");
  });
});

describe("the audit log", () => {
  it("only cluster admins may read it", async () => {
    const r = await send("GET", "/debug/audit", { token: "alice-token" });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ kind: "Status", reason: "Forbidden" });
    expect(r.body.message).toContain(`User "${ALICE}" cannot get path "/debug/audit"`);
    expect((await send("GET", "/debug/audit?limit=1")).status).toBe(200);
  });

  it("filters by user and time, follows by resourceVersion, refuses bad parameters", async () => {
    const mine = await send("GET", "/api/v1/namespaces/default/pods", { token: "alice-token" });
    const byUser = await send("GET", `/debug/audit?user=${ALICE}&since=10m`);
    expect(byUser.body.items.map((e: any) => e.auditID)).toContain(mine.auditID);
    expect(byUser.body.items.every((e: any) => e.user.username === ALICE)).toBe(true);
    const rv = byUser.body.metadata.resourceVersion;
    expect(rv).toMatch(/^\d+$/);
    const later = await send("GET", "/api/v1/namespaces/default/pods", { token: "alice-token" });
    const follow = await send("GET", `/debug/audit?user=${ALICE}&resourceVersion=${rv}`);
    expect(follow.body.items.map((e: any) => e.auditID)).toEqual([later.auditID]);
    expect((await send("GET", "/debug/audit?since=2000-01-01T00:00:00Z&limit=2")).body.items.length).toBeLessThanOrEqual(2);
    for (const bad of ["since=yesterday", "limit=0", "limit=x", "resourceVersion=-1"]) {
      expect((await send("GET", `/debug/audit?${bad}`)).status, bad).toBe(400);
    }
  });

  it("retention drops events by age and by count", async () => {
    const log = env.AUDIT_LOG!.get(env.AUDIT_LOG!.idFromName(`retention-${Math.random()}`));
    const now = Date.now();
    const rec = (ageMs: number, i: number) => ({ ts: now - ageMs, username: "u", event: JSON.stringify({ auditID: `r${i}` }) });
    // append() applies the Worker's retention (7 days, 100,000 events), which keeps all of these.
    await log.append([rec(2 * 3600_000, 0), rec(3600_000, 1), ...[2, 3, 4, 5].map((i) => rec(1000, i))]);
    expect((await log.stats()).events).toBe(6);
    expect(await log.pruneNow({ maxAgeMs: 1800_000, maxEvents: 0 }, now)).toBe(2);
    expect(await log.pruneNow({ maxAgeMs: 0, maxEvents: 3 }, now)).toBe(1);
    const page = await log.query({ limit: 10 });
    expect(page.events.map((e) => JSON.parse(e).auditID)).toEqual(["r3", "r4", "r5"]);
    // An event older than the retention window is dropped by the next append as well.
    await log.append([rec(8 * 24 * 3600_000, 6)]);
    expect((await log.stats()).events).toBe(3);
  });
});
