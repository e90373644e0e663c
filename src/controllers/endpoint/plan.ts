// The Endpoints controller's decision for one Service, as upstream's syncService: the Endpoints
// object of the Service's name lists the selected pods' addresses per resolved port, ready ones
// in addresses and the others in notReadyAddresses, repacked canonically; it carries the
// Service's labels (plus the headless label) and the last-change trigger time. Pure: the
// reconciler reads, and writes what this returns.
import type { Endpoints } from "../../apis/core/v1/endpoints.js";
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { canonicalJson } from "../../lib/canonical-json.js";
import {
  HEADLESS_LABEL,
  TRIGGER_TIME_ANNOTATION,
  endpointsIPFamily,
  findPort,
  isPodReady,
  isServiceIPSet,
  mapsEqual,
  podIPsOfFamily,
  rfc3339Nano,
  selectorMatches,
  selectorOf,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "../endpointslice/pod-endpoints.js";
import { type EndpointAddress, type EndpointPort, type EndpointSubset, repackSubsets } from "./repack.js";

/** Most addresses one Endpoints object holds; beyond it the object is truncated and says so. */
export const MAX_CAPACITY = 1000;
export const OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";

export type EndpointsAction =
  | { type: "none" }
  /** Create this Endpoints object. */
  | { type: "create"; endpoints: Endpoints }
  /** Replace the Endpoints object; its resourceVersion is the precondition. */
  | { type: "update"; endpoints: Endpoints }
  /** The Service is gone: delete its Endpoints (uid as precondition). */
  | { type: "delete"; name: string; uid: string };

export interface EndpointsPlanInput {
  /** The Service, or undefined when it no longer exists. */
  service: Service | undefined;
  /** The pods of the Service's namespace (the plan applies the selector). */
  pods: readonly Pod[];
  /** The Endpoints object of the Service's name, if any. */
  current: Endpoints | undefined;
  /** TriggerTimeTracker's answer for this sync, epoch ms. */
  triggerTime: number | undefined;
}

/** The subsets for a Service with a selector, repacked (upstream's loop over the selected pods). */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const selector = selectorOf(svc);
  if (!selector) return [];
  const publishNotReady = svc.spec.publishNotReadyAddresses === true;
  const ports = svc.spec.ports ?? [];
  const subsets: EndpointSubset[] = [];
  const add = (pod: Pod, address: EndpointAddress, port: EndpointPort | undefined) => {
    const ss: EndpointSubset = publishNotReady || isPodReady(pod) ? { addresses: [address] } : { notReadyAddresses: [address] };
    if (port) ss.ports = [port];
    subsets.push(ss);
  };
  for (const pod of pods) {
    if (!selectorMatches(selector, pod.metadata.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPsOfFamily(pod, endpointsIPFamily(svc, pod))[0];
    if (!ip) continue; // no address of the Service's family (a single-stack pod of a dual-stack cluster)
    const address: EndpointAddress = { ip, targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
    if (pod.spec.nodeName) address.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec.hostname;
    if (ports.length === 0) {
      // A headless Service may have no ports; its addresses are published alone.
      if (svc.spec.clusterIP === "None") add(pod, address, undefined);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue; // the pod lacks the named port: left out of this port only
      const ep: EndpointPort = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      add(pod, address, ep);
    }
  }
  return repackSubsets(subsets);
}

/** Subsets as compared: the pods' resourceVersions are left out, as are empty lists. */
function comparable(subsets: readonly EndpointSubset[] | undefined): string {
  const stripped = (subsets ?? []).map((ss) => {
    const strip = (list: EndpointAddress[] | undefined) => list?.map((a) => (a.targetRef ? { ...a, targetRef: { ...a.targetRef, resourceVersion: undefined } } : a));
    return { ...ss, addresses: strip(ss.addresses), notReadyAddresses: strip(ss.notReadyAddresses) };
  });
  return canonicalJson(stripped, { dropEmpty: true });
}

const count = (subsets: readonly EndpointSubset[] | undefined) => (subsets ?? []).reduce((n, ss) => n + (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0), 0);

/** truncateEndpoints: keep MAX_CAPACITY addresses, ready ones first, each subset its proportional share. */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const ss of subsets) {
    totalReady += ss.addresses?.length ?? 0;
    totalNotReady += ss.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const ss of subsets) {
    const inSubset = (truncateReady ? ss.addresses?.length : ss.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      ss.addresses = ss.addresses?.slice(0, toBeAdded);
      delete ss.notReadyAddresses;
      canBeAdded -= ss.addresses?.length ?? 0;
    } else {
      ss.notReadyAddresses = ss.notReadyAddresses?.slice(0, toBeAdded);
      canBeAdded -= ss.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

export function planEndpoints({ service: svc, pods, current, triggerTime }: EndpointsPlanInput): EndpointsAction {
  if (!svc) return current ? { type: "delete", name: current.metadata.name ?? "", uid: current.metadata.uid ?? "" } : { type: "none" };
  // ExternalName Services get no endpoints; Services without a selector get theirs from users.
  if (svc.spec.type === "ExternalName" || !selectorOf(svc)) return { type: "none" };

  const subsets = desiredSubsets(svc, pods);
  // Compared truncated, unlike upstream, so a Service over capacity is not rewritten on every sync.
  const truncated = truncateSubsets(subsets);
  if (current) {
    const { [HEADLESS_LABEL]: _headless, ...compareLabels } = current.metadata.labels ?? {};
    const annotation = current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION];
    const capacityAnnotationCorrect = count(current.subsets) <= MAX_CAPACITY && (truncated ? annotation === "truncated" : annotation === undefined);
    if (comparable(current.subsets) === comparable(subsets) && mapsEqual(compareLabels, svc.metadata.labels) && capacityAnnotationCorrect) return { type: "none" };
  }

  const next: Endpoints = current ? structuredClone(current) : { apiVersion: "v1", kind: "Endpoints", metadata: { name: svc.metadata.name } };
  const labels: Record<string, string> = { ...svc.metadata.labels };
  const annotations: Record<string, string> = { ...next.metadata.annotations };
  if (triggerTime !== undefined) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(triggerTime);
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = "truncated";
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
  else delete labels[HEADLESS_LABEL];
  next.metadata.labels = labels;
  next.metadata.annotations = annotations;
  if (!Object.keys(labels).length) delete next.metadata.labels;
  if (!Object.keys(annotations).length) delete next.metadata.annotations;
  if (subsets.length) next.subsets = subsets;
  else delete next.subsets;
  return current ? { type: "update", endpoints: next } : { type: "create", endpoints: next };
}
