// The EndpointSlice controller's decision for one Service (upstream's endpointslice Reconciler):
// group the selected pods' endpoints by the ports they resolve to, keep each endpoint in the slice
// that already holds it and update that slice in place, fill slices that changed anyway before
// touching others, create slices only for what is left (at most 100 endpoints each), delete
// slices left empty, and keep one empty placeholder slice when there is nothing to publish.
// Pure: the reconciler lists, writes and retries.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import type { Endpoint, EndpointSlice, EndpointSlicePort } from "../../apis/discovery/v1/endpointslice.js";
import { TRIGGER_TIME_ANNOTATION, mapsEqual, rfc3339Nano, selectorMatches, selectorOf, shouldPodBeInEndpoints } from "./pod-endpoints.js";
import {
  type AddressType,
  CONTROLLER_NAME,
  MAX_ENDPOINTS_PER_SLICE,
  addressTypesForService,
  endpointKey,
  endpointPorts,
  endpointsEqualBeyondKey,
  newEndpointSlice,
  ownedBy,
  podToEndpoint,
  portMapKey,
  sliceLabels,
} from "./desired.js";

export interface SlicePlan {
  /** New slices (generateName set, no name). */
  create: EndpointSlice[];
  /** Slices to replace; each carries the resourceVersion read, as the precondition. */
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface SlicePlanInput {
  service: Service;
  /** The pods of the Service's namespace (the plan applies the selector). */
  pods: readonly Pod[];
  /** The slices labelled with the Service's name and this controller, none being deleted. */
  existing: readonly EndpointSlice[];
  /** TriggerTimeTracker's answer for this sync, epoch ms. */
  triggerTime: number | undefined;
  maxEndpointsPerSlice?: number;
}

const empty = (): SlicePlan => ({ create: [], update: [], delete: [] });
const nameOf = (s: EndpointSlice) => s.metadata.name ?? "";
/** EndpointSet.PopAny: the first left (pods come sorted by name, so this is stable). */
const popFirst = (set: Map<string, Endpoint>): Endpoint => {
  const [key, ep] = set.entries().next().value!;
  set.delete(key);
  return ep;
};

export function planSlices(input: SlicePlanInput): SlicePlan {
  const { service: svc, existing } = input;
  const max = input.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const supported = addressTypesForService(svc);
  const out = empty();
  const byType = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    // An address type the Service no longer has: its slices go.
    if (!supported.includes(slice.addressType as AddressType)) out.delete.push(slice);
    else byType.set(slice.addressType, [...(byType.get(slice.addressType) ?? []), slice]);
  }
  const selector = selectorOf(svc) ?? {};
  const pods = input.pods.filter((p) => selectorMatches(selector, p.metadata.labels) && shouldPodBeInEndpoints(p, true));
  for (const addressType of supported) {
    const p = planAddressType(svc, pods, byType.get(addressType) ?? [], addressType, max);
    out.create.push(...p.create);
    out.update.push(...p.update);
    out.delete.push(...p.delete);
  }
  // Don't create slices for a Service being deleted: the garbage collector is removing them.
  if (svc.metadata.deletionTimestamp) out.create = [];
  for (const slice of [...out.create, ...out.update]) setTriggerTime(slice, input.triggerTime);
  return out;
}

/** addTriggerTimeAnnotation: set, or cleared when this sync has no new trigger. */
function setTriggerTime(slice: EndpointSlice, triggerTime: number | undefined): void {
  const annotations = { ...slice.metadata.annotations };
  if (triggerTime !== undefined) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(triggerTime);
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (Object.keys(annotations).length) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}

/** reconcileByAddressType. */
function planAddressType(svc: Service, pods: readonly Pod[], existing: EndpointSlice[], addressType: AddressType, max: number): SlicePlan {
  const out = empty();
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, svc)) {
      out.delete.push(slice); // left by an earlier Service of the same name
      continue;
    }
    const key = portMapKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  const desiredPorts = new Map<string, EndpointSlicePort[]>();
  const desired = new Map<string, Map<string, Endpoint>>();
  for (const pod of pods) {
    const ports = endpointPorts(svc, pod);
    const key = portMapKey(ports);
    if (!desired.has(key)) {
      desired.set(key, new Map());
      desiredPorts.set(key, ports);
    }
    const ep = podToEndpoint(pod, svc, addressType);
    if (ep.addresses.length) desired.get(key)!.set(endpointKey(ep), ep);
  }
  for (const [key, set] of desired) {
    const p = planPortMapping(svc, existingByPorts.get(key) ?? [], set, desiredPorts.get(key)!, addressType, max);
    out.create.push(...p.create);
    out.update.push(...p.update);
    out.delete.push(...p.delete);
  }
  // Port sets no pod resolves to any more.
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) out.delete.push(...slices);

  // With nothing to publish, one empty slice stays (kept if it already is the only one).
  if (existing.length === out.delete.length && out.create.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType);
    if (out.delete.length === 1 && isPlaceholder(out.delete[0], placeholder)) out.delete = [];
    else out.create.push(placeholder);
  }
  return finalize(svc, out);
}

/** placeholderSliceCompare: same namespace, labels, address type, and nothing in it. */
function isPlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    mapsEqual(slice.metadata.labels, placeholder.metadata.labels) &&
    slice.addressType === placeholder.addressType &&
    slice.endpoints.length === 0 &&
    (slice.ports ?? []).length === 0
  );
}

/** reconcileByPortMapping: the slices of one port set against the endpoints wanted for it. */
function planPortMapping(svc: Service, existing: EndpointSlice[], desired: Map<string, Endpoint>, ports: EndpointSlicePort[], addressType: AddressType, max: number): SlicePlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep the endpoints still wanted where they are; drop the others.
  for (const slice of existing) {
    byName.set(nameOf(slice), slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) endpointUpdated = true;
      desired.delete(key);
    }
    const { labels, changed } = sliceLabels(slice, svc, CONTROLLER_NAME);
    if (endpointUpdated || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) {
        toDelete.add(nameOf(slice));
      } else {
        byName.set(nameOf(slice), { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(nameOf(slice));
      }
    } else if (changed) {
      byName.set(nameOf(slice), { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(nameOf(slice));
    } else {
      unchanged.add(nameOf(slice));
    }
  }

  // 2. Fill the slices being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of slices) while (desired.size > 0 && slice.endpoints.length < max) slice.endpoints.push(popFirst(desired));
  }

  // 3. The rest into the untouched slice they fit best, else into new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const best = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (best) byName.set(nameOf(best), (fill = structuredClone(best)));
    }
    fill ??= newEndpointSlice(svc, ports, addressType);
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(popFirst(desired));
    if (fill.metadata.name) {
      toUpdate.add(nameOf(fill));
      unchanged.delete(nameOf(fill));
    } else {
      create.push(fill);
    }
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** getSliceToFill: the slice closest to full once `count` endpoints join it, if any has room. */
function sliceToFill(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const slice of slices) {
    const diff = max - (count + slice.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}

/**
 * finalize: a slice to create and one to delete become an update of the latter (same address
 * type, owned by this Service), so slice names stay stable.
 */
function finalize(svc: Service, plan: SlicePlan): SlicePlan {
  const { create, update } = plan;
  const del = [...plan.delete];
  for (let i = 0; i < del.length && create.length > 0; ) {
    const gone = del[i];
    const slice = create[create.length - 1];
    if (gone.addressType === slice.addressType && ownedBy(gone, svc)) {
      slice.metadata.name = gone.metadata.name;
      slice.metadata.resourceVersion = gone.metadata.resourceVersion;
      create.pop();
      update.push(slice);
      del.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create, update, delete: del };
}
