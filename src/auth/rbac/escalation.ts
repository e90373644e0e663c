// Privilege escalation prevention, the pure part (upstream's ConfirmNoEscalation in
// pkg/registry/rbac/validation/rule.go and EscalationAllowed in pkg/registry/rbac): a user may
// only put into a role, or bind, permissions they hold themselves.
import type { PolicyRule } from "../../apis/rbac/v1/policy.js";
import { SYSTEM_MASTERS, type UserInfo } from "../user.js";
import { compactRules, compactString, covers, goQuoteList } from "./covers.js";

/** system:masters may grant anything (the API server's privileged group). */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/** The reason a grant is refused, as upstream words it, or undefined when the owner's rules cover it. */
export function escalationError(user: UserInfo, ownerRules: readonly PolicyRule[], rules: readonly PolicyRule[], resolutionErrors: readonly string[] = []): string | undefined {
  const { covered, missing } = covers(ownerRules, rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join("\n")}`;
  if (resolutionErrors.length) msg += `; resolution errors: [${resolutionErrors.join(" ")}]`;
  return msg;
}

/** Upstream's fullAuthority: what using an aggregationRule requires. */
export const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

export const AGGREGATION_RULE_FORBIDDEN = "must have cluster-admin privileges to use the aggregationRule";
