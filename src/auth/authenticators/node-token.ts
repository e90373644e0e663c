// Node credentials: the bearer token a node gets for its bootstrap token (or for its previous
// credential) from /apis/authentication.edgeplane.dev/v1/nodecredentialrequests. What a client
// certificate signed by kube-apiserver-client-kubelet is upstream: user system:node:NAME in
// system:nodes. Stateless: signature, issuer, lifetime, the node audience and the node claim.
import type { Env } from "../../env.js";
import { NODE_CLAIM } from "../tokens/claims.js";
import { NODE_AUDIENCE } from "../tokens/config.js";
import { audiencesOf, isRecord, parseJwt } from "../tokens/jwt.js";
import { verifiedClaims } from "../tokens/verify.js";
import { NODE_USER_PREFIX, SYSTEM_NODES, type UserInfo } from "../user.js";
import { EXTRA } from "./service-account.js";

/** Node names are DNS subdomains. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export async function nodeToken(token: string, env: Env): Promise<UserInfo | undefined> {
  const jwt = parseJwt(token);
  if (!jwt || !isRecord(jwt.claims[NODE_CLAIM])) return undefined;
  const claims = await verifiedClaims(jwt, env, Date.now());
  if (!claims || !audiencesOf(claims).includes(NODE_AUDIENCE)) return undefined;
  const name = (claims[NODE_CLAIM] as Record<string, unknown>).name;
  if (typeof name !== "string" || name.length > 253 || !NODE_NAME.test(name) || claims.sub !== NODE_USER_PREFIX + name) return undefined;
  const user: UserInfo = { username: NODE_USER_PREFIX + name, groups: [SYSTEM_NODES] };
  if (typeof claims.jti === "string" && claims.jti) user.extra = { [EXTRA.credentialId]: [`JTI=${claims.jti}`] };
  return user;
}
