// The Node authorizer: requests of a node (user system:node:NAME in group system:nodes) are
// decided by rules.ts; anyone else is not its business. The pods a rule needs are read from
// the namespace's store in one RPC.
import type { Env } from "../../../env.js";
import { namespaceStore } from "../../../api/stores.js";
import type { RequestAttributes } from "../../attributes.js";
import type { Decision } from "../../authorize.js";
import { NODE_USER_PREFIX, SYSTEM_NODES } from "../../user.js";
import type { NodeReferences } from "./references.js";
import { decideForNode } from "./rules.js";

/** The node a user is, if it is one. */
export function nodeNameOf(user: { username: string; groups: string[] }): string | undefined {
  if (!user.groups.includes(SYSTEM_NODES) || !user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

export async function nodeAuthorizer(a: RequestAttributes, env: Env): Promise<Decision> {
  const node = nodeNameOf(a.user);
  if (!node) return { decision: "noOpinion" };
  const cache = new Map<string, Promise<NodeReferences>>();
  const refsIn = (namespace: string) => {
    let p = cache.get(namespace);
    if (!p) cache.set(namespace, (p = namespaceStore(env, namespace).nodeReferences(node)));
    return p;
  };
  return decideForNode(a, node, refsIn);
}
