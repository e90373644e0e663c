// One node's aggregated scheduling state, as upstream's framework.NodeInfo: the node's facts
// (undefined while pods bound to it are known but the node is not), its pods, the sum of their
// requests (actual and non-zero), the host ports they hold, and a few counters the plugins use
// to skip work (pods with required anti-affinity, pods per controller).
import type { NodeFacts, PodFacts } from "./facts.js";
import { HostPortInfo } from "./host-ports.js";

export class NodeInfo {
  node: NodeFacts | undefined;
  readonly pods = new Map<string, PodFacts>();
  readonly requested = { milliCPU: 0, memory: 0, ephemeralStorage: 0 };
  /** Extended resources requested; absent until a pod requests one. */
  scalarRequested: Record<string, number> | undefined;
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly usedPorts = new HostPortInfo();
  /** Pods on the node carrying required pod anti-affinity terms (upstream's PodsWithRequiredAntiAffinity). */
  podsWithRequiredAntiAffinity = 0;
  private readonly owners = new Map<string, number>();

  constructor(readonly name: string) {}

  /** Non-terminating pods on the node whose controller has this uid. */
  ownerCount(uid: string): number {
    return this.owners.get(uid) ?? 0;
  }

  addPod(p: PodFacts): void {
    const old = this.pods.get(p.key);
    if (old) this.update(old, -1);
    this.pods.set(p.key, p);
    this.update(p, 1);
  }

  removePod(key: string): PodFacts | undefined {
    const old = this.pods.get(key);
    if (!old) return undefined;
    this.pods.delete(key);
    this.update(old, -1);
    return old;
  }

  private update(p: PodFacts, sign: 1 | -1): void {
    this.requested.milliCPU += sign * p.requests.milliCPU;
    this.requested.memory += sign * p.requests.memory;
    this.requested.ephemeralStorage += sign * p.requests.ephemeralStorage;
    if (p.requests.scalar) {
      const s = (this.scalarRequested ??= {});
      for (const [k, v] of Object.entries(p.requests.scalar)) s[k] = (s[k] ?? 0) + sign * v;
    }
    this.nonZeroRequested.milliCPU += sign * p.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZeroRequests.memory;
    for (const port of p.hostPorts ?? []) {
      if (sign > 0) this.usedPorts.add(port);
      else this.usedPorts.remove(port);
    }
    if (p.requiredAntiAffinityTerms) this.podsWithRequiredAntiAffinity += sign;
    if (p.ownerUid && !p.terminating) {
      const n = (this.owners.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.owners.set(p.ownerUid, n);
      else this.owners.delete(p.ownerUid);
    }
  }
}
