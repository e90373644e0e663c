// A manifest turned into the pod the kubelet runs (upstream's kubelet/config applyDefaults and
// tryDecodeSinglePod): decoded, defaulted and validated as the API server would, named
// <name>-<node>, bound to this node, with a uid hashed from the pod, the node and the file, so
// that the same file gives the same pod across restarts and an edit gives a new one.
import { createHash } from "node:crypto";
import { podDef, type Pod } from "../../../src/apis/core/v1/pod.js";
import { decodeObject } from "../../../src/apis/decode.js";
import { isDNS1123Label, validateObjectMeta } from "../../../src/apis/validation.js";
import { canonicalJson } from "../../../src/lib/canonical-json.js";
import { fieldErrorMessage, invalid } from "../../../src/lib/field-errors.js";

export const CONFIG_HASH_ANNOTATION = "kubernetes.io/config.hash";
export const CONFIG_SEEN_ANNOTATION = "kubernetes.io/config.seen";
export const CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";
export const FILE_SOURCE = "file";

/** The built-in PriorityClasses (upstream's scheduling.SystemPriorityClasses). */
const SYSTEM_PRIORITIES: Record<string, number> = { "system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000 };

export type StaticPodResult = { ok: true; pod: Pod } | { ok: false; message: string };

export interface StaticPodContext {
  nodeName: string;
  /** The manifest's path: part of the uid, as upstream hashes `file:<path>`. */
  source: string;
  /** When the kubelet first saw this pod (config.seen). */
  seen: Date;
}

/** Go's time.RFC3339Nano: fractional seconds without trailing zeros, none at all when zero. */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_, frac: string) => {
    const f = frac.replace(/0+$/, "");
    return f ? `.${f}Z` : "Z";
  });
}

/** upstream's generatePodName: the node's name, lowercased, after the pod's. */
export function staticPodName(name: string, nodeName: string): string {
  return `${name}-${nodeName.toLowerCase()}`;
}

/** The uid upstream derives for a file pod: md5 over the decoded pod, then the host and the file. */
export function staticPodUid(decoded: Pod, nodeName: string, source: string): string {
  const h = createHash("md5");
  h.update(canonicalJson(decoded));
  h.update(`host:${nodeName}`);
  h.update(`file:${source}`);
  return h.digest("hex");
}

/** The pod a manifest document describes, as this node runs it; a message when it is not one. */
export function staticPodFrom(doc: unknown, ctx: StaticPodContext): StaticPodResult {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return { ok: false, message: "couldn't parse as pod: the manifest is not an object" };
  const o = doc as { apiVersion?: unknown; kind?: unknown };
  if (!o.kind) return { ok: false, message: "couldn't parse as pod: Object 'Kind' is missing" };
  if (o.kind !== "Pod" || (o.apiVersion !== "v1" && o.apiVersion !== undefined && o.apiVersion !== "")) {
    return { ok: false, message: `couldn't parse as pod: ${String(o.apiVersion ?? "")}, Kind=${String(o.kind)} is not a v1 Pod` };
  }
  const decoded = decodeObject(podDef, doc);
  if (!decoded.ok) return { ok: false, message: `couldn't parse as pod: ${decoded.status.message}` };
  const pod = decoded.obj;
  if (!pod.metadata.name) return { ok: false, message: "invalid pod: name is needed for the pod" };
  // What the server owns has no meaning in a file; status is the kubelet's to report.
  delete pod.status;
  for (const k of ["resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields"] as const) delete pod.metadata[k];
  podDef.applyDefaults?.(pod);

  // applyDefaults: a uid the file gives is kept, as upstream does.
  const uid = pod.metadata.uid || staticPodUid(pod, ctx.nodeName, ctx.source);
  pod.metadata.uid = uid;
  pod.metadata.name = staticPodName(pod.metadata.name, ctx.nodeName);
  pod.metadata.namespace ||= "default";
  pod.spec.nodeName = ctx.nodeName;
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [CONFIG_HASH_ANNOTATION]: uid,
    [CONFIG_SEEN_ANNOTATION]: rfc3339Nano(ctx.seen),
    [CONFIG_SOURCE_ANNOTATION]: FILE_SOURCE,
  };
  // File pods tolerate every NoExecute taint, so node problems never evict them.
  // (upstream's AddOrUpdateTolerationInPod: an equal toleration is replaced, so it has no tolerationSeconds.)
  const tolerateAll = { operator: "Exists", effect: "NoExecute" };
  const tolerations = pod.spec.tolerations ?? [];
  const same = tolerations.findIndex((t) => !t.key && t.operator === "Exists" && t.effect === "NoExecute" && !t.value);
  pod.spec.tolerations = same >= 0 ? tolerations.map((t, i) => (i === same ? tolerateAll : t)) : [...tolerations, tolerateAll];
  const systemPriority = SYSTEM_PRIORITIES[pod.spec.priorityClassName ?? ""];
  if (pod.spec.priority === undefined && systemPriority !== undefined) pod.spec.priority = systemPriority;
  pod.status = { phase: "Pending" };

  const errs = [...validateObjectMeta(pod.metadata, true, podDef.nameRule), ...(podDef.validate?.(pod) ?? [])];
  for (const msg of isDNS1123Label(pod.metadata.namespace)) errs.push(invalid("metadata.namespace", pod.metadata.namespace, msg));
  if (errs.length) return { ok: false, message: `invalid pod: [${errs.map(fieldErrorMessage).join(", ")}]` };
  return { ok: true, pod };
}
