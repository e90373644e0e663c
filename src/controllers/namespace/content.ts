// The namespace controller's deleter half (upstream's deleteAllContentForGroupVersionResource),
// run inside the namespace's own store: delete every object of every namespaced resource as a
// client's DELETE of the collection would, then report what remains. Facts only; what they mean
// for the Namespace's conditions is decided by plan.ts in the cluster store.
import { kinds } from "../../apis/index.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { DeleteOptions } from "../../registry/requests.js";

/** What deleting one resource's collection left behind. Plain data: it crosses RPC. */
export interface ResourceContent {
  group: string;
  version: string;
  /** Plural resource name: `pods`. */
  resource: string;
  /**
   * Upstream's estimateGracefulTermination input, read before deleting: the longest
   * terminationGracePeriodSeconds of the pods not yet finished (0 for every other resource).
   */
  gracePeriodSeconds: number;
  /** Instances still stored after the delete (finalizers or graceful deletion hold them). */
  remaining: number;
  /** Finalizer → how many of the remaining instances carry it. */
  finalizers: Record<string, number>;
  /** Why deleting the collection failed (upstream's per-resource content deletion error). */
  error?: string;
}

export interface ContentReport {
  resources: ResourceContent[];
}

/**
 * The namespace controller asks for background propagation so the garbage collector never adds
 * the orphan finalizer: everything in the namespace goes anyway.
 */
const DELETE_OPTIONS: DeleteOptions = { propagationPolicy: "Background" };

/** Every namespaced resource, once per group and resource (upstream's preferred versions). */
export function namespacedResources(all: KindDef[] = kinds): KindDef[] {
  const seen = new Set<string>();
  return all.filter((def) => {
    const key = `${def.group}/${def.plural}`;
    if (!def.namespaced || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Deletes the content of the namespace `store` holds and reports what remains, per resource. */
export function deleteAllContent(store: GenericStore, resources: KindDef[] = namespacedResources()): ContentReport {
  return { resources: resources.map((def) => deleteResourceContent(store, def)) };
}

function deleteResourceContent(store: GenericStore, def: KindDef): ResourceContent {
  const out: ResourceContent = { group: def.group, version: def.version, resource: def.plural, gracePeriodSeconds: 0, remaining: 0, finalizers: {} };
  try {
    if (def.group === "" && def.plural === "pods") out.gracePeriodSeconds = podsGracePeriod(items(store, def));
    store.deleteCollection(def, {}, DELETE_OPTIONS);
    const left = items(store, def);
    out.remaining = left.length;
    for (const obj of left) for (const f of obj.metadata.finalizers ?? []) out.finalizers[f] = (out.finalizers[f] ?? 0) + 1;
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    out.error = e.status.message ?? e.message;
  }
  return out;
}

function items(store: GenericStore, def: KindDef): KubeObject[] {
  return (store.list(def, {}) as unknown as { items: KubeObject[] }).items;
}

/** upstream's estimateGracefulTerminationForPods: terminal pods need no time. */
function podsGracePeriod(pods: KubeObject[]): number {
  let estimate = 0;
  for (const pod of pods) {
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") continue;
    const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
    if (grace !== undefined && grace > estimate) estimate = grace;
  }
  return estimate;
}
