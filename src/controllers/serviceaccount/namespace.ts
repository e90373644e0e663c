// Whether a namespace may get new objects: it exists and is not being deleted. Asked of the
// cluster store only when a controller is about to create something, so a converged namespace
// costs no RPC; a controller that created into a Terminating namespace would keep the
// namespace controller from ever emptying it.
import type { Env } from "../../env.js";
import { clusterStore } from "../../api/stores.js";
import { StatusError } from "../../lib/status.js";

export type NamespaceActive = (namespace: string) => Promise<boolean>;

export function namespaceActiveVia(env: Env): NamespaceActive {
  return async (namespace) => {
    const got = await clusterStore(env).get({ group: "", version: "v1", resource: "namespaces", namespace: "", name: namespace });
    if (!got.ok) {
      if (got.status.code === 404) return false;
      throw new StatusError(got.status);
    }
    const ns = got.body as { metadata: { deletionTimestamp?: string }; status?: { phase?: string } };
    return !ns.metadata.deletionTimestamp && ns.status?.phase !== "Terminating";
  };
}
