// The downward API's resourceFieldRef (upstream's pkg/api/v1/resource helpers): a container's
// limit or request in units of the divisor, rounded up. A limit the container does not set is
// the node's allocatable, as the kubelet's defaultPodLimitsForDownwardAPI makes it.
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import { ceilDiv, milliValue, toQuantity, value } from "../../../src/admission/quantity.js";

export type ResourceList = Record<string, string | number>;

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

const DEFAULTED_LIMITS = ["cpu", "memory", "ephemeral-storage"];

/** The container's limits with cpu, memory and ephemeral-storage filled from the node's allocatable when unset or zero. */
export function limitsWithAllocatable(container: Container, allocatable: ResourceList | undefined): ResourceList {
  const limits: ResourceList = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED_LIMITS) {
    if (toQuantity(limits[r]).nanos === 0n && allocatable?.[r] !== undefined) limits[r] = allocatable[r];
  }
  return limits;
}

/** findContainerInPod: regular containers first, then init containers. */
function findContainer(pod: Pod, name: string): Container {
  const c = pod.spec.containers?.find((x) => x.name === name) ?? pod.spec.initContainers?.find((x) => x.name === name);
  if (!c) throw new Error(`container ${name} not found`);
  return c;
}

/**
 * The value of a resourceFieldRef. `container` is the one asking (env); a selector naming
 * another container (or a downwardAPI volume item, which always names one) reads that one.
 */
export function resourceFieldValue(fs: ResourceFieldSelector, pod: Pod, container: Container | undefined, allocatable?: ResourceList): string {
  const target = fs.containerName ? findContainer(pod, fs.containerName) : container;
  if (!target) throw new Error(`container ${fs.containerName ?? ""} not found`);
  const given = toQuantity(fs.divisor);
  const divisor = given.nanos === 0n ? toQuantity(1) : given;
  const [kind, name] = splitResource(fs.resource);
  if (!kind) throw new Error(`unsupported container resource : ${fs.resource}`);
  const list = kind === "limits" ? limitsWithAllocatable(target, allocatable) : (target.resources?.requests ?? {});
  const q = toQuantity(list[name]);
  if (name === "cpu") return ceilDiv(milliValue(q), milliValue(divisor)).toString();
  if (name === "memory" || name === "ephemeral-storage" || name.startsWith("hugepages-")) return ceilDiv(value(q), value(divisor)).toString();
  throw new Error(`unsupported container resource : ${fs.resource}`);
}

function splitResource(resource: string): ["limits" | "requests" | undefined, string] {
  const dot = resource.indexOf(".");
  const kind = resource.slice(0, dot);
  return kind === "limits" || kind === "requests" ? [kind, resource.slice(dot + 1)] : [undefined, resource];
}
