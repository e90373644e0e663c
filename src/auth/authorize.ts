// Authorization (k8s.io/apiserver's union authorizer): each authorizer in turn may allow, deny
// or have no opinion; the first allow or deny decides, and a request nobody allows is refused
// with upstream's 403 message. Only additive authorizers exist, so "deny" is for nodes asking
// for what is not theirs.
import type { Env } from "../env.js";
import { StatusError, failure } from "../lib/status.js";
import type { RequestAttributes } from "./attributes.js";
import { mastersAuthorizer } from "./authorizers/masters.js";
import { nodeAuthorizer } from "./authorizers/node/index.js";
import { rbacAuthorizer } from "./rbac/authorizer.js";

export interface Decision {
  decision: "allow" | "deny" | "noOpinion";
  /** Why, for the 403 message and SubjectAccessReview status (optional). */
  reason?: string;
}

export type Authorizer = (a: RequestAttributes, env: Env) => Promise<Decision>;

/** The authorizers, in order (upstream's --authorization-mode list). */
export const AUTHORIZERS: Authorizer[] = [mastersAuthorizer, nodeAuthorizer, rbacAuthorizer];

export interface Verdict {
  allowed: boolean;
  denied: boolean;
  reason: string;
}

export async function authorize(a: RequestAttributes, env: Env): Promise<Verdict> {
  const reasons: string[] = [];
  for (const authorizer of AUTHORIZERS) {
    const d = await authorizer(a, env);
    if (d.reason) reasons.push(d.reason);
    if (d.decision === "allow") return { allowed: true, denied: false, reason: d.reason ?? "" };
    if (d.decision === "deny") return { allowed: false, denied: true, reason: reasons.join(", ") };
  }
  return { allowed: false, denied: false, reason: reasons.join(", ") };
}

/** Throws upstream's 403 Forbidden unless the request is allowed. */
export async function requireAuthorized(a: RequestAttributes, env: Env): Promise<void> {
  const v = await authorize(a, env);
  if (!v.allowed) throw forbiddenError(a, v.reason);
}

/** responsewriters.forbiddenMessage. */
export function forbiddenMessage(a: RequestAttributes): string {
  const user = a.user.username;
  if (!a.isResourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : "at the cluster scope";
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** apierrors.NewForbidden with the message above (and the authorizers' reason after a colon). */
export function forbiddenError(a: RequestAttributes, reason = ""): StatusError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResourceRequest) return new StatusError(failure(403, "Forbidden", `forbidden: ${why}`, {}));
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const message = a.name ? `${qualified} ${JSON.stringify(a.name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  const details: Record<string, unknown> = { kind: a.resource };
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  return new StatusError(failure(403, "Forbidden", message, details));
}
