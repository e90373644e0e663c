// Minting tokens with the cluster's signing key: what TokenRequest and the node credential
// exchange answer with, and what tests use to act as a service account or a node.
import type { Env } from "../../env.js";
import { issuer, NODE_AUDIENCE } from "./config.js";
import { nodeClaims, serviceAccountClaims, type ServiceAccountClaimsInput } from "./claims.js";
import { signJwt } from "./jwt.js";
import { signingKey } from "./keys.js";

export interface IssuedToken {
  token: string;
  /** When it expires (ms since the epoch). */
  expiresAt: number;
  jti: string;
}

/** Node credentials last a day unless asked otherwise; agents rotate at ~80% of that. */
export const NODE_TOKEN_DEFAULT_SECONDS = 24 * 3600;
export const NODE_TOKEN_MIN_SECONDS = 600;
export const NODE_TOKEN_MAX_SECONDS = 7 * 24 * 3600;

export type ServiceAccountTokenInput = Omit<ServiceAccountClaimsInput, "issuer" | "nowMs" | "jti"> & { nowMs?: number };

/** Signs a service-account token; checks nothing (TokenRequest checks the objects first). */
export async function issueServiceAccountToken(env: Env, o: ServiceAccountTokenInput): Promise<IssuedToken> {
  const nowMs = o.nowMs ?? Date.now();
  const jti = crypto.randomUUID();
  const token = await signJwt(serviceAccountClaims({ ...o, issuer: issuer(env), nowMs, jti }), await signingKey(env));
  return { token, expiresAt: (Math.floor(nowMs / 1000) + o.expirationSeconds) * 1000, jti };
}

/** Signs node credentials for system:node:<nodeName>. */
export async function issueNodeToken(
  env: Env,
  o: { nodeName: string; expirationSeconds?: number; requestedBy?: string; nowMs?: number },
): Promise<IssuedToken> {
  const nowMs = o.nowMs ?? Date.now();
  const expirationSeconds = o.expirationSeconds ?? NODE_TOKEN_DEFAULT_SECONDS;
  const jti = crypto.randomUUID();
  const claims = nodeClaims({ issuer: issuer(env), audience: NODE_AUDIENCE, nodeName: o.nodeName, expirationSeconds, nowMs, jti, requestedBy: o.requestedBy });
  const token = await signJwt(claims, await signingKey(env));
  return { token, expiresAt: (Math.floor(nowMs / 1000) + expirationSeconds) * 1000, jti };
}
