// NodeResourcesFit (filter): the pod's requests must fit in what the node's allocatable leaves
// after the pods already on it, and the node must have room for one more pod. Unlike the other
// filters it reports every insufficient resource of the node at once.
import type { FilterPlugin, FilterResult } from "../framework.js";
import type { PodFacts } from "../facts.js";
import type { NodeInfo } from "../node-info.js";

export const REASON_TOO_MANY_PODS = "Too many pods";
export const insufficient = (resource: string) => `Insufficient ${resource}`;

/** fitsRequest: the reasons, in upstream's order (pods, cpu, memory, ephemeral-storage, extended). */
export function insufficientResources(pod: PodFacts, ni: NodeInfo): string[] {
  const out: string[] = [];
  const alloc = ni.node!.allocatable;
  if (ni.pods.size + 1 > alloc.pods) out.push(REASON_TOO_MANY_PODS);
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - ni.requested.milliCPU) out.push(insufficient("cpu"));
  if (req.memory > 0 && req.memory > alloc.memory - ni.requested.memory) out.push(insufficient("memory"));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - ni.requested.ephemeralStorage) out.push(insufficient("ephemeral-storage"));
  for (const [name, want] of Object.entries(req.scalar ?? {})) {
    if (want > 0 && want > (alloc.scalar?.[name] ?? 0) - (ni.scalarRequested?.[name] ?? 0)) out.push(insufficient(name));
  }
  return out;
}

export const nodeResourcesFit: FilterPlugin<void> = {
  name: "NodeResourcesFit",
  filter(pod, ni): FilterResult {
    const reasons = insufficientResources(pod, ni);
    return reasons.length > 0 ? reasons : undefined;
  },
};
