// Identities besides the admin, through the Worker: TokenRequest and service-account tokens,
// issuer discovery, bootstrap tokens, node credentials, and the controllers that give every
// namespace its default ServiceAccount and clean expired bootstrap tokens.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Writer, WIRE_LEN, WIRE_VARINT } from "../../src/api/protobuf/wire.js";
import { DEFAULT_ISSUER } from "../../src/auth/tokens/config.js";
import { del, eventually, get, newNs, post, pod, raw } from "./helpers.js";
import {
  as,
  bootstrapToken,
  claimsOf,
  clearServiceAccountTokenCache,
  headerOf,
  issueServiceAccountToken,
  nodeToken,
  serviceAccountToken,
  userOf,
} from "./tokens-helpers.js";

const tokenPath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`;
const NCR = "/apis/authentication.edgeplane.dev/v1/nodecredentialrequests";
const ncr = (nodeName: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "authentication.edgeplane.dev/v1", kind: "NodeCredentialRequest", spec: { nodeName, ...extra } });

describe("TokenRequest", () => {
  it("answers a signed token with upstream's claims; defaults: the API audience, one hour", async () => {
    const ns = await newNs("tok");
    const sa = (await post(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci" } })).body;
    const before = Math.floor(Date.now() / 1000);
    const r = await post(tokenPath(ns, "ci"), { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name: "ci", namespace: ns },
      spec: { audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 },
    });
    const token: string = r.body.status.token;
    expect(headerOf(token)).toEqual({ alg: "RS256", kid: expect.any(String) });
    const c = claimsOf(token);
    expect(Object.keys(c)).toEqual(["aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub"]);
    expect(c).toMatchObject({
      aud: [DEFAULT_ISSUER],
      iss: DEFAULT_ISSUER,
      sub: `system:serviceaccount:${ns}:ci`,
      "kubernetes.io": { namespace: ns, serviceaccount: { name: "ci", uid: sa.metadata.uid } },
    });
    expect(c.iat).toBeGreaterThanOrEqual(before);
    expect(c.nbf).toBe(c.iat);
    expect(c.exp - c.iat).toBe(3600);
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(r.body.status.expirationTimestamp) / 1000).toBeCloseTo(c.exp, -1);
  });

  it("authenticates as system:serviceaccount:NS:NAME with upstream's groups and credential id", async () => {
    const ns = await newNs("tok");
    const token = await serviceAccountToken(ns, "ci");
    const sa = (await get(`/api/v1/namespaces/${ns}/serviceaccounts/ci`)).body;
    expect(await userOf(token)).toEqual({
      username: `system:serviceaccount:${ns}:ci`,
      uid: sa.metadata.uid,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${claimsOf(token).jti}`] },
    });
    // Authenticated (not 401), whatever the authorizers then decide.
    const r = await as(token, "GET", `/api/v1/namespaces/${ns}/configmaps`);
    expect(r.status).not.toBe(401);
    if (r.status === 403) expect(r.body.message).toContain(`User "system:serviceaccount:${ns}:ci"`);
  });

  it("validates as upstream: 10 minutes at least, 2^32 seconds at most, the account must exist, the names must match", async () => {
    const ns = await newNs("tok");
    await serviceAccountToken(ns, "ci");
    const short = await post(tokenPath(ns, "ci"), { spec: { expirationSeconds: 60 } });
    expect(short.status).toBe(422);
    expect(short.body.message).toBe('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    const long = await post(tokenPath(ns, "ci"), { spec: { expirationSeconds: 2 ** 32 + 1 } });
    expect(long.status).toBe(422);
    expect(long.body.message).toContain("may not specify a duration larger than 2^32 seconds");
    const missing = await post(tokenPath(ns, "nobody"), { spec: {} });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('serviceaccounts "nobody" not found');
    const named = await post(tokenPath(ns, "ci"), { metadata: { name: "other" }, spec: {} });
    expect(named.status).toBe(422);
    expect(named.body.message).toContain("metadata.name: Invalid value: \"other\": must match the service account name if specified");
    const reserved = await post(tokenPath(ns, "ci"), { spec: { audiences: ["edgeplane.dev/node-credentials"] } });
    expect(reserved.status).toBe(422);
    const wrongKind = await post(tokenPath(ns, "ci"), { kind: "Pod", spec: {} });
    expect(wrongKind.status).toBe(400);
    expect((await api405(tokenPath(ns, "ci"))).status).toBe(405);
  });

  it("binds to a pod: pod-name and pod-uid extras; refuses another account's pod, a stale uid and other kinds", async () => {
    const ns = await newNs("tok");
    await serviceAccountToken(ns, "ci");
    const p = (await post(`/api/v1/namespaces/${ns}/pods`, { ...pod("web"), spec: { ...pod("web").spec, serviceAccountName: "ci" } })).body;
    await post(`/api/v1/namespaces/${ns}/pods`, pod("other"));
    const ref = (name: string, extra: Record<string, unknown> = {}) => ({ spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name, ...extra } } });

    const r = await post(tokenPath(ns, "ci"), ref("web"));
    expect(r.status, r.text).toBe(201);
    expect(claimsOf(r.body.status.token)["kubernetes.io"].pod).toEqual({ name: "web", uid: p.metadata.uid });
    expect((await userOf(r.body.status.token))?.extra).toMatchObject({
      "authentication.kubernetes.io/pod-name": ["web"],
      "authentication.kubernetes.io/pod-uid": [p.metadata.uid],
    });

    const other = await post(tokenPath(ns, "ci"), ref("other"));
    expect(other.status).toBe(400);
    expect(other.body.message).toBe('cannot bind token for serviceaccount "ci" to pod running with different serviceaccount name.');
    const stale = await post(tokenPath(ns, "ci"), ref("web", { uid: "not-the-uid" }));
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain("the UID in the bound object reference (not-the-uid) does not match the UID in record");
    const kind = await post(tokenPath(ns, "ci"), { spec: { boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "x" } } });
    expect(kind.status).toBe(400);
    expect(kind.body.message).toBe("cannot bind token to object of type apps/v1, Kind=Deployment");
    expect((await post(tokenPath(ns, "ci"), ref("gone"))).status).toBe(404);
  });

  it("accepts kubectl's protobuf body", async () => {
    const ns = await newNs("tok");
    await serviceAccountToken(ns, "ci");
    const spec = new Writer();
    spec.tag(1, WIRE_LEN);
    spec.string("vault");
    spec.tag(4, WIRE_VARINT);
    spec.int64(1200);
    const msg = new Writer();
    msg.tag(2, WIRE_LEN);
    msg.bytes(spec.finish());
    const typeMeta = new Writer();
    typeMeta.tag(1, WIRE_LEN);
    typeMeta.string("authentication.k8s.io/v1");
    typeMeta.tag(2, WIRE_LEN);
    typeMeta.string("TokenRequest");
    const env = new Writer();
    env.raw(new Uint8Array([0x6b, 0x38, 0x73, 0x00]));
    env.tag(1, WIRE_LEN);
    env.bytes(typeMeta.finish());
    env.tag(2, WIRE_LEN);
    env.bytes(msg.finish());
    const res = await raw("POST", tokenPath(ns, "ci"), { body: env.finish(), headers: { "content-type": "application/vnd.kubernetes.protobuf" } });
    const body: any = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.spec).toEqual({ audiences: ["vault"], expirationSeconds: 1200 });
    expect(claimsOf(body.status.token).aud).toEqual(["vault"]);
  });
});

async function api405(path: string) {
  return raw("GET", path);
}

describe("service-account token authentication", () => {
  it("refuses other audiences, tampered and expired tokens", async () => {
    const ns = await newNs("tok");
    const vault = await serviceAccountToken(ns, "ci", { audiences: ["vault"] });
    expect(await userOf(vault)).toBeUndefined();
    const good = await serviceAccountToken(ns, "ci");
    const [h, , s] = good.split(".");
    const forged = btoa(JSON.stringify({ ...claimsOf(good), sub: `system:serviceaccount:${ns}:admin` })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    expect(await userOf(`${h}.${forged}.${s}`)).toBeUndefined();
    const sa = (await get(`/api/v1/namespaces/${ns}/serviceaccounts/ci`)).body;
    const old = await issueServiceAccountToken(env, {
      audiences: [DEFAULT_ISSUER],
      serviceAccount: { namespace: ns, name: "ci", uid: sa.metadata.uid },
      expirationSeconds: 600,
      nowMs: Date.now() - 700_000, // expired 100 s ago: beyond the 60 s leeway
    });
    expect(await userOf(old.token)).toBeUndefined();
    expect((await as(old.token, "GET", "/api/v1/namespaces")).status).toBe(401);
  });

  it("a deleted account's tokens stop working (after the 10 s cache), and a re-created account's name does not revive them", async () => {
    const ns = await newNs("tok");
    const token = await serviceAccountToken(ns, "ci");
    expect(await userOf(token)).toBeDefined();
    expect((await del(`/api/v1/namespaces/${ns}/serviceaccounts/ci`)).status).toBe(200);
    // The isolate trusts a token that passed for TOKEN_SUCCESS_CACHE_TTL_MS (as kube-apiserver).
    expect(await userOf(token)).toBeDefined();
    clearServiceAccountTokenCache();
    expect(await userOf(token)).toBeUndefined();
    await post(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci" } });
    expect(await userOf(token)).toBeUndefined();
  });

  it("a token bound to a Node or a Secret lives as long as that object", async () => {
    const ns = await newNs("tok");
    await serviceAccountToken(ns, "ci");
    const nodeName = `n-${ns}`;
    const node = (await post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: nodeName } })).body;
    await post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } });
    const bound = async (kind: string, name: string) =>
      (await post(tokenPath(ns, "ci"), { spec: { boundObjectRef: { kind, apiVersion: "v1", name } } })).body.status.token as string;
    const byNode = await bound("Node", nodeName);
    const bySecret = await bound("Secret", "s");
    expect(claimsOf(byNode)["kubernetes.io"].node).toEqual({ name: nodeName, uid: node.metadata.uid });
    expect((await userOf(byNode))?.extra).toMatchObject({ "authentication.kubernetes.io/node-name": [nodeName], "authentication.kubernetes.io/node-uid": [node.metadata.uid] });
    expect(await userOf(bySecret)).toBeDefined();
    await del(`/api/v1/nodes/${nodeName}`);
    await del(`/api/v1/namespaces/${ns}/secrets/s`);
    clearServiceAccountTokenCache();
    expect(await userOf(byNode)).toBeUndefined();
    expect(await userOf(bySecret)).toBeUndefined();
  });

  it("a token bound to a pod stops working once the pod is deleted", async () => {
    const ns = await newNs("tok");
    await serviceAccountToken(ns, "ci");
    await post(`/api/v1/namespaces/${ns}/pods`, { ...pod("web"), spec: { ...pod("web").spec, serviceAccountName: "ci" } });
    const r = await post(tokenPath(ns, "ci"), { spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" } } });
    const token = r.body.status.token;
    expect((await del(`/api/v1/namespaces/${ns}/pods/web`)).status).toBe(200);
    expect(await userOf(token)).toBeUndefined();
  });
});

describe("issuer discovery", () => {
  it("serves the OIDC configuration and the JWKS without credentials; the JWKS key verifies our tokens", async () => {
    const conf = await raw("GET", "/.well-known/openid-configuration", { headers: { authorization: "" } });
    expect(conf.status).toBe(200);
    expect(conf.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(await conf.json()).toEqual({
      issuer: DEFAULT_ISSUER,
      jwks_uri: "https://x/openid/v1/jwks",
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
    const res = await raw("GET", "/openid/v1/jwks", { headers: { authorization: "" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/jwk-set+json");
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
    expect(keys[0].d).toBeUndefined();

    const ns = await newNs("tok");
    const token = await serviceAccountToken(ns, "ci");
    expect(headerOf(token).kid).toBe(keys[0].kid);
    const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n: keys[0].n, e: keys[0].e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    const [h, p, s] = token.split(".");
    const sig = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, sig, new TextEncoder().encode(`${h}.${p}`))).toBe(true);
  });

  it("lists serviceaccounts/token and the node credential request in discovery", async () => {
    const core = (await get("/api/v1")).body.resources.find((r: any) => r.name === "serviceaccounts/token");
    expect(core).toMatchObject({ kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"], namespaced: true });
    const edge = (await get("/apis/authentication.edgeplane.dev/v1")).body.resources;
    expect(edge).toEqual([{ name: "nodecredentialrequests", singularName: "nodecredentialrequest", namespaced: false, kind: "NodeCredentialRequest", verbs: ["create"] }]);
  });
});

describe("bootstrap tokens", () => {
  it("authenticate as system:bootstrap:<id> in system:bootstrappers and the extra groups", async () => {
    const t = await bootstrapToken({ expiresAt: Date.now() + 3600_000 });
    expect(await userOf(t.token)).toEqual({
      username: `system:bootstrap:${t.id}`,
      groups: ["system:bootstrappers", "system:bootstrappers:edgeplane:default-node-token", "system:authenticated"],
    });
  });

  it("are refused when expired, wrong, not for authentication, or with a bad extra group", async () => {
    const expired = await bootstrapToken({ expiresAt: Date.now() - 1000 });
    expect((await as(expired.token, "GET", "/api/v1/namespaces")).status).toBe(401);
    const ok = await bootstrapToken();
    expect(await userOf(`${ok.id}.${"0".repeat(16)}`)).toBeUndefined();
    const unused = await bootstrapToken({ data: { "usage-bootstrap-authentication": "false" } });
    expect(await userOf(unused.token)).toBeUndefined();
    const badGroup = await bootstrapToken({ extraGroups: ["system:masters"] });
    expect(await userOf(badGroup.token)).toBeUndefined();
    expect(await userOf("abcdef.0123456789abcdef")).toBeUndefined();
  });

  it("an expired token's Secret is deleted by the token cleaner", async () => {
    const t = await bootstrapToken({ expiresAt: Date.now() + 1500 });
    const path = `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${t.id}`;
    expect((await get(path)).status).toBe(200);
    await eventually("kube-system", async () => ((await get(path)).status === 404 ? true : undefined), 6000);
  });
});

describe("node credentials", () => {
  it("bootstrap token → node credentials → system:node:NAME, renewable by the node itself", async () => {
    const boot = await bootstrapToken({ expiresAt: Date.now() + 3600_000 });
    const r = await as(boot.token, "POST", NCR, ncr("edge-1"));
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ apiVersion: "authentication.edgeplane.dev/v1", kind: "NodeCredentialRequest", spec: { nodeName: "edge-1", expirationSeconds: 86400 } });
    const token: string = r.body.status.token;
    const c = claimsOf(token);
    expect(c).toMatchObject({ sub: "system:node:edge-1", aud: ["edgeplane.dev/node-credentials"], "edgeplane.dev/node": { name: "edge-1", requestedBy: `system:bootstrap:${boot.id}` } });
    expect(Date.parse(r.body.status.expirationTimestamp) / 1000).toBe(c.exp);
    expect(await userOf(token)).toEqual({
      username: "system:node:edge-1",
      groups: ["system:nodes", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${c.jti}`] },
    });

    const renewed = await as(token, "POST", NCR, ncr("edge-1", { expirationSeconds: 3600 }));
    expect(renewed.status, renewed.text).toBe(201);
    expect(claimsOf(renewed.body.status.token).exp - claimsOf(renewed.body.status.token).iat).toBe(3600);
    const other = await as(token, "POST", NCR, ncr("edge-2"));
    expect(other.status).toBe(403);
    expect(other.body.message).toContain('User "system:node:edge-1" cannot create resource "nodecredentialrequests" in API group "authentication.edgeplane.dev"');
  });

  it("is refused to service accounts, without credentials, and for bad names; the admin may", async () => {
    const ns = await newNs("tok");
    const sa = await serviceAccountToken(ns, "ci");
    expect((await as(sa, "POST", NCR, ncr("edge-1"))).status).toBe(403);
    expect((await as("", "POST", NCR, ncr("edge-1"))).status).toBe(401);
    const boot = await bootstrapToken();
    const bad = await as(boot.token, "POST", NCR, ncr("Not_A_Name"));
    expect(bad.status).toBe(422);
    expect((await as(boot.token, "POST", NCR, ncr("edge-1", { expirationSeconds: 10 }))).status).toBe(422);
    expect((await post(NCR, ncr("edge-9"))).status).toBe(201);
  });

  it("node and service-account tokens cannot pass for each other", async () => {
    const node = await nodeToken("edge-3");
    const parts = node.split(".");
    // A node token dressed with a kubernetes.io claim: the signature no longer matches.
    const dressed = btoa(JSON.stringify({ ...claimsOf(node), "kubernetes.io": { namespace: "default", serviceaccount: { name: "default", uid: "x" } } }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(await userOf(`${parts[0]}.${dressed}.${parts[2]}`)).toBeUndefined();
    // A service-account token for the node audience cannot be had, and one for the API is not a node's.
    const ns = await newNs("tok");
    const sa = await serviceAccountToken(ns, "ci");
    expect((await userOf(sa))?.groups).not.toContain("system:nodes");
    expect((await userOf(node))?.username).toBe("system:node:edge-3");
  });
});

describe("default ServiceAccount", () => {
  it("every new namespace gets `default`, and gets it back when it is deleted", async () => {
    const ns = await newNs("sa");
    const path = `/api/v1/namespaces/${ns}/serviceaccounts/default`;
    const first = await eventually(["", ns], async () => {
      const r = await get(path);
      return r.status === 200 ? r.body : undefined;
    });
    expect(first).toMatchObject({ kind: "ServiceAccount", metadata: { name: "default", namespace: ns } });
    expect((await del(path)).status).toBe(200);
    const again = await eventually(ns, async () => {
      const r = await get(path);
      return r.status === 200 ? r.body : undefined;
    });
    expect(again.metadata.uid).not.toBe(first.metadata.uid);
  });

  it("is not re-created in a namespace being deleted", async () => {
    const ns = await newNs("sa");
    const path = `/api/v1/namespaces/${ns}/serviceaccounts/default`;
    await eventually(["", ns], async () => ((await get(path)).status === 200 ? true : undefined));
    expect((await del(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    await eventually(["", ns], async () => ((await get(`/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined), 6000);
    expect((await get(path)).status).toBe(404);
  });
});
