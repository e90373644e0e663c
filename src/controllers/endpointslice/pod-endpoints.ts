// What the Endpoints and EndpointSlice controllers share about a Service's pods (upstream's
// k8s.io/endpointslice/util and podutil.FindPort): which pods count, their address for an IP
// family, the port a service port resolves to on a pod, and which pod changes matter.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { isIPv6String } from "../../apis/discovery/v1/addresses.js";
import { isPodReady } from "../replicaset/pods.js";

export { isPodReady };

export type ServicePort = NonNullable<Service["spec"]["ports"]>[number];

/** The label upstream puts on the Endpoints and EndpointSlices of a headless Service. */
export const HEADLESS_LABEL = "service.kubernetes.io/headless";
/** The annotation naming when the last change that led to this write happened. */
export const TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

/**
 * The Service's selector, or undefined when it has none. An empty selector counts as none: upstream
 * stores objects as protobuf, where an empty map does not survive, so `selector: {}` reads back nil.
 */
export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/** labels.Set(selector).AsSelector().Matches(labels). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** helper.IsServiceIPSet: a ClusterIP that is not None. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec.clusterIP;
  return !!ip && ip !== "None";
}

/** podutil.IsPodTerminal: Succeeded or Failed. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** The pod's IPs, podIPs first (podIP alone on a pod written before podIPs existed). */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless terminating pods
 * are wanted (always for EndpointSlices; for Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names itself and sits in the Service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/**
 * podutil.FindPort: a numeric targetPort as is; a named one is the container port of that name
 * and the service port's protocol, looked up in the containers then the sidecars (init
 * containers with restartPolicy Always). Undefined: the pod does not serve this port.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort;
  if (typeof target === "number") return target;
  if (target === undefined || target === "") return port.port;
  // A numeric string is an IntOrString in its string form: upstream resolves it by name too.
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const c of [...(pod.spec.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === (port.protocol ?? "TCP")) return p.containerPort;
  }
  return undefined;
}

/** The IP family the Endpoints of a Service carry: its first ipFamily, else its ClusterIP's, else the pod's first IP's. */
export function endpointsIPFamily(svc: Service, pod: Pod): "IPv4" | "IPv6" {
  const first = svc.spec.ipFamilies?.[0];
  if (first === "IPv4" || first === "IPv6") return first;
  if (isServiceIPSet(svc)) return isIPv6String(svc.spec.clusterIP ?? "") ? "IPv6" : "IPv4";
  return isIPv6String(podIPs(pod)[0] ?? "") ? "IPv6" : "IPv4";
}

/** The pod's IPs of one family. */
export function podIPsOfFamily(pod: Pod, family: "IPv4" | "IPv6"): string[] {
  return podIPs(pod).filter((ip) => isIPv6String(ip) === (family === "IPv6"));
}

/**
 * podEndpointsChanged: whether a pod update can change the endpoints of the Services selecting
 * it, and whether it can change which Services select it. Also a move to a terminal phase, which
 * takes the pod out of every Service even while its Ready condition still says True.
 */
export function podEndpointsChanged(prev: Pod, cur: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !mapsEqual(prev.metadata.labels, cur.metadata.labels) ||
    (prev.spec.hostname ?? "") !== (cur.spec.hostname ?? "") ||
    (prev.spec.subdomain ?? "") !== (cur.spec.subdomain ?? "");
  const podChanged =
    prev.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp ||
    isPodReady(prev) !== isPodReady(cur) ||
    isPodTerminal(prev) !== isPodTerminal(cur) ||
    podIPs(prev).join(",") !== podIPs(cur).join(",") ||
    (prev.spec.nodeName ?? "") !== (cur.spec.nodeName ?? "");
  return { podChanged, labelsChanged };
}

/** labels.Equals (and Go's maps.Equal, for annotations): the same keys with the same values; absent is empty. */
export function mapsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

/** Go's time.RFC3339Nano of a UTC time: fractional seconds only when present, trailing zeros dropped. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : "Z"));
}
