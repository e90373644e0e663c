// Upstream's LimitRanger admission plugin (plugin/pkg/admission/limitranger), pure: the
// mutating half fills each container's missing requests and limits from a LimitRange's
// defaultRequest and default (and records what it set in the kubernetes.io/limit-ranger
// annotation); the validating half checks min, max and maxLimitRequestRatio per Container and
// per Pod, with upstream's messages.
import type { LimitRange } from "../apis/core/v1/limitrange.js";
import type { PodSpec } from "../apis/core/v1/podspec.js";
import type { KubeObject } from "../apis/types.js";
import { MAX_MILLI } from "../apis/core/v1/limitrange.js";
import { type Quantity, format, milliValue, toQuantity, value } from "./quantity.js";
import { type ResourceList, fromWire } from "./resource-list.js";
import { podLimits, podRequests } from "./pod-resources.js";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

interface PodLike extends KubeObject {
  spec: PodSpec;
}

type Wire = Record<string, string | number>;

/** defaultContainerResourceRequirements: the Container items' defaultRequest and default. */
function containerDefaults(lr: LimitRange): { requests: Wire; limits: Wire } {
  const requests: Wire = {};
  const limits: Wire = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    Object.assign(requests, item.defaultRequest);
    Object.assign(limits, item.default);
  }
  return { requests, limits };
}

/** mergeContainerResources: what it set, as the annotation's phrases. */
function mergeContainer(c: NonNullable<PodSpec["containers"]>[number], defaults: { requests: Wire; limits: Wire }, prefix: string): string[] {
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (c.resources?.limits?.[k] !== undefined) continue;
    c.resources ??= {};
    c.resources.limits = { ...c.resources.limits, [k]: v };
    setLimits.push(k);
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (c.resources?.requests?.[k] !== undefined) continue;
    c.resources ??= {};
    c.resources.requests = { ...c.resources.requests, [k]: v };
    setRequests.push(k);
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(", ")} request for ${prefix} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(", ")} limit for ${prefix} ${c.name}`);
  return out;
}

/** PodMutateLimitFunc for each LimitRange, in order. Returns whether the pod changed. Mutates. */
export function applyLimitRangeDefaults(limitRanges: LimitRange[], pod: PodLike): boolean {
  let changed = false;
  for (const lr of limitRanges) {
    const defaults = containerDefaults(lr);
    if (!Object.keys(defaults.requests).length && !Object.keys(defaults.limits).length) continue;
    const notes: string[] = [];
    for (const c of pod.spec.containers ?? []) notes.push(...mergeContainer(c, defaults, "container"));
    for (const c of pod.spec.initContainers ?? []) notes.push(...mergeContainer(c, defaults, "init container"));
    if (notes.length) {
      pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
      changed = true;
    }
  }
  return changed;
}

/** requestLimitEnforcedValues: whole values, or milli values when none would overflow. */
function enforcedValues(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const zero = toQuantity(0);
  const r = req ?? zero;
  const l = lim ?? zero;
  if (value(r) <= MAX_MILLI && value(l) <= MAX_MILLI && value(enforced) <= MAX_MILLI) return [milliValue(r), milliValue(l), milliValue(enforced)];
  return [value(r), value(l), value(enforced)];
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${format(enforced)}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${format(enforced)}, but request is ${format(req)}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${format(enforced)}, but limit is ${format(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${format(enforced)}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${format(enforced)}, but limit is ${format(lim)}`;
  if (req && r > e) return `maximum ${name} usage per ${type} is ${format(enforced)}, but request is ${format(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const [r, l] = enforcedValues(req, lim, enforced);
  if (!req || r === 0n) return `${name} max limit to request ratio per ${type} is ${format(enforced)}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${name} max limit to request ratio per ${type} is ${format(enforced)}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  let ratio = observed;
  let max = Number(value(enforced));
  if (value(enforced) <= MAX_MILLI) {
    ratio = observed * 1000;
    max = Number(milliValue(enforced));
  }
  if (ratio > max) return `${name} max limit to request ratio per ${type} is ${format(enforced)}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

function checkAll(item: NonNullable<LimitRange["spec"]>["limits"][number], requests: ResourceList, limits: ResourceList, errs: string[]): void {
  const push = (m: string | undefined) => m && errs.push(m);
  for (const [k, v] of Object.entries(item.min ?? {})) push(minConstraint(item.type, k, toQuantity(v), requests, limits));
  for (const [k, v] of Object.entries(item.max ?? {})) push(maxConstraint(item.type, k, toQuantity(v), requests, limits));
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) push(ratioConstraint(item.type, k, toQuantity(v), requests, limits));
}

/** utilerrors.NewAggregate(...).Error(): one message, or `[a, b]` without repeats. */
function aggregate(errs: string[]): string | undefined {
  const unique = [...new Set(errs)];
  if (!unique.length) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

/** PodValidateLimitFunc, per LimitRange: the first LimitRange the pod violates, as upstream's message. */
export function validatePodLimits(limitRanges: LimitRange[], pod: PodLike): string | undefined {
  for (const lr of limitRanges) {
    const errs: string[] = [];
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === "Container") {
        for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
          checkAll(item, fromWire(c.resources?.requests), fromWire(c.resources?.limits), errs);
        }
      } else if (item.type === "Pod") {
        checkAll(item, podRequests(pod.spec), podLimits(pod.spec), errs);
      }
    }
    const msg = aggregate(errs);
    if (msg) return msg;
  }
  return undefined;
}
