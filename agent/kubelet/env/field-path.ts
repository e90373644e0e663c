// The downward API's fieldRef: what a pod may learn about itself through an env var or a
// downwardAPI volume file (upstream's ConvertDownwardAPIFieldLabel, the kubelet's
// podFieldSelectorRuntimeValue and fieldpath.ExtractFieldPathAsString).
import type { Pod } from "../../../src/apis/core/v1/pod.js";

/** What only the node knows: its name, its addresses and the pod's (the sandbox's). */
export interface PodRuntimeFields {
  /** For a pod whose spec.nodeName is not set yet (static pods). */
  nodeName?: string;
  hostIPs: string[];
  podIPs: string[];
}

/** `metadata.labels['app']` → ["metadata.labels", "app"]; an unsubscripted path → [path]. */
function splitSubscript(fieldPath: string): [string, string?] {
  const m = /^(.*)\['(.*)'\]$/.exec(fieldPath);
  return m ? [m[1], m[2]] : [fieldPath];
}

/** Value of a fieldRef; throws (with upstream's message) for a path the API version does not offer. */
export function podFieldValue(pod: Pod, apiVersion: string | undefined, fieldPath: string, rt: PodRuntimeFields): string {
  if (apiVersion && apiVersion !== "v1") throw new Error(`unsupported pod version: ${apiVersion}`);
  switch (fieldPath) {
    case "spec.nodeName":
      return pod.spec.nodeName || (rt.nodeName ?? "");
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "";
    case "status.hostIP":
      return rt.hostIPs[0] ?? "";
    case "status.hostIPs":
      return rt.hostIPs.join(",");
    case "status.podIP":
      return rt.podIPs[0] ?? "";
    case "status.podIPs":
      return rt.podIPs.join(",");
  }
  return extractFieldPathAsString(pod, fieldPath);
}

/** fieldpath.ExtractFieldPathAsString: the pod's own metadata. */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const [path, subscript] = splitSubscript(fieldPath);
  const meta = pod.metadata;
  if (subscript !== undefined) {
    if (path === "metadata.annotations") return meta.annotations?.[subscript] ?? "";
    if (path === "metadata.labels") return meta.labels?.[subscript] ?? "";
    throw new Error(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
  }
  switch (path) {
    case "metadata.annotations":
      return formatMap(meta.annotations ?? {});
    case "metadata.labels":
      return formatMap(meta.labels ?? {});
    case "metadata.name":
      return meta.name ?? "";
    case "metadata.namespace":
      return meta.namespace ?? "";
    case "metadata.uid":
      return meta.uid ?? "";
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** fieldpath.FormatMap: `key="value"` lines in key order, values quoted as Go's %q. */
export function formatMap(m: Record<string, string>): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${goQuote(m[k])}`)
    .join("\n");
}

const ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };

/** Go's strconv.Quote for the characters a label or annotation value holds. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}
