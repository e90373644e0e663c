// Service-account issuer discovery (pkg/serviceaccount/openidmetadata.go, pkg/routes): the OIDC
// provider configuration and the JWKS, so that others (cloud IAM federation, Vault, another
// cluster) can check our tokens without calling us. Public, as upstream's
// system:service-account-issuer-discovery is commonly bound to unauthenticated users: they hold
// only public keys. Served only when the issuer is an https URL, as upstream requires.
import type { Ctx } from "./context.js";
import { issuer } from "../auth/tokens/config.js";
import { signingKey } from "../auth/tokens/keys.js";
import { resourceNotFound } from "../lib/status.js";

export const OPENID_CONFIG_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/openid/v1/jwks";
/** Upstream's default max-age of both documents. */
const CACHE_CONTROL = "public, max-age=3600";

function discoverable(iss: string): boolean {
  try {
    const u = new URL(iss);
    return u.protocol === "https:" && !u.search && !u.hash;
  } catch {
    return false;
  }
}

export async function openidConfiguration(c: Ctx): Promise<Response> {
  const iss = issuer(c.env);
  if (!discoverable(iss)) throw resourceNotFound();
  const key = await signingKey(c.env);
  const jwksUri = c.env.SERVICE_ACCOUNT_JWKS_URI?.trim() || `https://${new URL(c.req.url).host}${JWKS_PATH}`;
  const body = {
    issuer: iss,
    jwks_uri: jwksUri,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [key.publicJwk.alg],
  };
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json", "cache-control": CACHE_CONTROL } });
}

export async function jwks(c: Ctx): Promise<Response> {
  if (!discoverable(issuer(c.env))) throw resourceNotFound();
  const key = await signingKey(c.env);
  return new Response(JSON.stringify({ keys: [key.publicJwk] }), { headers: { "content-type": "application/jwk-set+json", "cache-control": CACHE_CONTROL } });
}
