// Keeps the default ClusterRoles and ClusterRoleBindings in the cluster store, as kube-apiserver's
// RBAC post-start hook reconciles its bootstrap policy: a missing object is created (aggregated
// roles already with their aggregated rules, so there is no window without them); an existing one
// annotated rbac.authorization.kubernetes.io/autoupdate other than "false" gets missing labels,
// annotations, rules, aggregation selectors and subjects added, never removed.
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import type { ClusterRoleBinding } from "../../apis/rbac/v1/clusterrolebinding.js";
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { aggregateAll } from "../../controllers/clusterrole-aggregation/plan.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import { StatusError } from "../../lib/status.js";
import { GenericStore } from "../../registry/generic-store.js";
import type { Storage } from "../../storage/interface.js";
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.js";
import { covers } from "./covers.js";

const FIELD_MANAGER = "kube-apiserver";

type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };

function mergeMeta(existing: Meta, desired: Meta): boolean {
  let changed = false;
  for (const field of ["labels", "annotations"] as const) {
    for (const [k, v] of Object.entries(desired[field] ?? {})) {
      if (existing[field]?.[k] !== undefined) continue;
      existing[field] = { ...existing[field], [k]: v };
      changed = true;
    }
  }
  return changed;
}

const skipsAutoupdate = (o: KubeObject): boolean => o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === "false";

/** The reconciled ClusterRole, or undefined when `existing` needs nothing. */
export function reconcileClusterRole(desired: ClusterRole, existing: ClusterRole): ClusterRole | undefined {
  if (skipsAutoupdate(existing)) return undefined;
  const next = structuredClone(existing);
  let changed = mergeMeta(next.metadata, desired.metadata);
  if (desired.aggregationRule) {
    const selectors = [...(next.aggregationRule?.clusterRoleSelectors ?? [])];
    for (const sel of desired.aggregationRule.clusterRoleSelectors ?? []) {
      if (selectors.some((s) => canonicalJson(s, { dropEmpty: true }) === canonicalJson(sel, { dropEmpty: true }))) continue;
      selectors.push(sel);
      changed = true;
    }
    next.aggregationRule = { clusterRoleSelectors: selectors };
  } else {
    // Aggregated roles' rules belong to the aggregation controller.
    const { missing } = covers(existing.rules ?? [], desired.rules ?? []);
    if (missing.length) {
      next.rules = [...(existing.rules ?? []), ...missing];
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/** The reconciled ClusterRoleBinding (missing subjects added), or undefined. */
export function reconcileClusterRoleBinding(desired: ClusterRoleBinding, existing: ClusterRoleBinding): ClusterRoleBinding | undefined {
  if (skipsAutoupdate(existing)) return undefined;
  const next = structuredClone(existing);
  let changed = mergeMeta(next.metadata, desired.metadata);
  const subjects = [...(next.subjects ?? [])];
  for (const s of desired.subjects ?? []) {
    if (subjects.some((x) => x.kind === s.kind && x.name === s.name && (x.namespace ?? "") === (s.namespace ?? ""))) continue;
    subjects.push(s);
    changed = true;
  }
  if (subjects.length) next.subjects = subjects;
  return changed ? next : undefined;
}

const CLUSTER_ROLES = findKind("rbac.authorization.k8s.io", "v1", "clusterroles")!;
const CLUSTER_ROLE_BINDINGS = findKind("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!;

function ensure<T extends KubeObject>(store: GenericStore, def: typeof CLUSTER_ROLES, desired: T, reconcile: (d: T, e: T) => T | undefined): void {
  const name = desired.metadata.name as string;
  let existing: T | undefined;
  try {
    existing = store.get(def, name) as T;
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
  const opts = { fieldManager: FIELD_MANAGER };
  if (!existing) {
    store.create(def, structuredClone(desired), opts);
    return;
  }
  const next = reconcile(desired, existing);
  if (next) store.update(def, name, next, undefined, opts);
}

const reconciled = new WeakSet<Storage>();

/** Reconciles the bootstrap policy into the cluster store, once per store instance. */
export function ensureBootstrapPolicy(storage: Storage): void {
  if (reconciled.has(storage)) return;
  const store = new GenericStore(storage, "");
  for (const role of aggregateAll(bootstrapClusterRoles())) ensure(store, CLUSTER_ROLES, role, reconcileClusterRole);
  for (const binding of bootstrapClusterRoleBindings()) ensure(store, CLUSTER_ROLE_BINDINGS, binding, reconcileClusterRoleBinding);
  reconciled.add(storage);
}
