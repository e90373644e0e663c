// Authentication (k8s.io/apiserver's union of token authenticators): the bearer token is
// offered to each authenticator in turn and the first that recognises it wins. A request with a
// token nobody recognises gets 401; one without a token is anonymous, which only the health and
// version paths accept, and only when ANONYMOUS_HEALTH_CHECKS is "true".
import type { Env } from "../env.js";
import { unauthorized } from "../lib/status.js";
import { adminToken } from "./authenticators/admin-token.js";
import { bootstrapToken } from "./authenticators/bootstrap-token.js";
import { nodeToken } from "./authenticators/node-token.js";
import { serviceAccountToken } from "./authenticators/service-account.js";
import { testTokens } from "./authenticators/test-tokens.js";
import { ANONYMOUS, type UserInfo, withAuthenticatedGroup } from "./user.js";

/** Recognises a token (undefined: not mine; throw only for a failure to check, never for a bad token). */
export type TokenAuthenticator = (token: string, env: Env) => Promise<UserInfo | undefined>;

/** The authenticators, tried in order: the cheapest first. */
export const TOKEN_AUTHENTICATORS: TokenAuthenticator[] = [adminToken, nodeToken, serviceAccountToken, bootstrapToken, testTokens];

/** Paths an anonymous request may reach when the Worker allows it (upstream: system:public-info-viewer). */
export const PUBLIC_INFO_PATHS = ["/healthz", "/livez", "/readyz", "/version"];

export function bearerToken(header: string | undefined | null): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec((header ?? "").trim());
  return m?.[1];
}

/** The user a request authenticates as; throws 401 Unauthorized when it does not. */
export async function authenticateRequest(req: Request, env: Env): Promise<UserInfo> {
  const token = bearerToken(req.headers.get("authorization"));
  if (token === undefined) {
    const path = new URL(req.url).pathname;
    if (env.ANONYMOUS_HEALTH_CHECKS === "true" && PUBLIC_INFO_PATHS.includes(path)) return ANONYMOUS;
    throw unauthorized();
  }
  for (const authenticator of TOKEN_AUTHENTICATORS) {
    const user = await authenticator(token, env);
    if (user) return withAuthenticatedGroup(user);
  }
  throw unauthorized();
}
