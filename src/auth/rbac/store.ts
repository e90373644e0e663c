// The RBAC side of a NamespaceStore, behind its one-line RPC methods: each store keeps its own
// RbacIndex (src/auth/rbac/binding-index.ts) and the cluster store also keeps the bootstrap
// policy (bootstrap.ts), reconciled the first time it is asked anything.
import type { Storage } from "../../storage/interface.js";
import { RbacIndex, type RbacAnswer, type RbacQuery } from "./binding-index.js";
import { ensureBootstrapPolicy } from "./bootstrap.js";

export type { RbacAnswer, RbacQuery } from "./binding-index.js";

const indexes = new WeakMap<Storage, RbacIndex>();

export function rbacIndexOf(storage: Storage): RbacIndex {
  let index = indexes.get(storage);
  if (!index) indexes.set(storage, (index = new RbacIndex(storage)));
  return index;
}

/** Evaluates a query against one store's bindings. */
export function rbacEvaluate(storage: Storage, q: RbacQuery): RbacAnswer {
  if (q.scope === "cluster") ensureBootstrapPolicy(storage);
  return rbacIndexOf(storage).evaluate(q);
}
