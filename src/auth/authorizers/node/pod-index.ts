// Which pods of a store are bound to which node (upstream's node authorizer keeps the same graph
// edge, pod → node). Built from one scan the first time a node asks, then kept current from the
// store's writes, so a node's request reads only its own pods, not the whole namespace.
import type { KubeObject } from "../../../apis/types.js";
import type { StoredEvent } from "../../../storage/interface.js";

const nodeOf = (pod: KubeObject | undefined) => (pod?.spec as { nodeName?: string } | undefined)?.nodeName || undefined;

export class NodePodIndex {
  private byNode: Map<string, Set<string>> | undefined;

  /** Follows a stored write (cheap no-op until the index is first used). */
  onStored(e: StoredEvent): void {
    if (!this.byNode || e.resource !== "pods") return;
    const before = nodeOf(e.prev);
    const after = e.type === "DELETED" ? undefined : nodeOf(e.object);
    if (before === after) return;
    if (before) this.byNode.get(before)?.delete(e.name);
    if (after) {
      let s = this.byNode.get(after);
      if (!s) this.byNode.set(after, (s = new Set()));
      s.add(e.name);
    }
  }

  /** Names of the pods bound to `node`; `scan` lists every pod the first time. */
  podsOn(node: string, scan: () => KubeObject[]): string[] {
    if (!this.byNode) {
      this.byNode = new Map();
      for (const pod of scan()) {
        const n = nodeOf(pod);
        if (!n) continue;
        let s = this.byNode.get(n);
        if (!s) this.byNode.set(n, (s = new Set()));
        s.add(pod.metadata.name as string);
      }
    }
    return [...(this.byNode.get(node) ?? [])];
  }
}
