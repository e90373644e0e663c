// Shared by the RBAC route tests: requests as another user (the admin impersonating them, as
// `kubectl --as` does, or a non-admin token of the TEST_TOKENS test fake passed in the Worker's
// env), and RBAC objects in a few words.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { api, type Res } from "./helpers.js";

export const G = "rbac.authorization.k8s.io";
export const RBAC = `/apis/${G}/v1`;

/** Headers that make the admin's request run as `user` in `groups`. */
export function as(user: string, ...groups: string[]): Record<string, string> {
  const h: Record<string, string> = { "Impersonate-User": user };
  if (groups.length) h["Impersonate-Group"] = groups.join(", ");
  return h;
}

export const rule = (verbs: string[], resources: string[], apiGroups = [""], resourceNames?: string[]) =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };

export const role = (name: string, rules: unknown[]) => ({ apiVersion: `${G}/v1`, kind: "Role", metadata: { name }, rules });
export const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>) => ({
  apiVersion: `${G}/v1`,
  kind: "ClusterRole",
  metadata: labels ? { name, labels } : { name },
  rules,
});
export const user = (name: string) => ({ kind: "User", apiGroup: G, name });
export const group = (name: string) => ({ kind: "Group", apiGroup: G, name });
export const roleBinding = (name: string, kind: "Role" | "ClusterRole", roleName: string, subjects: unknown[]) => ({
  apiVersion: `${G}/v1`,
  kind: "RoleBinding",
  metadata: { name },
  roleRef: { apiGroup: G, kind, name: roleName },
  subjects,
});
export const clusterRoleBinding = (name: string, roleName: string, subjects: unknown[]) => ({
  apiVersion: `${G}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name },
  roleRef: { apiGroup: G, kind: "ClusterRole", name: roleName },
  subjects,
});

/** Creates as the admin and fails the test on anything but 201. */
export async function create(path: string, body: unknown): Promise<any> {
  const r = await api("POST", path, body);
  if (r.status !== 201) throw new Error(`create ${path}: ${r.status} ${r.text}`);
  return r.body;
}

/** SubjectAccessReview as the admin: may `user` (in `groups`) do this? */
export async function can(user: string, groups: string[], resourceAttributes: Record<string, string>): Promise<{ allowed: boolean; reason?: string }> {
  const r = await api("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user, groups, resourceAttributes } });
  if (r.status !== 201) throw new Error(`SubjectAccessReview: ${r.status} ${r.text}`);
  return r.body.status;
}

/**
 * A request with its own bearer token, through the Worker's fetch with TEST_TOKENS set to
 * `tokens` (upstream's token-file lines): a user who is not the admin.
 */
export async function withToken(tokens: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
  if (body !== undefined) h["content-type"] ??= "application/json";
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://x${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) }), { ...(env as Env), TEST_TOKENS: tokens }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
