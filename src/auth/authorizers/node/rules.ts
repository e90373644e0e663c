// What a node may do (upstream's Node authorizer with the NodeRestriction rules that fit in
// authorization): its own Node and Lease, the pods bound to it and their status, creating pods
// (only mirror pods pass admission, restriction.ts), read-only the
// Secrets, ConfigMaps, PersistentVolumeClaims its pods reference and tokens for their
// ServiceAccounts, events anywhere, and Services to read. Listing Endpoints and EndpointSlices
// is left to RBAC (system:node-proxier); everything else is denied outright, so no role binding
// can widen a node's reach.
import type { RequestAttributes } from "../../attributes.js";
import type { Decision } from "../../authorize.js";
import type { NodeReferences } from "./references.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** The references of the pods bound to the node in one namespace. */
export type ReferencesIn = (namespace: string) => Promise<NodeReferences>;

const READ = new Set(["get", "list", "watch"]);
const allow: Decision = { decision: "allow" };
const noOpinion: Decision = { decision: "noOpinion" };

/** `key=value` (or `==`) terms of a field selector; undefined for anything else. */
export function fieldEquals(selector: string | undefined, key: string): string | undefined {
  for (const term of (selector ?? "").split(",")) {
    const m = /^\s*([^=!\s]+)\s*==?\s*(\S*)\s*$/.exec(term);
    if (m && m[1] === key) return m[2];
  }
  return undefined;
}

function deny(node: string, why = "no relationship found between node '%s' and this object"): Decision {
  return { decision: "deny", reason: why.replace("%s", node) };
}

export async function decideForNode(a: RequestAttributes, node: string, refsIn: ReferencesIn): Promise<Decision> {
  if (!a.isResourceRequest) return a.verb === "get" ? allow : deny(node, "node '%s' may only read non-resource paths");
  const { apiGroup: group, resource, subresource, verb, name } = a;
  const selectsName = (expected: string) => fieldEquals(a.fieldSelector, "metadata.name") === expected;
  const key = `${group}/${resource}`;

  // Who-am-I and can-I are for everyone.
  if (verb === "create" && ["authentication.k8s.io/selfsubjectreviews", "authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews"].includes(key)) return allow;

  switch (key) {
    case "/nodes":
      if (name) {
        // Reading other Nodes is RBAC's to decide (system:node-proxier, bound to the nodes: the agent is also kube-proxy).
        if (name !== node) return READ.has(verb) && !subresource ? noOpinion : deny(node, "node '%s' cannot modify or read other nodes");
        if (subresource === "status") return verb === "update" || verb === "patch" ? allow : deny(node);
        // list and watch name the node through a metadata.name field selector.
        return ["get", "list", "watch", "update", "patch"].includes(verb) && !subresource ? allow : deny(node);
      }
      if (verb === "create") return allow; // registering itself (the name is checked at admission)
      if ((verb === "list" || verb === "watch") && selectsName(node)) return allow;
      return verb === "list" || verb === "watch" ? noOpinion : deny(node, "node '%s' can only read its own Node");
    case "coordination.k8s.io/leases":
      if (a.namespace !== NODE_LEASE_NAMESPACE) return deny(node, "node '%s' can only access leases in the kube-node-lease namespace");
      if (name) return name === node && ["get", "update", "patch", "delete"].includes(verb) ? allow : deny(node, "node '%s' can only access its own lease");
      return verb === "create" ? allow : deny(node, "node '%s' can only access its own lease");
    case "/pods": {
      if (!name) {
        // Mirror pods of its static pods: what it may create is decided on the body (NodeRestriction).
        if (verb === "create" && !subresource && a.namespace) return allow;
        const bound = fieldEquals(a.fieldSelector, "spec.nodeName");
        return (verb === "list" || verb === "watch") && bound === node ? allow : deny(node, "node '%s' can only list and watch pods with fieldSelector spec.nodeName=%s".replace(/%s/g, node));
      }
      // The pod itself: read and delete; its status: update and patch. A node never edits a pod's spec or labels.
      const allowed = subresource === "status" ? verb === "update" || verb === "patch" : !subresource && (verb === "get" || verb === "delete");
      if (!allowed) return deny(node);
      return (await refsIn(a.namespace)).pods.includes(name) ? allow : deny(node);
    }
    case "/events":
    case "events.k8s.io/events":
      return ["create", "update", "patch"].includes(verb) ? allow : deny(node);
    case "/services":
      return READ.has(verb) && !subresource ? allow : deny(node);
    case "/endpoints":
    case "discovery.k8s.io/endpointslices":
      // system:node's own rules only get endpoints. Listing and watching Endpoints and
      // EndpointSlices in every namespace is the service proxy's need: RBAC decides it
      // (system:node-proxier, bound to the nodes' group), as upstream's kube-proxy.
      if (subresource || !READ.has(verb)) return deny(node);
      return key === "/endpoints" && verb === "get" ? allow : noOpinion;
    case "/secrets":
    case "/configmaps":
    case "/persistentvolumeclaims": {
      if (!READ.has(verb) || subresource) return deny(node);
      const wanted = name || (verb !== "get" ? fieldEquals(a.fieldSelector, "metadata.name") : undefined);
      if (!wanted || !a.namespace) return deny(node);
      const refs = await refsIn(a.namespace);
      return (refs[resource as "secrets" | "configmaps" | "persistentvolumeclaims"] ?? []).includes(wanted) ? allow : deny(node);
    }
    case "/serviceaccounts":
      if (subresource === "token" && verb === "create" && name) return (await refsIn(a.namespace)).serviceaccounts.includes(name) ? allow : deny(node);
      return deny(node);
    default:
      return deny(node);
  }
}
