// The cluster-wide controllers' view of Pods (every namespace), Nodes and node Leases: fed by the
// stores' change feeds, re-listed when the instance starts and every few minutes by the cron
// resync (upstream's informers: list, then follow changes). Each object's last revision is kept,
// deletions included, so a late or repeated change never overwrites a newer one.
import type { KubeObject } from "../../apis/types.js";
import { namespaceNames } from "../../api/fan-in.js";
import { clusterStore, namespaceStore, unwrap } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { Target } from "../../registry/requests.js";
import type { Change } from "./change-feed.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
const PODS: Target = { group: "", version: "v1", resource: "pods", namespace: "" };
const NODES: Target = { group: "", version: "v1", resource: "nodes", namespace: "" };
const LEASES: Target = { group: "coordination.k8s.io", version: "v1", resource: "leases", namespace: NODE_LEASE_NAMESPACE };

export interface InformerHandlers {
  pod(type: Change["type"], pod: KubeObject): void;
  node(type: Change["type"], node: KubeObject): void;
  lease(type: Change["type"], lease: KubeObject): void;
}

export class ClusterInformer {
  /** Last revision seen per `resource/namespace/name` (kept after deletion as a tombstone). */
  private readonly revisions = new Map<string, number>();
  /** Known live objects per resource and namespace, to find what a re-list no longer has. */
  private readonly live = new Map<string, Set<string>>();
  synced = false;
  lastListAt = 0;

  /** Per `resource/namespace`: the revision of the last list; an unknown object's older change is stale. */
  private readonly floors = new Map<string, number>();

  constructor(private readonly handlers: InformerHandlers) {}

  /** Applies one change unless a newer one of the object was seen; true when applied. */
  apply(c: Change): boolean {
    const key = `${c.resource}/${c.namespace}/${c.name}`;
    const seen = this.revisions.get(key) ?? this.floors.get(`${c.resource}/${c.namespace}`);
    if (seen !== undefined && seen >= c.revision) return false;
    this.revisions.set(key, c.revision);
    const set = this.liveSet(c.resource, c.namespace);
    if (c.type === "DELETED") set.delete(c.name);
    else set.add(c.name);
    this.dispatch(c.resource, c.type, c.object);
    return true;
  }

  /** Lists Nodes, node Leases and every namespace's Pods, applying what is newer and deleting what is gone. */
  async relist(env: Env, now: number): Promise<void> {
    const nodes = unwrap(await clusterStore(env).list(NODES, {})).body as ListBody;
    this.applyList("nodes", "", nodes);
    const names = await namespaceNames(env);
    const lists = await Promise.all(
      names.map(async (ns) => ({ ns, pods: unwrap(await namespaceStore(env, ns).list({ ...PODS, namespace: ns }, {})).body as ListBody })),
    );
    if (names.includes(NODE_LEASE_NAMESPACE)) this.applyList("leases", NODE_LEASE_NAMESPACE, unwrap(await namespaceStore(env, NODE_LEASE_NAMESPACE).list(LEASES, {})).body as ListBody);
    for (const { ns, pods } of lists) this.applyList("pods", ns, pods);
    // Namespaces that are gone took their pods with them.
    for (const key of [...this.live.keys()]) {
      const [resource, ns] = key.split("/");
      if (resource !== "pods" || names.includes(ns)) continue;
      for (const name of this.live.get(key) ?? []) {
        this.revisions.delete(`pods/${ns}/${name}`);
        this.dispatch("pods", "DELETED", { metadata: { name, namespace: ns } } as KubeObject);
      }
      this.live.delete(key);
      this.floors.delete(key);
    }
    this.synced = true;
    this.lastListAt = now;
  }

  private applyList(resource: string, namespace: string, list: ListBody): void {
    const listRevision = Number(list.metadata.resourceVersion);
    const listed = new Set<string>();
    for (const obj of list.items) {
      const name = obj.metadata.name as string;
      listed.add(name);
      this.apply({ type: "MODIFIED", resource, namespace, name, revision: Number(obj.metadata.resourceVersion), object: obj });
    }
    for (const name of [...this.liveSet(resource, namespace)]) {
      if (listed.has(name)) continue;
      const key = `${resource}/${namespace}/${name}`;
      if ((this.revisions.get(key) ?? 0) > listRevision) continue; // created after the list was taken
      this.liveSet(resource, namespace).delete(name);
      this.revisions.set(key, listRevision);
      this.dispatch(resource, "DELETED", { metadata: { name, namespace: namespace || undefined } } as KubeObject);
    }
    this.floors.set(`${resource}/${namespace}`, Math.max(listRevision, this.floors.get(`${resource}/${namespace}`) ?? 0));
    // Tombstones older than the list can go: the floor covers them.
    const prefix = `${resource}/${namespace}/`;
    for (const [key, rev] of this.revisions) if (key.startsWith(prefix) && rev <= listRevision && !listed.has(key.slice(prefix.length))) this.revisions.delete(key);
  }

  private liveSet(resource: string, namespace: string): Set<string> {
    const k = `${resource}/${namespace}`;
    let s = this.live.get(k);
    if (!s) this.live.set(k, (s = new Set()));
    return s;
  }

  private dispatch(resource: string, type: Change["type"], obj: KubeObject): void {
    if (resource === "pods") this.handlers.pod(type, obj);
    else if (resource === "nodes") this.handlers.node(type, obj);
    else if (resource === "leases") this.handlers.lease(type, obj);
  }
}

interface ListBody {
  metadata: { resourceVersion?: string };
  items: KubeObject[];
}
