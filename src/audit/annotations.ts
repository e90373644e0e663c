// Admission's notes for a request's audit event (PodSecurity's enforce-policy, audit-violations)
// travel from the store's answer to the audit middleware in an internal response header, which
// the middleware takes off before the response leaves.
import type { Context } from "hono";

export const AUDIT_ANNOTATIONS_HEADER = "x-edgeplane-audit-annotations";

/** The annotations a response carries, removed from it. */
export function takeAnnotations(c: Context): Record<string, string> | undefined {
  const raw = c.res.headers.get(AUDIT_ANNOTATIONS_HEADER);
  if (raw === null) return undefined;
  try {
    c.res.headers.delete(AUDIT_ANNOTATIONS_HEADER);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.delete(AUDIT_ANNOTATIONS_HEADER);
  }
  try {
    const parsed = JSON.parse(raw) as Record<string, string>;
    return Object.keys(parsed).length ? parsed : undefined;
  } catch {
    return undefined;
  }
}
