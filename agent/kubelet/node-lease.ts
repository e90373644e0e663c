// The node's heartbeat (upstream's nodelease controller): Lease kube-node-lease/<node>, held by
// the node, 40 s long, renewed every 10 s with an optimistic-concurrency PUT; re-read on 409,
// created when missing, owned by the Node so that it goes when the Node does.
import type { ApiClient } from "../client/api-client.js";
import { Backoff, jittered } from "../client/backoff.js";
import { ApiError, describe, isTransient } from "../client/errors.js";
import type { Logger } from "../log.js";

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
  private timer?: NodeJS.Timeout;
  private lease?: Lease;
  private stopped = false;
  private running = false;
  private lastError = "";
  private readonly backoff = new Backoff({ initialMs: 200, maxMs: 7_000 });
  private readonly path: string;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly nodeUid: () => string,
    private readonly log: Logger,
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
  }

  /** Renew now, then every 10 s (the first one after `firstDelayMs`, to spread many nodes out). */
  start(firstDelayMs = 0): void {
    this.schedule(firstDelayMs);
  }

  /** Renew at once (the control plane is back). */
  renewNow(): void {
    if (!this.running) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
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

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.running = true;
    let next: number;
    try {
      await this.renew();
      this.backoff.reset();
      this.lastError = "";
      next = jittered(LEASE_RENEW_INTERVAL_MS);
    } catch (err) {
      if (!isTransient(err)) {
        const message = `✗ node ${this.nodeName}: cannot renew its lease: ${describe(err)}`;
        if (message !== this.lastError) this.log.error(message);
        this.lastError = message;
      }
      next = Math.min(this.backoff.next(), LEASE_RENEW_INTERVAL_MS);
    } finally {
      this.running = false;
    }
    this.schedule(next);
  }
}
