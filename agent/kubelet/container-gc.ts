// Container garbage collection for one pod (upstream's containerGC with MaxPerPodContainer=1):
// of each container's instances that are not running, the newest stays (its exit is lastState
// and `kubectl logs --previous` reads it), older ones go; sandboxes that are neither the newest
// nor ready go once nothing in them is kept. A deleted pod keeps nothing.
import { LABEL_CONTAINER_NAME, type ContainerRuntime, type ContainerStatus, type PodSandbox } from "../runtimes/runtime.js";

export interface GarbagePlan {
  containers: string[];
  sandboxes: string[];
}

export function planContainerGC(sandboxes: PodSandbox[], containers: ContainerStatus[], opts: { podDeleted?: boolean; keepPerContainer?: number } = {}): GarbagePlan {
  const keepN = opts.podDeleted ? 0 : (opts.keepPerContainer ?? 1);
  const byName = new Map<string, ContainerStatus[]>();
  for (const c of containers) {
    if (c.state === "CONTAINER_RUNNING") continue;
    const name = c.labels[LABEL_CONTAINER_NAME] ?? c.name;
    byName.set(name, [...(byName.get(name) ?? []), c]);
  }
  const doomed = new Set<string>();
  for (const list of byName.values()) {
    list.sort((a, b) => b.createdAt - a.createdAt);
    for (const c of list.slice(keepN)) doomed.add(c.id);
  }
  const newest = [...sandboxes].sort((a, b) => b.createdAt - a.createdAt)[0];
  const removable = sandboxes.filter((s) => {
    if (s.state === "SANDBOX_READY" && !opts.podDeleted) return false;
    if (s === newest && !opts.podDeleted) return false;
    return containers.every((c) => c.sandboxId !== s.id || doomed.has(c.id));
  });
  const gone = new Set(removable.map((s) => s.id));
  // Containers of a removed sandbox go with it.
  return { containers: containers.filter((c) => doomed.has(c.id) && !gone.has(c.sandboxId)).map((c) => c.id), sandboxes: [...gone] };
}

/** Carries a plan out; a container or sandbox already gone is not an error. */
export async function collectGarbage(runtime: ContainerRuntime, plan: GarbagePlan): Promise<void> {
  for (const id of plan.containers) await runtime.removeContainer(id).catch(() => {});
  for (const id of plan.sandboxes) {
    await runtime.stopPodSandbox(id).catch(() => {});
    await runtime.removePodSandbox(id).catch(() => {});
  }
}
