// Who a request is (k8s.io/apiserver's user.Info) and the well-known users and groups.
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const SYSTEM_MASTERS = "system:masters";
export const SYSTEM_AUTHENTICATED = "system:authenticated";
export const SYSTEM_UNAUTHENTICATED = "system:unauthenticated";
export const SYSTEM_NODES = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** The user of a request without credentials (when anonymous access is allowed at all). */
export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: [SYSTEM_UNAUTHENTICATED] };

/** The identity of the admin token (a Worker secret). */
export const ADMIN_USER: UserInfo = { username: "edgeplane-admin", groups: [SYSTEM_MASTERS, SYSTEM_AUTHENTICATED] };

/** Every authenticated user is also in system:authenticated. */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  return u.groups.includes(SYSTEM_AUTHENTICATED) ? u : { ...u, groups: [...u.groups, SYSTEM_AUTHENTICATED] };
}
