// Who issues tokens and who they are for: kube-apiserver's --service-account-issuer,
// --api-audiences and --service-account-max-token-expiration, as Worker variables.
import type { Env } from "../../env.js";

/** The in-cluster name of the API, as clusters made by kubeadm issue tokens. */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/**
 * The audience of node credentials. No service-account token may carry it (TokenRequest refuses
 * it) and it is never one of the API audiences, so a node token cannot pass for a service
 * account's or the other way round.
 */
export const NODE_AUDIENCE = "edgeplane.dev/node-credentials";

export function issuer(env: Env): string {
  return env.SERVICE_ACCOUNT_ISSUER?.trim() || DEFAULT_ISSUER;
}

/** The audiences the API accepts (API_AUDIENCES, comma-separated); upstream defaults them to the issuer. */
export function apiAudiences(env: Env): string[] {
  const list = (env.API_AUDIENCES ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  return list.length ? list : [issuer(env)];
}

/** --service-account-max-token-expiration (seconds); 0 when unset: only TokenRequest's 2^32 bound. */
export function maxTokenExpirationSeconds(env: Env): number {
  const n = Number(env.SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION_SECONDS ?? "");
  return Number.isInteger(n) && n > 0 ? n : 0;
}
