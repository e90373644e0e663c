// Turns a REST path into a Target, as kube-apiserver's request info resolver does:
// /api/v1/namespaces/{ns}/{resource}/{name}/{subresource} and the /apis/{group}/{version} forms.
import type { KindDef } from "../apis/types.js";
import { badRequest, resourceNotFound } from "../lib/status.js";
import { assertKeySafeName } from "../registry/names.js";
import type { Target } from "../registry/requests.js";

export interface Resolved {
  target: Target;
  def: KindDef;
  /** Whether the path names a collection (no object name). */
  collection: boolean;
}

export type KindLookup = (group: string, version: string, plural: string) => KindDef | undefined;

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`invalid resource name "${s}": [may not contain '%']`);
  }
}

/** `rest` is the path after the group-version prefix, split on '/', without empty segments. */
export function resolveResourcePath(group: string, version: string, rawSegments: string[], lookup: KindLookup): Resolved {
  const seg = rawSegments.map(decodeSegment);
  if (seg.length === 0) throw resourceNotFound();
  let namespace = "";
  let rest = seg;
  if (seg[0] === "namespaces" && seg.length >= 3) {
    const inner = lookup(group, version, seg[2]);
    if (inner && inner.namespaced) {
      namespace = seg[1];
      assertKeySafeName(namespace);
      rest = seg.slice(2);
    }
  }
  const [resource, name, subresource, ...extra] = rest;
  const def = lookup(group, version, resource);
  if (!def || extra.length > 0) throw resourceNotFound();
  if (def.namespaced && !namespace && name !== undefined) throw resourceNotFound();
  if (name !== undefined) assertKeySafeName(name);
  if (subresource !== undefined) {
    const known = [...(def.hasStatus ? ["status"] : []), ...(def.scale ? ["scale"] : []), ...(def.extraSubresources ?? [])];
    if (!known.includes(subresource)) throw resourceNotFound();
  }
  const target: Target = { group, version, resource, namespace };
  if (name !== undefined) target.name = name;
  if (subresource !== undefined) target.subresource = subresource;
  return { target, def, collection: name === undefined };
}
