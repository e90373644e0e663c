// --proxy-mode iptables: the plan written as NAT rules (iptables.ts) instead of listeners. The
// kernel forwards, so no byte crosses the agent, but endpoints must be reachable by address from
// this host (one machine, or a pod network between machines): another node's relay cannot be
// used. Syncs are coalesced like the userspace proxy's; the rules are removed on stop.
import type { Logger } from "../log.js";
import type { ClusterIPAddresses } from "./addresses.js";
import { applyIptablesRules, cleanupIptablesRules } from "./iptables.js";
import { planServicePorts, type ProxySnapshot, type ServicePortPlan } from "./plan.js";

export interface IptablesProxyOptions {
  nodeName: string;
  /** Makes the addresses of skipped service ports local (the cluster DNS the agent answers itself). */
  addresses: ClusterIPAddresses;
  log: Logger;
  skip?: (port: ServicePortPlan) => boolean;
}

export class IptablesProxy {
  private pending?: Omit<ProxySnapshot, "nodeName">;
  private running?: Promise<void>;
  private lastError = "";
  private stopped = false;

  constructor(private readonly o: IptablesProxyOptions) {}

  /** Writes the rules for these Services and EndpointSlices; calls during a write are merged into the next. */
  sync(snapshot: Omit<ProxySnapshot, "nodeName">): Promise<void> {
    this.pending = snapshot;
    this.running ??= this.drain();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await cleanupIptablesRules().catch((err: Error) => this.o.log.error(`✗ service proxy: cannot remove its iptables rules: ${err.message}`));
    await this.o.addresses.stop();
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      const snapshot = this.pending;
      this.pending = undefined;
      const plan = planServicePorts({ ...snapshot, nodeName: this.o.nodeName });
      const skipped = plan.ports.filter((p) => this.o.skip?.(p));
      await this.o.addresses.sync(skipped.map((p) => p.clusterIP));
      try {
        await applyIptablesRules(plan.ports.filter((p) => !this.o.skip?.(p)));
        if (this.lastError) this.o.log.info("✓ service proxy: iptables rules written again");
        this.lastError = "";
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastError) this.o.log.error(`✗ service proxy: cannot write iptables rules (${message}); retried on the next change`);
        this.lastError = message;
      }
    }
    this.running = undefined;
  }
}
