// The scale subresource (autoscaling/v1 Scale) of kinds that have one: the view of an object
// as a Scale, and a Scale request read into the replicas it asks for.
import type { KindDef, KubeObject } from "../apis/types.js";
import { invalid as invalidField } from "../lib/field-errors.js";
import { badRequest, invalid, notFound } from "../lib/status.js";
import { groupResource } from "./kind-names.js";
import { labelSelectorObjectToString } from "./selectors/index.js";

export function toScale(def: KindDef, obj: KubeObject): KubeObject {
  if (!def.scale) throw notFound(groupResource(def), obj.metadata.name as string);
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata;
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: spec.selector ? labelSelectorObjectToString(spec.selector as never) : "" },
  };
}

/** spec.replicas of a Scale request, checked as upstream's ValidateScale. */
export function requestedReplicas(name: string, scale: KubeObject): number {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
    throw invalid("Scale", "autoscaling", name, [invalidField("spec.replicas", replicas ?? null, "must be an integer")]);
  }
  if (replicas < 0) throw invalid("Scale", "autoscaling", name, [invalidField("spec.replicas", replicas, "must be greater than or equal to 0")]);
  return replicas;
}

export function mergeScale(name: string, scale: KubeObject, raw: unknown): KubeObject {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("the body of the request must be a Scale object");
  const body = raw as KubeObject;
  if (body.kind && body.kind !== "Scale") throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Scale)`);
  if (body.metadata?.name && body.metadata.name !== name) {
    throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  return { ...scale, metadata: { ...scale.metadata, resourceVersion: body.metadata?.resourceVersion }, spec: body.spec ?? {} };
}
