// Acting as someone other than the admin in workers tests: a service account's token (through
// TokenRequest, as kubectl create token), a node's credentials (minted with the cluster's key),
// a bootstrap token (its Secret written as `edgeplane token create` does), and requests with a
// given token.
//
//   const sa = await serviceAccountToken(ns, "ci");         // creates the account if needed
//   const r = await as(sa, "GET", `/api/v1/namespaces/${ns}/pods`);
//   const node = await nodeToken("node-1");                  // user system:node:node-1
//   const who = await userOf(node);                          // the UserInfo it authenticates as
import { env } from "cloudflare:workers";
import { authenticateRequest } from "../../src/auth/authenticate.js";
import { clearServiceAccountTokenCache } from "../../src/auth/authenticators/service-account.js";
import { bootstrapSecret, generateBootstrapToken } from "../../src/auth/tokens/bootstrap.js";
import { issueNodeToken, issueServiceAccountToken } from "../../src/auth/tokens/issue.js";
import type { UserInfo } from "../../src/auth/user.js";
import { api, post, raw, type Res } from "./helpers.js";

export { clearServiceAccountTokenCache, issueNodeToken, issueServiceAccountToken };

/** A request with `token` as the bearer token (no token at all when it is ""). */
export function as<T = any>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  return api<T>(method, path, body, { ...headers, authorization: token ? `Bearer ${token}` : "" });
}

/** The user a token authenticates as, or undefined when it does not (401). */
export async function userOf(token: string): Promise<UserInfo | undefined> {
  try {
    return await authenticateRequest(new Request("http://x/api", { headers: { authorization: `Bearer ${token}` } }), env);
  } catch (e) {
    if ((e as { code?: number }).code === 401) return undefined;
    throw e;
  }
}

/** The HTTP status a token gets on a request that needs only authentication to be refused (401) or not. */
export async function statusWith(token: string, path = "/api/v1/namespaces/default/configmaps"): Promise<number> {
  return (await raw("GET", path, { headers: { authorization: `Bearer ${token}` } })).status;
}

/** Creates the ServiceAccount unless it exists and asks TokenRequest for a token. */
export async function serviceAccountToken(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<string> {
  const c = await post(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } });
  if (c.status !== 201 && c.status !== 409) throw new Error(`serviceaccount create: ${c.status} ${c.text}`);
  const r = await post(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec });
  if (r.status !== 201) throw new Error(`token request: ${r.status} ${r.text}`);
  return r.body.status.token as string;
}

/** Node credentials for system:node:<name>, minted directly with the cluster's signing key. */
export async function nodeToken(name: string, expirationSeconds?: number): Promise<string> {
  return (await issueNodeToken(env, { nodeName: name, expirationSeconds })).token;
}

/** Writes a bootstrap token's Secret (as `edgeplane token create`) and returns the token. */
export async function bootstrapToken(o: { expiresAt?: number; extraGroups?: string[]; data?: Record<string, string> } = {}): Promise<{ id: string; token: string }> {
  const t = generateBootstrapToken();
  const secret = bootstrapSecret({ id: t.id, secret: t.secret, expiresAt: o.expiresAt, extraGroups: o.extraGroups }) as { stringData: Record<string, string> };
  Object.assign(secret.stringData, o.data ?? {});
  const r = await post("/api/v1/namespaces/kube-system/secrets", secret);
  if (r.status !== 201) throw new Error(`bootstrap secret: ${r.status} ${r.text}`);
  return { id: t.id, token: t.token };
}

/** The claims of a JWT, unverified (for assertions). */
export function claimsOf(token: string): any {
  const part = token.split(".")[1];
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

export function headerOf(token: string): any {
  return JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
}
