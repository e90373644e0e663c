// The node status loop (upstream's syncNodeStatus): every --node-status-update-frequency read
// the Node and post the status the kubelet owns when it is not Ready, its heartbeat is older
// than a minute, or something the kubelet owns changed. A Node deleted from the API is
// registered again.
import type { ApiClient } from "../client/api-client.js";
import { Backoff, jittered } from "../client/backoff.js";
import { ApiError, describe, isTransient } from "../client/errors.js";
import type { Logger } from "../log.js";
import { ownedNodeStatus, statusUpdateReason, type NodeCondition, type NodeConfig } from "./node-status.js";

export interface NodeStatusUpdaterOptions {
  client: ApiClient;
  config: () => NodeConfig;
  frequencyMs: number;
  log: Logger;
  /** The Node is gone from the API: register it again. */
  reregister(): Promise<void>;
  /** After each successful check (the kubelet piggybacks its periodic pod resync on it). */
  onTick?(): void;
}

export class NodeStatusUpdater {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running = false;
  private force = false;
  private lastError = "";
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });

  constructor(private readonly o: NodeStatusUpdaterOptions) {}

  start(firstDelayMs = 0): void {
    this.schedule(firstDelayMs);
  }

  /** Post the status at once, changed or not (the control plane is back after an outage). */
  updateNow(): void {
    this.force = true;
    if (!this.running) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One check; resolves to why the status was posted, or undefined when nothing was needed. */
  async check(force = false): Promise<string | undefined> {
    const cfg = this.o.config();
    const path = `/api/v1/nodes/${encodeURIComponent(cfg.name)}`;
    let node: { status?: { conditions?: NodeCondition[] } };
    try {
      node = await this.o.client.get(path);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      await this.o.reregister();
      return "the Node was missing";
    }
    const now = Date.now();
    const reason = statusUpdateReason(node, cfg, now) ?? (force ? "the control plane is back" : undefined);
    if (reason) await this.o.client.mergePatch(`${path}/status`, { status: ownedNodeStatus(cfg, now, node.status?.conditions ?? []) });
    return reason;
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
      const force = this.force;
      this.force = false;
      await this.check(force).catch((err) => {
        this.force ||= force;
        throw err;
      });
      this.backoff.reset();
      this.lastError = "";
      this.o.onTick?.();
      next = jittered(this.o.frequencyMs);
    } catch (err) {
      if (!isTransient(err)) {
        const message = `✗ node ${this.o.config().name}: cannot update its status: ${describe(err)}`;
        if (message !== this.lastError) this.o.log.error(message);
        this.lastError = message;
      }
      next = Math.min(this.backoff.next(), this.o.frequencyMs);
    } finally {
      this.running = false;
    }
    this.schedule(next);
  }
}
