// corev1.ResourceList arithmetic as upstream's quota helpers (k8s.io/apiserver/pkg/quota/v1):
// Add, Subtract, Mask, LessThanOrEqual, and the `name=value,…` printing of quota errors.
import { type Quantity, ZERO, add, cmp, format, sub, toQuantity } from "./quantity.js";

export type ResourceList = Record<string, Quantity>;

/** A stored ResourceList (strings or numbers) as quantities. */
export function fromWire(list: unknown): ResourceList {
  const out: ResourceList = {};
  if (list && typeof list === "object") for (const [k, v] of Object.entries(list)) out[k] = toQuantity(v);
  return out;
}

/** A ResourceList as stored: canonical strings. */
export function toWire(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = format(list[k]);
  return out;
}

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? add(out[k], v) : v;
  return out;
}

/** Upstream's SubtractWithNonNegativeResult. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = k in b ? sub(v, b[k]) : v;
    out[k] = d.nanos < 0n ? { ...ZERO, format: v.format } : d;
  }
  return out;
}

export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list)) if (keep.has(k)) out[k] = v;
  return out;
}

export function isZero(list: ResourceList): boolean {
  return Object.values(list).every((q) => q.nanos === 0n);
}

export function removeZeros(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, q]) => q.nanos !== 0n));
}

export function negativeNames(list: ResourceList): string[] {
  return Object.keys(list).filter((k) => list[k].nanos < 0n);
}

/** Upstream's LessThanOrEqual: every resource of `a` that `b` limits is within it; the names that are not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { ok: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    const limit = b[k];
    if (limit && cmp(v, limit) > 0) exceeded.push(k);
  }
  return { ok: exceeded.length === 0, exceeded };
}

/** Upstream's quota.Equals: same names, equal values. */
export function equalLists(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && cmp(a[k], b[k]) === 0);
}

/** The `limits.cpu=2,pods=1` of upstream's quota errors: sorted names. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${format(list[k])}`)
    .join(",");
}
