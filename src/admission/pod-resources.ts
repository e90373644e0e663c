// A pod's effective requests and limits, as upstream's resourcehelper.PodRequests / PodLimits
// (component-helpers/resource): app containers summed, restartable init containers (sidecars)
// added, each plain init container counted at its peak, pod overhead added, and pod-level
// resources overriding cpu and memory. Shared by quota (usage) and LimitRanger (type Pod).
import type { PodSpec } from "../apis/core/v1/podspec.js";
import { add, cmp } from "./quantity.js";
import { type ResourceList, fromWire } from "./resource-list.js";

type Which = "requests" | "limits";

function addInto(list: ResourceList, more: ResourceList): void {
  for (const [k, v] of Object.entries(more)) list[k] = k in list ? add(list[k], v) : v;
}

function maxInto(list: ResourceList, more: ResourceList): void {
  for (const [k, v] of Object.entries(more)) if (!(k in list) || cmp(v, list[k]) > 0) list[k] = v;
}

function aggregate(spec: PodSpec, which: Which): ResourceList {
  const out: ResourceList = {};
  for (const c of spec.containers ?? []) addInto(out, fromWire(c.resources?.[which]));
  const sidecars: ResourceList = {};
  const initPeak: ResourceList = {};
  for (const c of spec.initContainers ?? []) {
    let own = fromWire(c.resources?.[which]);
    if (c.restartPolicy === "Always") {
      addInto(out, own);
      addInto(sidecars, own);
      own = { ...sidecars };
    } else {
      const tmp: ResourceList = {};
      addInto(tmp, own);
      addInto(tmp, sidecars);
      own = tmp;
    }
    maxInto(initPeak, own);
  }
  maxInto(out, initPeak);
  return out;
}

const POD_LEVEL = new Set(["cpu", "memory"]);

/** Upstream's PodRequests. */
export function podRequests(spec: PodSpec): ResourceList {
  const reqs = aggregate(spec, "requests");
  for (const [k, v] of Object.entries(fromWire(spec.resources?.requests))) if (POD_LEVEL.has(k)) reqs[k] = v;
  addInto(reqs, fromWire(spec.overhead));
  return reqs;
}

/** Upstream's PodLimits: overhead is added only to resources that have a limit. */
export function podLimits(spec: PodSpec): ResourceList {
  const limits = aggregate(spec, "limits");
  for (const [k, v] of Object.entries(fromWire(spec.resources?.limits))) if (POD_LEVEL.has(k)) limits[k] = v;
  for (const [k, v] of Object.entries(fromWire(spec.overhead))) if (k in limits) limits[k] = add(limits[k], v);
  return limits;
}
