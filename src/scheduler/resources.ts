// The scheduler's framework.Resource: cpu in millicores, memory and ephemeral storage in bytes,
// extended resources as plain counts. Pod requests come from the shared PodRequests helper
// (containers summed, init containers at their peak, sidecars, overhead); the "non-zero" variant
// gives each container without a cpu / memory request upstream's scoring defaults.
import type { PodSpec } from "../apis/core/v1/podspec.js";
import { podRequests } from "../admission/pod-resources.js";
import { type Quantity, milliValue, toQuantity, value } from "../admission/quantity.js";
import type { ResourceList } from "../admission/resource-list.js";

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and the like (upstream's ScalarResources); absent when none. */
  scalar?: Record<string, number>;
}

export interface Allocatable extends Resources {
  /** AllowedPodNumber. */
  pods: number;
}

/** schedutil.DefaultMilliCPURequest and DefaultMemoryRequest: what scoring assumes for a container without requests. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
/** The kubelet's default max-pods, used when a node reports no pods allocatable. */
export const DEFAULT_ALLOWED_PODS = 110;

/** IsScalarResourceName: extended (domain-prefixed), kubernetes.io/-prefixed, hugepages and attachable-volumes resources. */
export function isScalarResourceName(name: string): boolean {
  return (name.includes("/") && !name.startsWith("requests.")) || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-");
}

const num = (q: Quantity, milli: boolean) => Number(milli ? milliValue(q) : value(q));

/** Resource.Add over a ResourceList: cpu as MilliValue, everything else as Value. */
function toResources(list: ResourceList): Resources {
  const r: Resources = { milliCPU: 0, memory: 0, ephemeralStorage: 0 };
  for (const [name, q] of Object.entries(list)) {
    if (name === "cpu") r.milliCPU = num(q, true);
    else if (name === "memory") r.memory = num(q, false);
    else if (name === "ephemeral-storage") r.ephemeralStorage = num(q, false);
    else if (isScalarResourceName(name)) (r.scalar ??= {})[name] = num(q, false);
  }
  return r;
}

/** The pod's requests as NodeResourcesFit counts them (a container without a request counts 0). */
export function podResourceRequests(spec: PodSpec): Resources {
  return toResources(podRequests(spec));
}

type ContainerLike = { resources?: { requests?: Record<string, unknown> } };

function withDefaults<C extends ContainerLike>(c: C, missing: Record<string, string>): C {
  const requests = c.resources?.requests ?? {};
  const add = Object.entries(missing).filter(([k]) => !(k in requests));
  if (add.length === 0) return c;
  return { ...c, resources: { ...c.resources, requests: { ...requests, ...Object.fromEntries(add) } } };
}

/**
 * PodInfo.CalculateResource's Non0CPU / Non0Mem: PodRequests with NonMissingContainerRequests,
 * i.e. 100m / 200Mi for each container that lacks the request. With pod-level requests set,
 * the defaults apply only to what the pod as a whole leaves unset.
 */
export function podNonZeroRequests(spec: PodSpec): { milliCPU: number; memory: number } {
  const podLevel = spec.resources?.requests ?? {};
  if ("cpu" in podLevel || "memory" in podLevel) {
    const r = podRequests(spec);
    return {
      milliCPU: "cpu" in r ? num(r.cpu, true) : DEFAULT_MILLI_CPU_REQUEST,
      memory: "memory" in r ? num(r.memory, false) : DEFAULT_MEMORY_REQUEST,
    };
  }
  const missing = { cpu: `${DEFAULT_MILLI_CPU_REQUEST}m`, memory: String(DEFAULT_MEMORY_REQUEST) };
  const defaulted = {
    ...spec,
    containers: (spec.containers ?? []).map((c) => withDefaults(c, missing)),
    initContainers: spec.initContainers?.map((c) => withDefaults(c, missing)),
  } as PodSpec;
  const r = podRequests(defaulted);
  return { milliCPU: r.cpu ? num(r.cpu, true) : 0, memory: r.memory ? num(r.memory, false) : 0 };
}

/**
 * NewResource(node.Status.Allocatable). Allocatable is defaulted from capacity when absent, as
 * the apiserver's SetDefaults_NodeStatus does; pods default to the kubelet's 110.
 */
export function nodeAllocatable(status: { allocatable?: Record<string, unknown>; capacity?: Record<string, unknown> } | undefined): Allocatable {
  const wire = status?.allocatable ?? status?.capacity ?? {};
  const list: ResourceList = {};
  for (const [k, v] of Object.entries(wire)) list[k] = toQuantity(v);
  const r = toResources(list);
  return { ...r, pods: "pods" in list ? num(list.pods, false) : DEFAULT_ALLOWED_PODS };
}
