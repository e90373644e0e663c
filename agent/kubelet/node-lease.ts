// The node's heartbeat (upstream's nodelease controller): Lease kube-node-lease/<node>, held by
// the node, 40 s long, renewed every 10 s with an optimistic-concurrency PUT; re-read on 409,
// created when missing, owned by the Node so that it goes when the Node does.
import type { ApiClient } from "../client/api-client.js";
import { Backoff } from "../client/backoff.js";
import { ApiError, describe } from "../client/errors.js";
import type { Logger } from "../log.js";
import { Periodic } from "./periodic.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
export const LEASE_DURATION_SECONDS = 40;
export const LEASE_RENEW_INTERVAL_MS = 10_000;

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string }> };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
}

/** metav1.MicroTime: RFC 3339 with microseconds ("2026-01-02T15:04:05.000000Z"). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** The Lease as the node wants it at `now`: the existing one renewed, or a new one. */
export function renewedLease(nodeName: string, nodeUid: string, now: number, existing?: Lease): Lease {
  const owner = { apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid };
  const owners = (existing?.metadata.ownerReferences ?? []).filter((r) => !(r.kind === "Node" && r.apiVersion === "v1"));
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { ...existing?.metadata, name: nodeName, namespace: NODE_LEASE_NAMESPACE, ownerReferences: nodeUid ? [...owners, owner] : owners },
    spec: { ...existing?.spec, holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}

export class NodeLease {
  private lease?: Lease;
  private readonly path: string;
  private readonly loop: Periodic;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly nodeUid: () => string,
    private readonly log: Logger,
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
    this.loop = new Periodic({
      run: () => this.renew(),
      intervalMs: LEASE_RENEW_INTERVAL_MS,
      errorMessage: (err) => `✗ node ${this.nodeName}: cannot renew its lease: ${describe(err)}`,
      log: this.log,
      backoff: new Backoff({ initialMs: 200, maxMs: 7_000 }),
    });
  }

  /** Renew now, then every 10 s (the first one after `firstDelayMs`, to spread many nodes out). */
  start(firstDelayMs = 0): void {
    this.loop.start(firstDelayMs);
  }

  /** Renew at once (the control plane is back). */
  renewNow(): void {
    this.loop.runNow();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One renewal; throws when it failed. */
  async renew(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.lease) {
          const { lease, created } = await this.readOrCreate();
          this.lease = lease;
          if (created) return;
        }
        this.lease = await this.client.put<Lease>(`${this.path}/${this.nodeName}`, renewedLease(this.nodeName, this.nodeUid(), Date.now(), this.lease));
        return;
      } catch (err) {
        // Someone else wrote it (409), or it was deleted (404): read it again, then retry once.
        if (attempt < 2 && err instanceof ApiError && (err.status === 409 || err.status === 404)) {
          this.lease = undefined;
          continue;
        }
        throw err;
      }
    }
  }

  /** The Lease on the server, or a new one (a 409 on create is retried by renew as a re-read). */
  private async readOrCreate(): Promise<{ lease: Lease; created: boolean }> {
    try {
      return { lease: await this.client.get<Lease>(`${this.path}/${this.nodeName}`), created: false };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    return { lease: await this.client.post<Lease>(this.path, renewedLease(this.nodeName, this.nodeUid(), Date.now())), created: true };
  }
}
