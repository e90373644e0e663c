// What a request asks to do, for authorization (k8s.io/apiserver's authorizer.Attributes, as its
// RequestInfoFactory derives them): a verb on a resource (group, resource, subresource,
// namespace, name) or on a non-resource path.
import type { UserInfo } from "./user.js";

/** What a request asks for, without who asks (upstream's RequestInfo). */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** get list watch create update patch delete deletecollection (resources); the lower-cased method (paths). */
  verb: string;
  /** The URL path (non-resource requests are authorized by it). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface RequestAttributes extends RequestInfo {
  user: UserInfo;
  /** The raw fieldSelector and labelSelector of a list or watch (upstream 1.31+ authorizes by them too). */
  fieldSelector?: string;
  labelSelector?: string;
}

export interface ResourceRequest {
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name?: string;
}

/** The verb of a resource request, as upstream's RequestInfoFactory names it. */
export function resourceVerb(method: string, hasName: boolean, watch: boolean): string {
  switch (method.toUpperCase()) {
    case "GET":
    case "HEAD":
      return watch ? "watch" : hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

export function resourceAttributes(user: UserInfo, method: string, path: string, r: ResourceRequest, watch: boolean): RequestAttributes {
  return {
    user,
    verb: resourceVerb(method, r.name !== undefined, watch),
    isResourceRequest: true,
    path,
    apiGroup: r.group,
    apiVersion: r.version,
    resource: r.resource,
    subresource: r.subresource ?? "",
    namespace: r.namespace,
    name: r.name ?? "",
  };
}

export function pathAttributes(user: UserInfo, method: string, path: string): RequestAttributes {
  return { user, verb: method.toLowerCase() === "head" ? "get" : method.toLowerCase(), isResourceRequest: false, path, apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
}
