// Zones and their NoExecute tainting rate (upstream's GetZoneKey, ComputeZoneState,
// handleDisruption and RateLimitedTimedQueue.SwapLimiter): a zone losing many nodes taints them
// slower, or not at all, and when every zone has lost every node nothing is tainted, since the
// fault is more likely ours (the control plane's network) than theirs.
import type { Node } from "../../apis/core/v1/node.js";
import type { NodeLifecycleOptions, ZoneMemory, ZoneState } from "./types.js";

export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";
export const LABEL_TOPOLOGY_REGION = "topology.kubernetes.io/region";
export const LABEL_FAILURE_DOMAIN_BETA_ZONE = "failure-domain.beta.kubernetes.io/zone";
export const LABEL_FAILURE_DOMAIN_BETA_REGION = "failure-domain.beta.kubernetes.io/region";
/** A node with this label does not count toward its zone's disruption state. */
export const LABEL_NODE_DISRUPTION_EXCLUSION = "node.kubernetes.io/exclude-disruption";

/** nodetopology.GetZoneKey: region + ":\0:" + zone, the deprecated beta labels first; "" with neither. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels[LABEL_FAILURE_DOMAIN_BETA_ZONE] ?? labels[LABEL_TOPOLOGY_ZONE] ?? "";
  const region = labels[LABEL_FAILURE_DOMAIN_BETA_REGION] ?? labels[LABEL_TOPOLOGY_REGION] ?? "";
  if (region === "" && zone === "") return "";
  return `${region}:\x00:${zone}`;
}

export function isExcludedFromDisruptionChecks(node: Node): boolean {
  return Object.hasOwn(node.metadata.labels ?? {}, LABEL_NODE_DISRUPTION_EXCLUSION);
}

/** ComputeZoneState over the Ready statuses of a zone's nodes (undefined: never posted, not ready). */
export function computeZoneState(readyStatuses: readonly (string | undefined)[], unhealthyZoneThreshold: number): ZoneState {
  const ready = readyStatuses.filter((s) => s === "True").length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold) return "PartialDisruption";
  return "Normal";
}

/** A new zone's limiter: the healthy rate, its token available. */
export function newZone(opts: NodeLifecycleOptions, now: number): ZoneMemory {
  return { state: "Initial", qps: opts.evictionLimiterQPS, tokenAt: now };
}

/** TokenBucketRateLimiter(qps, burst 1).TryAccept: takes the token if it is there. Mutates `zone`. */
export function tryAccept(zone: ZoneMemory, now: number): boolean {
  if (zone.qps <= 0 || now < zone.tokenAt) return false;
  zone.tokenAt = now + 1000 / zone.qps;
  return true;
}

/**
 * SwapLimiter: a new bucket at the new rate, full if the old one had its token, drained if not
 * (so leaving a stop waits one interval before the first tainting). Mutates `zone`.
 */
export function swapLimiter(zone: ZoneMemory, qps: number, now: number): void {
  if (zone.qps === qps) return;
  const hadToken = zone.qps > 0 && now >= zone.tokenAt;
  zone.qps = Math.max(qps, 0);
  zone.tokenAt = zone.qps > 0 && !hadToken ? now + 1000 / zone.qps : now;
}

/** setLimiterInZone: the healthy rate, or in a partially disrupted zone the secondary rate if large, else none. */
export function zoneQPS(state: ZoneState, zoneSize: number, opts: NodeLifecycleOptions): number {
  if (state === "PartialDisruption") return zoneSize > opts.largeClusterSizeThreshold ? opts.secondaryEvictionLimiterQPS : 0;
  return opts.evictionLimiterQPS;
}

/** One node as zone accounting sees it. */
export interface ZoneMember {
  zone: string;
  excluded: boolean;
  ready?: string;
}

export interface DisruptionResult {
  zones: Record<string, ZoneMemory>;
  /** Every zone (with counted nodes) is fully disrupted: withhold all NoExecute taints. */
  allDisrupted: boolean;
  /** This pass left that mode: every node's probe timestamp restarts now. */
  exited: boolean;
}

/**
 * handleDisruption: the zones' new states and limiters. Zones with no node left are forgotten;
 * a zone whose only nodes are excluded from disruption checks keeps the healthy rate.
 */
export function handleDisruption(previous: Record<string, ZoneMemory>, members: readonly ZoneMember[], now: number, opts: NodeLifecycleOptions): DisruptionResult {
  const zones: Record<string, ZoneMemory> = {};
  const counted = new Map<string, (string | undefined)[]>();
  for (const m of members) {
    zones[m.zone] ??= previous[m.zone] ? { ...previous[m.zone] } : newZone(opts, now);
    if (m.excluded) continue;
    const list = counted.get(m.zone) ?? [];
    list.push(m.ready);
    counted.set(m.zone, list);
  }
  const keys = [...counted.keys()].sort();
  const newStates = new Map(keys.map((k) => [k, computeZoneState(counted.get(k)!, opts.unhealthyZoneThreshold)]));
  const allAre = keys.length > 0 && keys.every((k) => newStates.get(k) === "FullDisruption");
  const allWas = keys.length > 0 && keys.every((k) => zones[k].state === "FullDisruption");
  const uncounted = Object.keys(zones).filter((k) => !counted.has(k));

  let exited = false;
  if (allAre && !allWas) {
    // Entering: stop every zone.
    for (const z of Object.values(zones)) {
      swapLimiter(z, 0, now);
      z.state = "FullDisruption";
    }
  } else if (!allAre && allWas) {
    // Leaving: every zone gets the limiter its new state calls for.
    exited = true;
    for (const k of keys) {
      swapLimiter(zones[k], zoneQPS(newStates.get(k)!, counted.get(k)!.length, opts), now);
      zones[k].state = newStates.get(k)!;
    }
  } else if (!allAre) {
    for (const k of keys) {
      const s = newStates.get(k)!;
      if (zones[k].state === s) continue;
      swapLimiter(zones[k], zoneQPS(s, counted.get(k)!.length, opts), now);
      zones[k].state = s;
    }
  }
  for (const k of uncounted) {
    if (allAre) swapLimiter(zones[k], 0, now);
    else if (zones[k].state !== "Normal") {
      swapLimiter(zones[k], opts.evictionLimiterQPS, now);
      zones[k].state = "Normal";
    }
  }
  return { zones, allDisrupted: allAre, exited };
}
