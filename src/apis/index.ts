// Every served built-in kind, in one list; the API's discovery, routing and registry read it.
import { deploymentDef } from "./apps/v1/deployment.js";
import { daemonSetDef } from "./apps/v1/daemonset.js";
import { replicaSetDef } from "./apps/v1/replicaset.js";
import { statefulSetDef } from "./apps/v1/statefulset.js";
import { cronJobDef } from "./batch/v1/cronjob.js";
import { jobDef } from "./batch/v1/job.js";
import { leaseDef } from "./coordination/v1/lease.js";
import { configMapDef } from "./core/v1/configmap.js";
import { endpointsDef } from "./core/v1/endpoints.js";
import { limitRangeDef } from "./core/v1/limitrange.js";
import { resourceQuotaDef } from "./core/v1/resourcequota.js";
import { coreEventDef } from "./core/v1/event.js";
import { namespaceDef } from "./core/v1/namespace.js";
import { nodeDef } from "./core/v1/node.js";
import { podDef } from "./core/v1/pod.js";
import { secretDef } from "./core/v1/secret.js";
import { serviceDef } from "./core/v1/service.js";
import { serviceAccountDef } from "./core/v1/serviceaccount.js";
import { endpointSliceDef } from "./discovery/v1/endpointslice.js";
import { eventDef } from "./events/v1/event.js";
import { clusterRoleDef } from "./rbac/v1/clusterrole.js";
import { clusterRoleBindingDef } from "./rbac/v1/clusterrolebinding.js";
import { roleDef } from "./rbac/v1/role.js";
import { roleBindingDef } from "./rbac/v1/rolebinding.js";
import type { KindDef, KubeObject } from "./types.js";

/** Erases a kind's object type so all kinds fit one list (selectableFields are contravariant). */
const erase = <T extends KubeObject>(def: KindDef<T>): KindDef => def as unknown as KindDef;

export const kinds: KindDef[] = [
  erase(namespaceDef),
  erase(nodeDef),
  erase(podDef),
  erase(serviceDef),
  erase(endpointsDef),
  erase(configMapDef),
  erase(secretDef),
  erase(serviceAccountDef),
  erase(resourceQuotaDef),
  erase(limitRangeDef),
  erase(coreEventDef),
  erase(leaseDef),
  erase(endpointSliceDef),
  erase(eventDef),
  erase(deploymentDef),
  erase(replicaSetDef),
  erase(statefulSetDef),
  erase(daemonSetDef),
  erase(jobDef),
  erase(cronJobDef),
  erase(roleDef),
  erase(roleBindingDef),
  erase(clusterRoleDef),
  erase(clusterRoleBindingDef),
];

const byKey = new Map(kinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));

/** The kind served at group/version/plural ("" group for core), or undefined. */
export function findKind(group: string, version: string, plural: string): KindDef | undefined {
  return byKey.get(`${group}/${version}/${plural}`);
}

export * from "./types.js";
