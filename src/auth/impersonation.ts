// Impersonation (k8s.io/apiserver's WithImpersonation filter): a request may act as another user
// with the Impersonate-User, Impersonate-Group, Impersonate-Uid and Impersonate-Extra-<key>
// headers (`kubectl --as`, `--as-group`), when its own user may `impersonate` each of them
// (users, groups, serviceaccounts, uids, userextras/<key>); system:masters may. The rest of the
// request then runs as the impersonated user.
import type { Env } from "../env.js";
import { StatusError, failure } from "../lib/status.js";
import type { RequestAttributes } from "./attributes.js";
import { authorize, forbiddenError } from "./authorize.js";
import { splitServiceAccountUsername } from "./rbac/subjects.js";
import { ANONYMOUS, SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED, type UserInfo } from "./user.js";

export const IMPERSONATE_USER = "impersonate-user";
export const IMPERSONATE_GROUP = "impersonate-group";
export const IMPERSONATE_UID = "impersonate-uid";
export const IMPERSONATE_EXTRA_PREFIX = "impersonate-extra-";

/** One thing the request asks to act as (upstream builds ObjectReferences). */
export interface ImpersonationRequest {
  kind: "User" | "ServiceAccount" | "Group" | "UserExtra" | "UserUID";
  name: string;
  namespace?: string;
  /** UserExtra: the extra key. */
  key?: string;
}

/** Header values; a repeated header arrives joined with ", " (fetch's Headers), so it is split. */
const values = (v: string | null): string[] => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** Extra keys are percent-encoded in header names (upstream's unescapeExtraKey); a bad escape stays as sent. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** buildImpersonationRequests; undefined when the request impersonates nobody. */
export function impersonationRequests(headers: Headers): ImpersonationRequest[] | undefined {
  const out: ImpersonationRequest[] = [];
  const user = headers.get(IMPERSONATE_USER)?.trim() ?? "";
  if (user) {
    const sa = splitServiceAccountUsername(user);
    out.push(sa ? { kind: "ServiceAccount", namespace: sa.namespace, name: sa.name } : { kind: "User", name: user });
  }
  for (const g of values(headers.get(IMPERSONATE_GROUP))) out.push({ kind: "Group", name: g });
  headers.forEach((value, header) => {
    const h = header.toLowerCase();
    if (!h.startsWith(IMPERSONATE_EXTRA_PREFIX)) return;
    const key = unescapeExtraKey(h.slice(IMPERSONATE_EXTRA_PREFIX.length));
    for (const v of values(value)) out.push({ kind: "UserExtra", key, name: v });
  });
  const uid = headers.get(IMPERSONATE_UID)?.trim() ?? "";
  if (uid) out.push({ kind: "UserUID", name: uid });
  if (out.length === 0) return undefined;
  if (!user) {
    const described = out.map((r) => `{${r.kind} ${r.namespace ?? ""} ${r.name}}`).join(" ");
    throw new StatusError(failure(500, "InternalError", `Internal error occurred: requested [${described}] without impersonating a user`));
  }
  return out;
}

/** The authorization check for one impersonation request. */
export function impersonationAttributes(requestor: UserInfo, r: ImpersonationRequest): RequestAttributes {
  const base = { user: requestor, verb: "impersonate", isResourceRequest: true, path: "", apiGroup: "", apiVersion: "v1", subresource: "", namespace: "", name: r.name };
  switch (r.kind) {
    case "ServiceAccount":
      return { ...base, resource: "serviceaccounts", namespace: r.namespace ?? "" };
    case "User":
      return { ...base, resource: "users" };
    case "Group":
      return { ...base, resource: "groups" };
    case "UserExtra":
      return { ...base, apiGroup: "authentication.k8s.io", resource: "userextras", subresource: r.key ?? "" };
    case "UserUID":
      return { ...base, apiGroup: "authentication.k8s.io", resource: "uids" };
  }
}

/** The user the request runs as: the authenticated one, or whom it may and does impersonate. */
export async function impersonate(headers: Headers, requestor: UserInfo, env: Env): Promise<UserInfo> {
  const requests = impersonationRequests(headers);
  if (!requests) return requestor;
  let username = "";
  let uid: string | undefined;
  const groups: string[] = [];
  const extra: Record<string, string[]> = {};
  const groupsSpecified = requests.some((r) => r.kind === "Group");
  for (const r of requests) {
    const attrs = impersonationAttributes(requestor, r);
    switch (r.kind) {
      case "ServiceAccount":
        username = `system:serviceaccount:${r.namespace}:${r.name}`;
        // A service account's groups are fixed: they are known when none are asked for.
        if (!groupsSpecified) groups.push("system:serviceaccounts", `system:serviceaccounts:${r.namespace}`);
        break;
      case "User":
        username = r.name;
        break;
      case "Group":
        groups.push(r.name);
        break;
      case "UserExtra":
        (extra[r.key ?? ""] ??= []).push(r.name);
        break;
      case "UserUID":
        uid = r.name;
        break;
    }
    const verdict = await authorize(attrs, env);
    if (!verdict.allowed) throw forbiddenError(attrs, verdict.reason);
  }
  if (username !== ANONYMOUS.username) {
    if (!groups.includes(SYSTEM_AUTHENTICATED) && !groups.includes(SYSTEM_UNAUTHENTICATED)) groups.push(SYSTEM_AUTHENTICATED);
  } else if (!groups.includes(SYSTEM_UNAUTHENTICATED)) {
    groups.push(SYSTEM_UNAUTHENTICATED);
  }
  const user: UserInfo = { username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
