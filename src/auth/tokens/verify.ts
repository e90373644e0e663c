// The checks every token this control plane signed goes through, whatever it names: our issuer,
// our key's signature, and its lifetime. Audiences and claims are each authenticator's business.
import type { Env } from "../../env.js";
import { issuer } from "./config.js";
import { type JwtClaims, type ParsedJwt, timeValidity, verifySignature } from "./jwt.js";
import { signingKey } from "./keys.js";

/** The claims of a token we issued that is valid now; undefined for anything else. */
export async function verifiedClaims(jwt: ParsedJwt, env: Env, nowMs: number): Promise<JwtClaims | undefined> {
  if (jwt.claims.iss !== issuer(env)) return undefined;
  if (!(await verifySignature(jwt, await signingKey(env)))) return undefined;
  if (timeValidity(jwt.claims, nowMs) !== "valid") return undefined;
  return jwt.claims;
}
