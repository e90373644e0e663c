// rbac.authorization.k8s.io/v1 RoleBindings and ClusterRoleBindings as upstream's
// printRoleBinding / printClusterRoleBinding: NAME ROLE AGE, and USERS GROUPS SERVICEACCOUNTS
// with -o wide. Roles and ClusterRoles have no printer upstream (NAME CREATED AT).
import { since } from "./duration.js";
import { ageCol, arr, col, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

const bindingColumns = (kind: "roleBinding" | "clusterRoleBinding", roleRef: string) => [
  nameCol(),
  col("Role", "string", roleRef),
  ageCol(),
  col("Users", "string", `Users in the ${kind}`, 1),
  col("Groups", "string", `Groups in the ${kind}`, 1),
  col("ServiceAccounts", "string", `ServiceAccounts in the ${kind}`, 1),
];

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts. */
export function subjectsStrings(subjects: unknown): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of arr(subjects).map(rec)) {
    if (s.kind === "ServiceAccount") out.serviceAccounts.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === "User") out.users.push(str(s.name));
    else if (s.kind === "Group") out.groups.push(str(s.name));
  }
  return out;
}

function printBinding(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  const ref = rec(obj.roleRef);
  const { users, groups, serviceAccounts } = subjectsStrings(obj.subjects);
  return { cells: [str(meta.name), `${str(ref.kind)}/${str(ref.name)}`, since(meta.creationTimestamp, now), users.join(", "), groups.join(", "), serviceAccounts.join(", ")] };
}

export const roleBindingPrinter: Printer = {
  columns: bindingColumns(
    "roleBinding",
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
  print: printBinding,
};

export const clusterRoleBindingPrinter: Printer = {
  columns: bindingColumns(
    "clusterRoleBinding",
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
  print: printBinding,
};
