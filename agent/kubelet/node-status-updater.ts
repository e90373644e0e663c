// The node status loop (upstream's syncNodeStatus): every --node-status-update-frequency read
// the Node and post the status the kubelet owns when it is not Ready, its heartbeat is older
// than a minute, or something the kubelet owns changed. A Node deleted from the API is
// registered again.
import type { ApiClient } from "../client/api-client.js";
import { Backoff } from "../client/backoff.js";
import { ApiError, describe } from "../client/errors.js";
import type { Logger } from "../log.js";
import { ownedNodeStatus, statusUpdateReason, type NodeCondition, type NodeConfig } from "./node-status.js";
import { Periodic } from "./periodic.js";

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
  private force = false;
  private readonly loop: Periodic;

  constructor(private readonly o: NodeStatusUpdaterOptions) {
    this.loop = new Periodic({
      run: () => this.step(),
      intervalMs: o.frequencyMs,
      errorMessage: (err) => `✗ node ${o.config().name}: cannot update its status: ${describe(err)}`,
      log: o.log,
      backoff: new Backoff({ initialMs: 500, maxMs: 10_000 }),
    });
  }

  start(firstDelayMs = 0): void {
    this.loop.start(firstDelayMs);
  }

  /** Post the status at once, changed or not (the control plane is back after an outage). */
  updateNow(): void {
    this.force = true;
    this.loop.runNow();
  }

  stop(): void {
    this.loop.stop();
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

  /** One turn of the loop: a check, forced once after updateNow() until one succeeds. */
  private async step(): Promise<void> {
    const force = this.force;
    this.force = false;
    try {
      await this.check(force);
    } catch (err) {
      this.force ||= force;
      throw err;
    }
    this.o.onTick?.();
  }
}
