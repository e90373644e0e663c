// The request's identity and its right to ask: authentication for every request, then
// authorization of non-resource paths here (resource requests are authorized once their path
// is resolved, in app.ts).
import type { MiddlewareHandler } from "hono";
import { resourceAttributes } from "../auth/attributes.js";
import { authenticateRequest } from "../auth/authenticate.js";
import { requireAuthorized } from "../auth/authorize.js";
import { impersonate } from "../auth/impersonation.js";
import { requestInfoOf } from "../audit/request-info.js";
import { noteRequestor } from "../audit/requestor.js";
import type { AppEnv, Ctx } from "./context.js";
import { isWatch } from "./query.js";
import type { Resolved } from "./resolve.js";

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestor = await authenticateRequest(c.req.raw, c.env);
  noteRequestor(c.req.raw, requestor);
  const user = await impersonate(c.req.raw.headers, requestor, c.env);
  c.set("user", user);
  await next();
};

/** Authorizes non-resource paths; in app.ts after the abuse limits, as upstream's filter chain orders them. */
export const authorizePath: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Resource paths (upstream's RequestInfoFactory decides which) are authorized once resolved.
  const info = requestInfoOf(c);
  if (!info.isResourceRequest) await requireAuthorized({ ...info, user: c.get("user") }, c.env);
  await next();
};

/** Authorizes a resolved resource request; throws 403 Forbidden as upstream words it. */
export async function authorizeResource(c: Ctx, r: Resolved): Promise<void> {
  const url = new URL(c.req.url);
  const t = r.target;
  const attrs = resourceAttributes(c.get("user"), c.req.method, url.pathname, { ...t, name: t.name }, isWatch(url.searchParams));
  const fieldSelector = url.searchParams.get("fieldSelector");
  const labelSelector = url.searchParams.get("labelSelector");
  if (fieldSelector) attrs.fieldSelector = fieldSelector;
  if (labelSelector) attrs.labelSelector = labelSelector;
  // As upstream's RequestInfoFactory: a namespace is "in" itself, and a list or watch of one
  // object by metadata.name names it (so resourceNames rules and messages see the name).
  if (t.resource === "namespaces" && t.group === "" && t.name) attrs.namespace = t.name;
  if ((attrs.verb === "list" || attrs.verb === "watch") && fieldSelector) {
    const m = /^\s*metadata\.name\s*==?\s*([^,\s]+)\s*$/.exec(fieldSelector);
    if (m) attrs.name = m[1];
  }
  await requireAuthorized(attrs, c.env);
}

/** Authorizes a create of a resource served without storage (the reviews). */
export async function authorizeVirtual(c: Ctx, r: { group: string; version: string; plural: string }): Promise<void> {
  const url = new URL(c.req.url);
  await requireAuthorized(resourceAttributes(c.get("user"), "POST", url.pathname, { group: r.group, version: r.version, resource: r.plural, namespace: "" }, false), c.env);
}
