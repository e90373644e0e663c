// A store's feed of the changes the cluster-wide controllers (scheduler, node lifecycle) follow:
// pods from every namespace store, Nodes from the cluster store, Leases from kube-node-lease.
// Stored writes are collected (the last change of an object wins), sent in one RPC per batch
// right after the write, and re-sent with backoff when the call fails; the minute resync, which
// re-lists everything, repairs whatever a lost batch would have carried.
import type { KubeObject } from "../../apis/types.js";
import type { EventType, StoredEvent } from "../../storage/interface.js";

export interface Change {
  type: EventType;
  /** Storage resource: "pods", "nodes" or "leases". */
  resource: string;
  namespace: string;
  name: string;
  /** The store revision of this change: later changes of one object have larger revisions. */
  revision: number;
  object: KubeObject;
}

/** Which stored writes the cluster-wide controllers follow. */
export function followed(e: StoredEvent, namespace: string): boolean {
  if (e.resource === "pods") return namespace !== "";
  if (e.resource === "nodes") return namespace === "";
  if (e.resource === "leases") return namespace === "kube-node-lease";
  return false;
}

const MAX_BACKOFF_MS = 30_000;

export class ChangeFeed {
  private pending = new Map<string, Change>();
  private sending = false;
  private backoffMs = 0;

  constructor(private readonly send: (changes: Change[]) => Promise<void>) {}

  add(e: StoredEvent, namespace: string): void {
    if (!followed(e, namespace)) return;
    const { managedFields: _m, ...metadata } = e.object.metadata;
    this.pending.set(`${e.resource}/${e.name}`, { type: e.type, resource: e.resource, namespace, name: e.name, revision: e.revision, object: { ...e.object, metadata } });
    if (!this.sending) {
      this.sending = true;
      setTimeout(() => void this.flush(), this.backoffMs);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.send(batch);
      this.backoffMs = 0;
    } catch (e) {
      console.warn("change feed: send failed, retrying", e instanceof Error ? e.message : e);
      for (const c of batch) {
        const key = `${c.resource}/${c.name}`;
        const later = this.pending.get(key);
        if (!later || later.revision < c.revision) this.pending.set(key, c);
      }
      this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, this.backoffMs * 2));
    }
    if (this.pending.size === 0) {
      this.sending = false;
      return;
    }
    setTimeout(() => void this.flush(), this.backoffMs);
  }
}
