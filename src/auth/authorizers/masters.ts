// system:masters may do anything (upstream's privileged group, outside RBAC so it cannot be
// locked out by a bad binding).
import type { RequestAttributes } from "../attributes.js";
import type { Decision } from "../authorize.js";
import { SYSTEM_MASTERS } from "../user.js";

export async function mastersAuthorizer(a: RequestAttributes): Promise<Decision> {
  return a.user.groups.includes(SYSTEM_MASTERS) ? { decision: "allow" } : { decision: "noOpinion" };
}
