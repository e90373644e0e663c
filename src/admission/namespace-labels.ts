// The Worker's side of PodSecurity admission: a pod or workload write carries its namespace's
// labels to the namespace's store (WriteOptions.namespaceLabels), read from the cluster store,
// as upstream's admission reads the Namespace from its informer. Creates already read the
// Namespace for namespace lifecycle (src/api/handlers.ts); updates read it here.
import type { KindDef, KubeObject } from "../apis/types.js";
import { clusterStore } from "../api/stores.js";
import type { Env } from "../env.js";
import { StatusError } from "../lib/status.js";
import type { Target, WriteOptions } from "../registry/requests.js";
import { podSecurityApplies } from "./podsecurity/admission.js";

/** Pod subresources PodSecurity checks on update (the others cannot change what it checks). */
const CHECKED_SUBRESOURCES = new Set(["ephemeralcontainers", "resize"]);

/** Whether an update of `def` needs the namespace's labels. */
export function updateNeedsNamespaceLabels(def: KindDef, target: Target): boolean {
  if (!def.namespaced || !target.namespace || !podSecurityApplies(def)) return false;
  return !target.subresource || (def.kind === "Pod" && CHECKED_SUBRESOURCES.has(target.subresource));
}

/** The labels of the Namespace object, as the store's admission wants them. */
export const labelsOption = (ns: KubeObject): Pick<WriteOptions, "namespaceLabels"> => ({ namespaceLabels: ns.metadata.labels ?? {} });

/** For an update: the namespace's labels when PodSecurity needs them, nothing otherwise. */
export async function namespaceLabelsFor(env: Env, def: KindDef, target: Target): Promise<Pick<WriteOptions, "namespaceLabels">> {
  if (!updateNeedsNamespaceLabels(def, target)) return {};
  const got = await clusterStore(env).get({ group: "", version: "v1", resource: "namespaces", namespace: "", name: target.namespace });
  if (got.ok) return labelsOption(got.body as KubeObject);
  // A missing namespace: the store answers the update (404 for its object) as before.
  if (got.status.code === 404) return {};
  throw new StatusError(got.status);
}
