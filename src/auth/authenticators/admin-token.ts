// The admin token: a Worker secret (ADMIN_TOKEN), in group system:masters. A deployment without
// the secret recognises no admin at all rather than anyone.
import type { Env } from "../../env.js";
import { ADMIN_USER, type UserInfo } from "../user.js";
import { constantTimeEqual } from "../constant-time.js";

export async function adminToken(token: string, env: Env): Promise<UserInfo | undefined> {
  const expected = env.ADMIN_TOKEN;
  if (!expected || !constantTimeEqual(token, expected)) return undefined;
  return ADMIN_USER;
}
