// Authentication: every request carries `Authorization: Bearer <token>`. The admin token is a
// Worker secret (ADMIN_TOKEN); `edgeplane up` generates one locally. Anything else gets 401.
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.js";
import { unauthorized } from "../lib/status.js";

/** Constant-time comparison so the token cannot be guessed byte by byte from timings. */
function sameToken(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

export const authenticate: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  // A deployment without the secret set refuses everyone rather than serving anyone.
  if (!expected || !m || !sameToken(m[1].trim(), expected)) throw unauthorized();
  await next();
};
