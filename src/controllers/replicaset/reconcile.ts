// The ReplicaSet reconciler: read the ReplicaSet and its namespace's pods, plan, and apply the
// plan through the same registry path any API client uses (GenericStore), so validation,
// defaulting, preconditions and watch events are exactly those of a kubectl write.
// Runs inside the namespace's store, where reads see every earlier write at once: there is no
// informer lag, so upstream's expectations are always satisfied.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { findKind } from "../../apis/index.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { EventRecorder, EventType } from "../runtime/events.js";
import { emitEvent, involvedObject } from "../runtime/emit.js";
import { type ReconcileResult, type Reconciler, isConflict, splitKey } from "../runtime/reconciler.js";
import { type OwnerReference, plan } from "./plan.js";

export const FIELD_MANAGER = "kube-controller-manager";
export const REPLICASET_RECONCILER = "replicaset";

/** What the reconciler needs from the API: the namespace's objects, synchronously. */
export interface ReplicaSetClient {
  getReplicaSet(name: string): ReplicaSet | undefined;
  listPods(): Pod[];
  createPod(pod: Pod): Pod;
  /** Delete with uid and resourceVersion as preconditions. */
  deletePod(name: string, uid: string, resourceVersion: string): void;
  /** Replace the pod's ownerReferences; the pod's resourceVersion is the precondition. */
  setPodOwnerReferences(name: string, uid: string, resourceVersion: string, refs: OwnerReference[]): void;
  /** PUT replicasets/<name>/status with the ReplicaSet's resourceVersion as precondition. */
  updateStatus(rs: ReplicaSet): void;
  createEvent(event: KubeObject): void;
  updateEvent(event: KubeObject): void;
}

const def = (group: string, version: string, plural: string): KindDef => {
  const d = findKind(group, version, plural);
  if (!d) throw new Error(`unknown kind ${group}/${version}/${plural}`);
  return d;
};

/** A ReplicaSetClient over the namespace's GenericStore. */
export function storeClient(store: GenericStore): ReplicaSetClient {
  const pods = def("", "v1", "pods");
  const replicasets = def("apps", "v1", "replicasets");
  const events = def("", "v1", "events");
  const opts = { fieldManager: FIELD_MANAGER };
  return {
    getReplicaSet(name) {
      try {
        return store.get(replicasets, name) as unknown as ReplicaSet;
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return undefined;
        throw e;
      }
    },
    listPods() {
      return (store.list(pods, {}) as unknown as { items: Pod[] }).items;
    },
    createPod(pod) {
      return store.create(pods, pod, opts).body as Pod;
    },
    deletePod(name, uid, resourceVersion) {
      store.delete(pods, name, { preconditions: { uid, resourceVersion } });
    },
    setPodOwnerReferences(name, uid, resourceVersion, refs) {
      store.patch(pods, name, "merge", { metadata: { uid, resourceVersion, ownerReferences: refs } }, undefined, opts);
    },
    updateStatus(rs) {
      store.update(replicasets, rs.metadata.name ?? "", rs, "status", opts);
    },
    createEvent(event) {
      store.create(events, event, opts);
    },
    updateEvent(event) {
      store.update(events, event.metadata.name as string, event, undefined, opts);
    },
  };
}

export interface ReplicaSetReconcilerOptions {
  /** The API of one namespace. */
  client: (namespace: string) => ReplicaSetClient;
  recorder: EventRecorder;
  now: Clock;
  randomSuffix?: () => string;
}

/** upstream's syncReplicaSet as a Reconciler keyed `namespace/name`. */
export class ReplicaSetReconciler implements Reconciler {
  readonly name = REPLICASET_RECONCILER;
  /** The last create/delete failure per key, reported to the next plan (ReplicaFailure). */
  private readonly lastErrors = new Map<string, string>();

  constructor(private readonly o: ReplicaSetReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { now } = this.o;
    const { namespace, name } = splitKey(key);
    const client = this.o.client(namespace);
    const rs = client.getReplicaSet(name);
    if (!rs) {
      this.lastErrors.delete(key);
      return;
    }
    const pods = client.listPods();
    const byName = new Map(pods.map((p) => [p.metadata.name ?? "", p]));
    const p = plan(rs, pods, { now: now(), lastError: this.lastErrors.get(key), randomSuffix: this.o.randomSuffix });

    let failure: unknown;
    for (const a of p.actions) {
      try {
        switch (a.type) {
          case "adoptPod":
          case "releasePod": {
            const pod = byName.get(a.name);
            if (!pod || pod.metadata.uid !== a.uid) continue;
            const refs = pod.metadata.ownerReferences ?? [];
            const next = a.type === "adoptPod" ? [...refs.filter((r) => r.uid !== a.ownerReference.uid), a.ownerReference] : refs.filter((r) => r.uid !== a.ownerUid);
            client.setPodOwnerReferences(a.name, a.uid, pod.metadata.resourceVersion ?? "", next);
            break;
          }
          case "createPod": {
            const created = client.createPod(a.pod);
            this.event(client, rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
            break;
          }
          case "deletePod": {
            client.deletePod(a.name, a.uid, a.resourceVersion);
            this.event(client, rs, "Normal", "SuccessfulDelete", `Deleted pod: ${a.name}`);
            break;
          }
        }
      } catch (e) {
        if (isNotFound(e) && (a.type === "deletePod" || a.type === "releasePod")) continue; // already gone
        if (isConflict(e)) throw e; // stale read: run again at once
        // As slowStartBatch: stop at the first failure and report it.
        const message = e instanceof Error ? e.message : String(e);
        if (a.type === "createPod") this.event(client, rs, "Warning", "FailedCreate", `Error creating: ${message}`);
        else if (a.type === "deletePod") this.event(client, rs, "Warning", "FailedDelete", `Error deleting: ${message}`);
        failure = e;
        break;
      }
    }
    if (failure !== undefined) {
      this.lastErrors.set(key, failure instanceof Error ? failure.message : String(failure));
    } else {
      this.lastErrors.delete(key);
    }

    if (!sameStatus(rs.status, p.status)) {
      client.updateStatus({ ...rs, status: p.status });
    }
    if (failure !== undefined) throw failure;
    if (p.requeueAfterSeconds !== undefined) return { requeueAfterMs: p.requeueAfterSeconds * 1000 };
  }

  private event(client: ReplicaSetClient, rs: ReplicaSet, type: EventType, reason: string, message: string): void {
    emitEvent(this.o.recorder, client, involvedObject(rs as unknown as KubeObject, "ReplicaSet", "apps/v1"), type, reason, message);
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

function sameStatus(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}
