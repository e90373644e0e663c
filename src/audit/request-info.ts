// What a request asks for, read from its URL alone, as k8s.io/apiserver's RequestInfoFactory does:
// audit records and the abuse limits need it for every request, including ones that fail before
// (or without) the routes resolving a kind, so nothing here consults the list of kinds.
import type { Context } from "hono";
import type { AppEnv } from "../api/context.js";
import { type RequestInfo, resourceVerb } from "../auth/attributes.js";

export type { RequestInfo };

/** Subresources of a namespace that are not resources in it (upstream's namespaceSubresources). */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isWatchParam(params: URLSearchParams): boolean {
  const w = params.get("watch");
  return w === "" || w === "true" || w === "1";
}

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const lower = method.toLowerCase();
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    verb: lower === "head" ? "get" : lower,
    path,
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
  };
  let parts = path.split("/").filter((s) => s !== "").map(decode);
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return nonResource;
  let apiGroup = "";
  if (parts[0] === "apis") {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1];
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);
  let namespace = "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  const [resource = "", name = "", subresource = ""] = parts;
  return {
    isResourceRequest: true,
    verb: resourceVerb(method, name !== "", isWatchParam(url.searchParams)),
    path,
    apiGroup,
    apiVersion,
    resource,
    subresource,
    namespace,
    name,
  };
}

/** The request's RequestInfo, derived once and kept on the context (audit, limits and authorization all want it). */
export function requestInfoOf(c: Context<AppEnv>): RequestInfo {
  let info = c.get("requestInfo");
  if (!info) {
    info = requestInfo(c.req.method, new URL(c.req.url));
    c.set("requestInfo", info);
  }
  return info;
}

/** Verbs that change nothing (upstream's nonMutatingRequestVerbs); every other verb is mutating. */
const READ_ONLY_VERBS = new Set(["get", "list", "watch"]);

export function isMutating(verb: string): boolean {
  return !READ_ONLY_VERBS.has(verb);
}
