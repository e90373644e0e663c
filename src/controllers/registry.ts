// Which controllers run where: the namespaced ones in every namespace store, the cluster-wide
// ones in the cluster store.
import type { Env } from "../env.js";
import type { Clock } from "../lib/clock.js";
import type { GenericStore } from "../registry/generic-store.js";
import type { Controller } from "./controller.js";
import { clusterRoleAggregationController } from "./clusterrole-aggregation/controller.js";
import { deploymentController } from "./deployment/controller.js";
import { endpointsController } from "./endpoint/controller.js";
import { endpointSliceController, endpointSliceMirroringController } from "./endpointslice/controller.js";
import { garbageCollectorController } from "./garbagecollector/controller.js";
import { namespaceController } from "./namespace/controller.js";
import { replicaSetController } from "./replicaset/controller.js";
import { resourceQuotaController } from "./resourcequota/controller.js";
import { identityClusterControllers, identityNamespaceControllers } from "./serviceaccount/index.js";

export interface ControllerDeps {
  /** The registry of one namespace of this store (the same path API requests take). */
  storeFor: (namespace: string) => GenericStore;
  now: Clock;
  /** The Worker's bindings, to reach other stores over RPC. */
  env: Env;
}

/** The controllers of one namespace store, in the order they register. */
export function namespaceControllers(deps: ControllerDeps): Controller[] {
  return [replicaSetController(deps.storeFor, deps.now), deploymentController(deps.storeFor, deps.now), garbageCollectorController(deps), resourceQuotaController(deps.storeFor, deps.now), ...identityNamespaceControllers(deps), endpointsController(deps.storeFor, deps.now), endpointSliceController(deps.storeFor, deps.now), endpointSliceMirroringController(deps.storeFor, deps.now)];
}

/** The controllers of the cluster store. */
export function clusterControllers(deps: ControllerDeps): Controller[] {
  return [namespaceController(deps), garbageCollectorController(deps), ...identityClusterControllers(deps), clusterRoleAggregationController(deps)];
}
