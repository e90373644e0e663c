// The garbage collector's view of ownership in one store (upstream's GraphBuilder.uidToNode,
// reduced to what a store needs): owner uid → keys of the objects whose ownerReferences name it.
// It lives in memory, so it is built by one scan of the store the first time it is needed (and
// again on every full resync), then kept current from the store's writes. An owner may live in
// another store (a cluster-scoped owner of namespaced objects): its uid is indexed all the same.
import type { KubeObject } from "../../apis/types.js";

export class DependencyIndex {
  /** owner uid → dependent keys; undefined until the first scan. */
  private byOwner: Map<string, Set<string>> | undefined;
  /** dependent key → the owner uids it was indexed under. */
  private readonly ownersOf = new Map<string, string[]>();

  get built(): boolean {
    return this.byOwner !== undefined;
  }

  /** Replaces the index with the objects of a full scan. */
  rebuild(items: Iterable<{ key: string; object: KubeObject }>): void {
    this.byOwner = new Map();
    this.ownersOf.clear();
    for (const { key, object } of items) this.observe(key, object);
  }

  /** A write of the object at `key` (undefined: deleted). Ignored until the index is built: the scan will see it. */
  observe(key: string, object: KubeObject | undefined): void {
    const byOwner = this.byOwner;
    if (!byOwner) return;
    for (const uid of this.ownersOf.get(key) ?? []) {
      const deps = byOwner.get(uid);
      deps?.delete(key);
      if (deps?.size === 0) byOwner.delete(uid);
    }
    const uids = [...new Set((object?.metadata.ownerReferences ?? []).map((r) => r.uid).filter(Boolean))];
    if (uids.length === 0) {
      this.ownersOf.delete(key);
      return;
    }
    this.ownersOf.set(key, uids);
    for (const uid of uids) {
      let deps = byOwner.get(uid);
      if (!deps) byOwner.set(uid, (deps = new Set()));
      deps.add(key);
    }
  }

  /** The keys of the objects that name `ownerUid` as an owner (the index must be built). */
  dependents(ownerUid: string | undefined): string[] {
    if (!this.byOwner) throw new Error("dependency index used before it was built");
    return ownerUid ? [...(this.byOwner.get(ownerUid) ?? [])] : [];
  }
}
