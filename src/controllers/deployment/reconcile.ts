// The Deployment reconciler: read the Deployment, claim its ReplicaSets (adopt orphans that
// match, release owned ones that no longer do), plan, and apply the plan through the namespace's
// registry, the path every API client takes. A 409 re-queues the key at once.
import type { Deployment } from "../../apis/apps/v1/deployment.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import type { Pod } from "../../apis/core/v1/pod.js";
import { findKind } from "../../apis/index.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { labelSelectorFromObject } from "../../registry/selectors/index.js";
import { controllerOf } from "../replicaset/pods.js";
import type { OwnerReference } from "../replicaset/plan.js";
import { FIELD_MANAGER } from "../replicaset/reconcile.js";
import { emitEvent, involvedObject } from "../runtime/emit.js";
import type { EventRecorder } from "../runtime/events.js";
import { type ReconcileResult, type Reconciler, isConflict, splitKey } from "../runtime/reconciler.js";
import { canonicalJSON } from "./hash.js";
import { plan } from "./plan.js";
import { REVISION_ANNOTATION } from "./util.js";

export const DEPLOYMENT_RECONCILER = "deployment";

const def = (group: string, version: string, plural: string): KindDef => {
  const d = findKind(group, version, plural);
  if (!d) throw new Error(`unknown kind ${group}/${version}/${plural}`);
  return d;
};
const DEPLOYMENTS = def("apps", "v1", "deployments");
const REPLICASETS = def("apps", "v1", "replicasets");
const PODS = def("", "v1", "pods");
const EVENTS = def("", "v1", "events");

export interface DeploymentReconcilerOptions {
  /** The registry of one namespace. */
  storeFor: (namespace: string) => GenericStore;
  recorder: EventRecorder;
  now: Clock;
}

export class DeploymentReconciler implements Reconciler {
  readonly name = DEPLOYMENT_RECONCILER;
  /** The last failure to create the new ReplicaSet per key, reported by the next plan. */
  private readonly createErrors = new Map<string, string>();

  constructor(private readonly o: DeploymentReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const opts = { fieldManager: FIELD_MANAGER };
    let d = getOrUndefined(store, DEPLOYMENTS, name) as Deployment | undefined;
    if (!d) {
      this.createErrors.delete(key);
      return;
    }
    const all = list<ReplicaSet>(store, REPLICASETS);
    const owned = this.claim(store, d, all);
    const ownedUids = new Set(owned.map((rs) => rs.metadata.uid));
    const pods = d.spec.strategy?.type === "Recreate" ? list<Pod>(store, PODS) : [];
    const p = plan(d, owned, pods, {
      now: this.o.now(),
      otherReplicaSets: all.filter((rs) => !ownedUids.has(rs.metadata.uid)),
      createError: this.createErrors.get(key),
    });

    const sink = {
      createEvent: (e: KubeObject) => store.create(EVENTS, e, opts),
      updateEvent: (e: KubeObject) => store.update(EVENTS, e.metadata.name as string, e, undefined, opts),
    };
    const involved = involvedObject(d as unknown as KubeObject, "Deployment", "apps/v1");
    for (const a of p.actions) {
      switch (a.type) {
        case "event":
          emitEvent(this.o.recorder, sink, involved, a.eventType, a.reason, a.message);
          break;
        case "createReplicaSet":
          try {
            store.create(REPLICASETS, a.replicaSet, opts);
            this.createErrors.delete(key);
          } catch (e) {
            if (isConflict(e)) throw e; // AlreadyExists: read again; the plan sees the clash
            this.createErrors.set(key, e instanceof Error ? e.message : String(e));
            throw e;
          }
          break;
        case "updateReplicaSet":
          store.update(REPLICASETS, a.replicaSet.metadata.name ?? "", a.replicaSet, undefined, opts);
          break;
        case "deleteReplicaSet":
          try {
            store.delete(REPLICASETS, a.name, { preconditions: { uid: a.uid, resourceVersion: a.resourceVersion } });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          break;
      }
    }

    if (p.revision !== undefined && d.metadata.annotations?.[REVISION_ANNOTATION] !== p.revision) {
      const patch = { metadata: { resourceVersion: d.metadata.resourceVersion, annotations: { [REVISION_ANNOTATION]: p.revision } } };
      d = store.patch(DEPLOYMENTS, name, "merge", patch, undefined, opts).body as Deployment;
    }
    if (canonicalJSON(d.status ?? {}) !== canonicalJSON(p.status)) {
      store.update(DEPLOYMENTS, name, { ...d, status: p.status }, "status", opts);
    }
    if (p.requeueAfterSeconds !== undefined) return { requeueAfterMs: p.requeueAfterSeconds * 1000 };
  }

  /**
   * ClaimReplicaSets: the ReplicaSets this Deployment controls and that match its selector.
   * Orphans that match are adopted (unless the Deployment is being deleted); owned ones that
   * stopped matching are released.
   */
  private claim(store: GenericStore, d: Deployment, all: ReplicaSet[]): ReplicaSet[] {
    let matches: (labels: Record<string, string>) => boolean;
    try {
      const sel = labelSelectorFromObject(d.spec.selector as never);
      matches = (l) => sel.matches(l);
    } catch {
      matches = () => false;
    }
    const uid = d.metadata.uid;
    const out: ReplicaSet[] = [];
    for (const rs of all) {
      const ref = controllerOf(rs);
      const labels = rs.metadata.labels ?? {};
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches(labels)) {
          out.push(rs);
        } else if (!rs.metadata.deletionTimestamp) {
          this.setOwners(store, rs, (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
        }
        continue;
      }
      if (d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp || !matches(labels)) continue;
      const ownerRef: OwnerReference = { apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name ?? "", uid: uid ?? "", controller: true, blockOwnerDeletion: true };
      out.push(this.setOwners(store, rs, [...(rs.metadata.ownerReferences ?? []), ownerRef]) ?? rs);
    }
    return out;
  }

  private setOwners(store: GenericStore, rs: ReplicaSet, refs: OwnerReference[]): ReplicaSet | undefined {
    const patch = { metadata: { uid: rs.metadata.uid, resourceVersion: rs.metadata.resourceVersion, ownerReferences: refs } };
    try {
      return store.patch(REPLICASETS, rs.metadata.name ?? "", "merge", patch, undefined, { fieldManager: FIELD_MANAGER }).body as ReplicaSet;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

function getOrUndefined(store: GenericStore, d: KindDef, name: string): KubeObject | undefined {
  try {
    return store.get(d, name) as KubeObject;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function list<T>(store: GenericStore, d: KindDef): T[] {
  return (store.list(d, {}) as unknown as { items: T[] }).items;
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}
