// The user a request authenticated as, before any impersonation: the audit record's `user` (the
// impersonated one is its `impersonatedUser`), and whom the abuse limits count. Kept beside the
// Request object rather than in the Hono context, so the routes see only the user they act as.
import type { UserInfo } from "../auth/user.js";

const requestors = new WeakMap<Request, UserInfo>();

export function noteRequestor(req: Request, user: UserInfo): void {
  requestors.set(req, user);
}

export function requestorOf(req: Request): UserInfo | undefined {
  return requestors.get(req);
}
