// Work-queue keys as client-go spells them (MetaNamespaceKeyFunc / SplitMetaNamespaceKey):
// `namespace/name`, or just `name` for cluster-scoped objects.

/** `namespace/name`; a cluster-scoped object (empty namespace) is keyed by its name alone. */
export function joinKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of joinKey. Throws on a key with more than one `/`, as upstream does. */
export function splitKey(key: string): { namespace: string; name: string } {
  const parts = key.split("/");
  if (parts.length === 1) return { namespace: "", name: parts[0] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  throw new Error(`unexpected key format: "${key}"`);
}

/** The key of an object's metadata (namespace and name). */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return joinKey(obj.metadata.namespace, obj.metadata.name ?? "");
}

// One Durable Object runs several controllers off one queue and one alarm, and a ReplicaSet
// and a Deployment may share `namespace/name`, so a queued item also names its reconciler.
// Neither object names nor reconciler names may contain `:`.

/** `<reconciler>:<namespace>/<name>`: the queue item for one reconciler and one object. */
export function workKey(reconciler: string, key: string): string {
  if (reconciler.includes(":")) throw new Error(`reconciler name must not contain ":": "${reconciler}"`);
  return `${reconciler}:${key}`;
}

/** The inverse of workKey. */
export function splitWorkKey(item: string): { reconciler: string; key: string } {
  const i = item.indexOf(":");
  if (i < 0) throw new Error(`unexpected work key format: "${item}"`);
  return { reconciler: item.slice(0, i), key: item.slice(i + 1) };
}
