// The scheduler's cache (upstream's internal/cache): nodes and the pods bound or assumed onto
// them, aggregated per node. A pod counts on its node while it is bound (spec.nodeName) and not
// Succeeded/Failed; an update of the same key replaces its previous accounting. The scheduler
// assumes a pod onto the node it chose before the binding lands, and forgets it if binding fails.
// Pods bound to a node the cache has not seen yet are kept and count once the node arrives.
import type { KubeObject } from "../apis/types.js";
import { type NodeFacts, type PodFacts, nodeFacts, podFacts } from "./facts.js";
import { NodeInfo } from "./node-info.js";
import { zoneInterleaved, zoneKey } from "./node-tree.js";

interface PodState {
  pod: PodFacts;
  /** Placed by assume() and not yet confirmed by a bound pod from the API. */
  assumed: boolean;
}

const isTerminal = (p: PodFacts) => p.phase === "Succeeded" || p.phase === "Failed";

export class SchedulerCache {
  /** Every node name the cache knows of, including ones only bound pods have named so far. */
  private readonly infos = new Map<string, NodeInfo>();
  /** Pods accounted on some node, by "namespace/name". */
  private readonly podStates = new Map<string, PodState>();
  private ordered: NodeInfo[] | undefined;
  private nodeCount = 0;
  /** Where the next scheduling cycle starts walking nodes (upstream's nextStartNodeIndex). */
  nextStartNodeIndex = 0;

  upsertNode(node: KubeObject): void {
    this.upsertNodeFacts(nodeFacts(node));
  }

  upsertNodeFacts(facts: NodeFacts): void {
    const info = this.infoFor(facts.name);
    const old = info.node;
    if (!old) this.nodeCount++;
    if (!old || zoneKey(old) !== zoneKey(facts)) this.ordered = undefined;
    info.node = facts;
  }

  /** The node is gone; its NodeInfo stays while pods still name it (as upstream's RemoveNode). */
  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info?.node) return;
    info.node = undefined;
    this.nodeCount--;
    this.ordered = undefined;
    if (info.pods.size === 0) this.infos.delete(name);
  }

  upsertPod(pod: KubeObject): void {
    this.upsertPodFacts(podFacts(pod));
  }

  upsertPodFacts(pod: PodFacts): void {
    const existing = this.podStates.get(pod.key);
    if (isTerminal(pod)) {
      this.removePod(pod.key);
      return;
    }
    if (!pod.nodeName) {
      // An unbound version of a pod the scheduler has assumed is the API lagging behind the
      // binding: keep the assumption. Any other unbound pod is not accounted anywhere.
      if (existing && !(existing.assumed && existing.pod.uid === pod.uid)) this.removePod(pod.key);
      return;
    }
    this.place(pod, false);
  }

  /** Deletes the pod's accounting (pod deleted, or otherwise no longer on a node). */
  removePod(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.podStates.delete(key);
    this.unplace(st.pod);
  }

  /** Accounts a pod the scheduler has just placed, before its binding is confirmed. */
  assume(pod: PodFacts, nodeName: string): void {
    this.place({ ...pod, nodeName }, true);
  }

  /** Drops an assumed pod (its binding failed). A pod already confirmed bound is left alone. */
  forget(key: string): void {
    if (this.podStates.get(key)?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  /** Nodes present in the cluster, in the zone-interleaved order scheduling walks them. */
  nodeInfos(): NodeInfo[] {
    this.ordered ??= zoneInterleaved(this.infos.values());
    return this.ordered;
  }

  /** A node that is present (undefined while only pods name it). */
  nodeInfo(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  /** Pods accounted on the node, whether or not the node itself is known yet. */
  podsOn(nodeName: string): PodFacts[] {
    return [...(this.infos.get(nodeName)?.pods.values() ?? [])];
  }

  /** An accounted (bound or assumed) pod. */
  pod(key: string): PodFacts | undefined {
    return this.podStates.get(key)?.pod;
  }

  stats(): { nodes: number; pods: number; assumed: number } {
    let assumed = 0;
    for (const st of this.podStates.values()) if (st.assumed) assumed++;
    return { nodes: this.nodeCount, pods: this.podStates.size, assumed };
  }

  private infoFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    return info;
  }

  private place(pod: PodFacts, assumed: boolean): void {
    const existing = this.podStates.get(pod.key);
    if (existing) this.unplace(existing.pod);
    this.infoFor(pod.nodeName!).addPod(pod);
    this.podStates.set(pod.key, { pod, assumed });
  }

  private unplace(pod: PodFacts): void {
    const info = this.infos.get(pod.nodeName!);
    if (!info) return;
    info.removePod(pod.key);
    if (!info.node && info.pods.size === 0) this.infos.delete(info.name);
  }
}
