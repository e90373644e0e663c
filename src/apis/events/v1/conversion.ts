// events.k8s.io/v1 Events are stored as core/v1 Events, as kube-apiserver stores one events
// resource for both: these are upstream's field mappings between the two versions.
import type { KubeObject } from "../../types.js";

const pairs: Array<[events: string, core: string]> = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["reportingController", "reportingComponent"],
  ["reportingInstance", "reportingInstance"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
  ["eventTime", "eventTime"],
  ["series", "series"],
  ["action", "action"],
  ["reason", "reason"],
  ["related", "related"],
  ["type", "type"],
];

function move(from: KubeObject, to: Record<string, unknown>, mapping: Array<[string, string]>): void {
  for (const [src, dst] of mapping) if (from[src] !== undefined) to[dst] = from[src];
}

/** An events.k8s.io/v1 Event as the core/v1 Event it is stored as. */
export function eventToStorage(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: "v1", kind: "Event", metadata: e.metadata };
  move(e, out, pairs);
  out.involvedObject ??= {};
  return out;
}

/** A stored core/v1 Event as events.k8s.io/v1 serves it. */
export function eventFromStorage(core: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: core.metadata };
  move(core, out, pairs.map(([a, b]) => [b, a]));
  return out;
}
