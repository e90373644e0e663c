// NodeRestriction for the pods a node creates (upstream's admitPodCreate): only mirror pods of
// its static pods, bound to itself, owned by its own Node, and referencing no other API object
// (a node could otherwise read any Secret by naming it in a pod it makes). Upstream's messages.
import { podConfigMapNames, podSecretNames } from "./references.js";

import { MIRROR_POD_ANNOTATION } from "../../../apis/core/v1/pod.js";

interface OwnerRef {
  apiVersion?: unknown;
  kind?: unknown;
  name?: unknown;
  uid?: unknown;
  controller?: unknown;
  blockOwnerDeletion?: unknown;
}

interface RawPod {
  metadata?: { annotations?: Record<string, unknown>; ownerReferences?: OwnerRef[] };
  spec?: Record<string, any>;
}

/** Why node `node` may not create this pod (the request body); undefined when it may. */
export function mirrorPodRefusal(node: string, body: unknown): string | undefined {
  const pod = (body ?? {}) as RawPod;
  const n = JSON.stringify(node);
  const annotations = pod.metadata?.annotations ?? {};
  if (!Object.prototype.hasOwnProperty.call(annotations, MIRROR_POD_ANNOTATION)) {
    return `pod does not have ${JSON.stringify(MIRROR_POD_ANNOTATION)} annotation, node ${n} can only create mirror pods`;
  }
  const spec = pod.spec ?? {};
  if (spec.nodeName !== node) return `node ${n} can only create pods with spec.nodeName set to itself`;
  const owners = Array.isArray(pod.metadata?.ownerReferences) ? pod.metadata.ownerReferences : [];
  if (owners.length > 1) return `node ${n} can only create pods with a single owner reference set to itself`;
  const owner = owners[0];
  if (!owner || owner.apiVersion !== "v1" || owner.kind !== "Node" || owner.name !== node) return `node ${n} can only create pods with an owner reference set to itself`;
  if (owner.controller !== true) return `node ${n} can only create pods with a controller owner reference set to itself`;
  if (owner.blockOwnerDeletion === true) return `node ${n} must not set blockOwnerDeletion on an owner reference`;
  // (The owner's uid is checked against the Node by the caller, which can read it.)
  if (spec.serviceAccountName || spec.serviceAccount) return `node ${n} can not create pods that reference a service account`;
  if (podSecretNames(spec).length) return `node ${n} can not create pods that reference secrets`;
  if (podConfigMapNames(spec).length) return `node ${n} can not create pods that reference configmaps`;
  const volumes: Array<Record<string, any>> = Array.isArray(spec.volumes) ? spec.volumes : [];
  const projections = volumes.flatMap((v) => (Array.isArray(v?.projected?.sources) ? (v.projected.sources as Array<Record<string, unknown>>) : []));
  if (projections.some((s) => s?.clusterTrustBundle)) return `node ${n} can not create pods that reference clustertrustbundles`;
  if (volumes.some((v) => v?.persistentVolumeClaim)) return `node ${n} can not create pods that reference persistentvolumeclaims`;
  // The ServiceAccount admission's rule for mirror pods: a token would be minted for no pod the API can vouch for.
  if (projections.some((s) => s?.serviceAccountToken)) return "mirror pods may not use ServiceAccountToken volume projections";
  return undefined;
}

/** The uid the mirror pod's owner reference names (checked against the Node's). */
export function mirrorPodOwnerUid(body: unknown): string {
  const uid = (body as RawPod | undefined)?.metadata?.ownerReferences?.[0]?.uid;
  return typeof uid === "string" ? uid : "";
}

/** upstream's UID check: the owner reference must name this Node, not an earlier one of the same name. */
export function ownerUidRefusal(node: string, ownerUid: string, nodeUid: string): string | undefined {
  return ownerUid === nodeUid ? undefined : `node ${node} UID mismatch: expected ${ownerUid} got ${nodeUid}`;
}
