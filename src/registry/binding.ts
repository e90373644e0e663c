// POST /api/v1/namespaces/NS/pods/NAME/binding: core/v1 Binding, the scheduler's one write
// (pkg/registry/core/pod/storage BindingREST). In one read-modify-write it sets spec.nodeName and
// the PodScheduled=True condition; a pod already bound, being deleted or still gated is refused
// with 409 Conflict on pods/binding, with upstream's messages. Answers a Success Status, 201.
import type { KindDef, KubeObject } from "../apis/types.js";
import { setPodCondition } from "../apis/core/v1/pod-conditions.js";
import { rfc3339 } from "../lib/clock.js";
import { notSupported, required, type FieldError } from "../lib/field-errors.js";
import { badRequest, conflict, invalid, notFound, success } from "../lib/status.js";
import type { Storage } from "../storage/interface.js";
import { revisionFor } from "./composite-rv.js";
import { checkPreconditions } from "./deletion.js";
import { kindStorage } from "./kind-storage.js";
import { storageToStatus } from "./storage-status.js";

export interface Binding {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string; apiVersion?: string; namespace?: string };
}

const BINDING_GR = { group: "", resource: "pods/binding" };

/** ValidatePodBinding, and the URL/body name check of BindingREST.Create. */
export function validateBinding(name: string, namespace: string, raw: unknown): Binding {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("the body of the request must be a core/v1 Binding object");
  const b = raw as Binding;
  if (b.kind !== undefined && b.kind !== "Binding") throw badRequest(`the body of the request was of kind "${String(b.kind)}", not Binding`);
  const meta = b.metadata ?? {};
  if ((meta.name ?? "") !== name) throw badRequest("name in URL does not match name in Binding object");
  if (meta.namespace && meta.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  const errs: FieldError[] = [];
  const target = b.target ?? {};
  if (target.kind && target.kind !== "Node") errs.push(notSupported("target.kind", target.kind, ["Node", "<empty>"]));
  if (!target.name) errs.push(required("target.name", ""));
  if (errs.length) throw invalid("Binding", "", name, errs);
  return b;
}

/** Binds the pod in one transaction; throws a StatusError when it cannot be bound. */
export function bindPod(storage: Storage, podDef: KindDef, namespace: string, b: Binding, now: number, dryRun = false): { code: number; body: unknown; pod?: KubeObject } {
  const name = b.metadata!.name!;
  const node = b.target!.name!;
  const pre = { uid: b.metadata?.uid, resourceVersion: b.metadata?.resourceVersion ? revisionFor(b.metadata.resourceVersion, namespace) : undefined };
  let pod: KubeObject | undefined;
  try {
    pod = kindStorage(storage, podDef).guaranteedUpdate(name, (current) => {
      if (!current) throw notFound({ group: "", resource: "pods" }, name);
      checkPreconditions(podDef, name, current, pre);
      const spec = (current.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
      if (current.metadata.deletionTimestamp) throw conflict(BINDING_GR, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict(BINDING_GR, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
      if (spec.schedulingGates?.length) throw conflict(BINDING_GR, name, `pod ${name} has non-empty .spec.schedulingGates`);
      const next = current; // already the store's copy, read inside this transaction
      (next.spec as { nodeName?: string }).nodeName = node;
      const annotations = b.metadata?.annotations;
      if (annotations && Object.keys(annotations).length) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
      next.status ??= {};
      setPodCondition(next.status as { conditions?: [] }, { type: "PodScheduled", status: "True" }, rfc3339(now));
      if (dryRun) throw new DryRunDone();
      return next;
    }).object;
  } catch (e) {
    if (e instanceof DryRunDone) return { code: 201, body: { ...success(), code: 201 } };
    throw storageToStatus(podDef, e);
  }
  return { code: 201, body: { ...success(), code: 201 }, pod };
}

class DryRunDone extends Error {}
