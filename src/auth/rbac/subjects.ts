// Who a binding's subjects are (upstream's appliesToUser in pkg/registry/rbac/validation/rule.go):
// a User by name, a Group by membership, a ServiceAccount by its username
// `system:serviceaccount:<namespace>:<name>`, the namespace defaulting to the RoleBinding's own.
// Also the words upstream uses to describe a binding in "RBAC: allowed by ...".
import type { Subject } from "../../apis/rbac/v1/policy.js";
import { SERVICE_ACCOUNT_PREFIX } from "../user.js";

/** The user a subject names (for User and ServiceAccount subjects), or undefined. */
export function subjectUsername(s: Subject, bindingNamespace: string): string | undefined {
  if (s.kind === "User") return s.name;
  if (s.kind === "ServiceAccount") {
    const ns = s.namespace || bindingNamespace;
    return ns ? serviceAccountUsername(ns, s.name) : undefined;
  }
  return undefined;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** serviceaccount.SplitUsername: namespace and name of a service account's username, or undefined. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** Whether a subject names the user (upstream's appliesToUser). */
export function appliesToUser(user: { username: string; groups: readonly string[] }, s: Subject, bindingNamespace: string): boolean {
  if (s.kind === "Group") return user.groups.includes(s.name);
  const username = subjectUsername(s, bindingNamespace);
  return username !== undefined && username === user.username;
}

/** The first subject that names the user, as upstream's appliesTo. */
export function firstApplyingSubject(user: { username: string; groups: readonly string[] }, subjects: readonly Subject[] | undefined, bindingNamespace: string): Subject | undefined {
  return (subjects ?? []).find((s) => appliesToUser(user, s, bindingNamespace));
}

/** describeSubject: `User "alice"`, `ServiceAccount "name/namespace"`. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** clusterRoleBindingDescriber / roleBindingDescriber. */
export function describeBinding(
  b: { kind: "RoleBinding" | "ClusterRoleBinding"; name: string; namespace: string; roleRef: { kind: string; name: string } },
  subject: Subject,
): string {
  const name = b.kind === "RoleBinding" ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, b.namespace)}`;
}
