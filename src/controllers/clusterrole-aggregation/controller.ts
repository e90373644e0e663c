// The ClusterRole aggregation controller, in the cluster store: any ClusterRole write may change
// what an aggregated ClusterRole selects (its labels, its rules), so it enqueues every ClusterRole
// with an aggregationRule, as upstream's handlers do; the reconcile writes the union of the
// selected roles' rules when it differs.
import { findKind } from "../../apis/index.js";
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import type { KubeObject } from "../../apis/types.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import type { Reconciler } from "../runtime/reconciler.js";
import { aggregatedRules, hasAggregationRule, sameRules } from "./plan.js";

const CLUSTER_ROLES = findKind("rbac.authorization.k8s.io", "v1", "clusterroles")!;
export const FIELD_MANAGER = "clusterrole-aggregation-controller";

function listRoles(store: GenericStore): ClusterRole[] {
  return (store.list(CLUSTER_ROLES, {}) as unknown as { items: ClusterRole[] }).items;
}

export class ClusterRoleAggregationReconciler implements Reconciler {
  readonly name = "clusterrole-aggregation";
  constructor(private readonly store: GenericStore) {}

  async reconcile(key: string): Promise<void> {
    const all = listRoles(this.store);
    const role = all.find((r) => r.metadata.name === key);
    if (!role || !hasAggregationRule(role)) return;
    const rules = aggregatedRules(role, all)!;
    if (sameRules(rules, role.rules)) return;
    // The resourceVersion makes this a compare-and-swap: a concurrent change gets a 409 and a rerun.
    const next = { ...role, rules } as KubeObject;
    this.store.update(CLUSTER_ROLES, key, next, undefined, { fieldManager: FIELD_MANAGER });
  }
}

export function clusterRoleAggregationController(deps: ControllerDeps): Controller {
  const store = deps.storeFor("");
  const aggregated = () => listRoles(store).filter(hasAggregationRule).map((r) => r.metadata.name as string);
  return {
    reconciler: new ClusterRoleAggregationReconciler(store),
    keysFor(e) {
      return e.resource === CLUSTER_ROLES.plural ? aggregated() : [];
    },
    resyncKeys() {
      return aggregated();
    },
  };
}
