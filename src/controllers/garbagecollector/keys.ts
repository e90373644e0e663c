// The garbage collector's work keys and kind lookups. One reconciler handles every kind, so
// its key names the resource too: `<namespace>/<resource>[.<group>]~<name>`, e.g.
// `default/replicasets.apps~web` or `default/pods~web-x2kq9` (just `nodes~n1` in the cluster
// store). The resource part is upstream's GroupResource string; `~` occurs in no resource or
// group, so the first `~` ends it and any name stays intact. splitKey accepts these keys as
// they hold no second `/` (no object name contains one).
import { kinds } from "../../apis/index.js";
import { storageResourceOf, type KindDef } from "../../apis/types.js";
import { joinKey, splitKey } from "../runtime/keys.js";

/** `replicasets.apps`, or `pods` for the core group (upstream's GroupResource.String()). */
export const groupResourceString = (def: KindDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);

/** The work key of one object. */
export function itemKey(namespace: string, def: KindDef, name: string): string {
  return joinKey(namespace, `${groupResourceString(def)}~${name}`);
}

export interface ItemRef {
  namespace: string;
  def: KindDef;
  name: string;
}

/** The inverse of itemKey; undefined for a malformed key or a resource no longer served. */
export function parseItemKey(key: string): ItemRef | undefined {
  let parts: { namespace: string; name: string };
  try {
    parts = splitKey(key);
  } catch {
    return undefined;
  }
  const i = parts.name.indexOf("~");
  if (i <= 0) return undefined;
  const gr = parts.name.slice(0, i);
  const name = parts.name.slice(i + 1);
  const dot = gr.indexOf(".");
  const plural = dot < 0 ? gr : gr.slice(0, dot);
  const group = dot < 0 ? "" : gr.slice(dot + 1);
  const def = kinds.find((k) => k.group === group && k.plural === plural && !k.storageConversion);
  return def && name ? { namespace: parts.namespace, def, name } : undefined;
}

/**
 * The kinds a store holds, one per stored resource: a store of a namespace holds namespaced
 * kinds, the cluster store the others. events.k8s.io Events are stored as core Events, so the
 * GC sees them once, as core Events.
 */
export function storedKinds(namespaced: boolean): KindDef[] {
  return kinds.filter((k) => k.namespaced === namespaced && !k.storageConversion);
}

const byStorageResource = new Map<string, KindDef>();
for (const k of kinds) if (!k.storageConversion) byStorageResource.set(`${k.namespaced}/${storageResourceOf(k)}`, k);

/** The kind of a stored write (StoredEvent.resource is the storage key). */
export function kindOfStored(resource: string, namespaced: boolean): KindDef | undefined {
  return byStorageResource.get(`${namespaced}/${resource}`);
}

/**
 * The kind an ownerReference names, by apiVersion and kind, as upstream's RESTMapper: a
 * version that is not served does not resolve.
 */
export function kindOfOwner(apiVersion: string, kind: string): KindDef | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return kinds.find((k) => k.group === group && k.version === version && k.kind === kind);
}
