// Service-account tokens (pkg/serviceaccount/jwt.go + claims.go's validator): a JWT we signed,
// for one of the API's audiences, within its lifetime, whose account still exists with the same
// uid, and whose bound pod, secret or node does too. The user is system:serviceaccount:NS:NAME
// in system:serviceaccounts and system:serviceaccounts:NS, with upstream's extra.
//
// The existence checks cost one RPC to the namespace's store (two for a node-bound token). As
// kube-apiserver does (--token-success-cache-ttl 10s), an isolate trusts a token that passed for
// TOKEN_SUCCESS_CACHE_TTL_MS without asking again: deleting an account, pod or secret revokes its
// tokens within 10 seconds (plus upstream's 60-second grace after a deletionTimestamp).
import type { Env } from "../../env.js";
import { clusterStore, namespaceStore } from "../../api/stores.js";
import { StatusError } from "../../lib/status.js";
import { TokenCache, TOKEN_SUCCESS_CACHE_TTL_MS, tokenCacheKey } from "../tokens/cache.js";
import { KUBERNETES_CLAIM, serviceAccountUsername } from "../tokens/claims.js";
import { apiAudiences } from "../tokens/config.js";
import { LEEWAY_SECONDS, audiencesOf, isRecord, parseJwt } from "../tokens/jwt.js";
import type { Referent } from "../tokens/referents.js";
import { verifiedClaims } from "../tokens/verify.js";
import type { UserInfo } from "../user.js";

export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
/** user.Info extra keys, as k8s.io/apiserver/pkg/authentication/serviceaccount names them. */
export const EXTRA = {
  podName: "authentication.kubernetes.io/pod-name",
  podUid: "authentication.kubernetes.io/pod-uid",
  nodeName: "authentication.kubernetes.io/node-name",
  nodeUid: "authentication.kubernetes.io/node-uid",
  credentialId: "authentication.kubernetes.io/credential-id",
} as const;

const cache = new TokenCache();

/** Forget every cached result of this isolate (tests that need a revocation to show at once). */
export function clearServiceAccountTokenCache(): void {
  cache.clear();
}

interface Ref {
  name: string;
  uid?: string;
}

function ref(v: unknown): Ref | undefined {
  if (!isRecord(v) || typeof v.name !== "string" || !v.name) return undefined;
  return { name: v.name, uid: typeof v.uid === "string" ? v.uid : undefined };
}

/** Gone, replaced, or deleted more than a leeway ago (a pod being shut down keeps its token meanwhile). */
function invalidated(found: Referent | undefined, claimedUid: string | undefined, nowMs: number): boolean {
  if (!found || found.uid !== (claimedUid ?? "")) return true;
  if (!found.deletionTimestamp) return false;
  return Date.parse(found.deletionTimestamp) < nowMs - LEEWAY_SECONDS * 1000;
}

export async function serviceAccountToken(token: string, env: Env): Promise<UserInfo | undefined> {
  const jwt = parseJwt(token);
  if (!jwt || !isRecord(jwt.claims[KUBERNETES_CLAIM])) return undefined;
  const now = Date.now();
  const key = await tokenCacheKey(token);
  const hit = cache.get(key, now);
  if (hit) return hit;

  const claims = await verifiedClaims(jwt, env, now);
  if (!claims) return undefined;
  const accepted = apiAudiences(env);
  if (!audiencesOf(claims).some((a) => accepted.includes(a))) return undefined;

  const k = claims[KUBERNETES_CLAIM] as Record<string, unknown>;
  const namespace = k.namespace;
  const sa = ref(k.serviceaccount);
  if (typeof namespace !== "string" || !namespace || !sa || claims.sub !== serviceAccountUsername(namespace, sa.name)) return undefined;
  const pod = k.pod === undefined ? undefined : ref(k.pod);
  const secret = k.secret === undefined ? undefined : ref(k.secret);
  const node = k.node === undefined ? undefined : ref(k.node);
  if ((k.pod !== undefined && !pod) || (k.secret !== undefined && !secret) || (k.node !== undefined && !node)) return undefined;

  const found = await namespaceStore(env, namespace).tokenReferents(namespace, { serviceAccount: sa.name, pod: pod?.name, secret: secret?.name });
  if (invalidated(found.serviceAccount, sa.uid, now)) return undefined;
  if (secret && invalidated(found.secret, secret.uid, now)) return undefined;
  if (pod && invalidated(found.pod, pod.uid, now)) return undefined;
  if (node && !pod && (await nodeInvalidated(env, node, now))) return undefined;

  const extra: Record<string, string[]> = {};
  if (pod?.uid) {
    extra[EXTRA.podName] = [pod.name];
    extra[EXTRA.podUid] = [pod.uid];
  }
  if (typeof claims.jti === "string" && claims.jti) extra[EXTRA.credentialId] = [`JTI=${claims.jti}`];
  if (node) {
    extra[EXTRA.nodeName] = [node.name];
    if (node.uid) extra[EXTRA.nodeUid] = [node.uid];
  }
  const user: UserInfo = {
    username: serviceAccountUsername(namespace, sa.name),
    uid: sa.uid ?? "",
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`],
  };
  if (Object.keys(extra).length) user.extra = extra;
  cache.set(key, user, Math.min(now + TOKEN_SUCCESS_CACHE_TTL_MS, (claims.exp as number) * 1000 + LEEWAY_SECONDS * 1000));
  return user;
}

/** A token bound to a Node (not through a pod) lives as long as that Node. */
async function nodeInvalidated(env: Env, node: Ref, now: number): Promise<boolean> {
  const got = await clusterStore(env).get({ group: "", version: "v1", resource: "nodes", namespace: "", name: node.name });
  if (!got.ok) {
    if (got.status.code === 404) return true;
    throw new StatusError(got.status);
  }
  const meta = (got.body as { metadata: { uid?: string; deletionTimestamp?: string } }).metadata;
  return invalidated({ uid: meta.uid ?? "", deletionTimestamp: meta.deletionTimestamp }, node.uid, now);
}
