// Worker entry: fetch → the API server, scheduled → controller resync. Wiring only.
import { app } from "./api/app.js";
import { namespaceNames } from "./api/fan-in.js";
import { clusterControllers, clusterStore, namespaceStore } from "./api/stores.js";
export { NamespaceStore } from "../durable-objects/namespace-store.js";
export { AuditLog } from "../durable-objects/audit-log.js";
export { ClusterControllers } from "../durable-objects/cluster-controllers.js";
export { NodeTunnel } from "../durable-objects/node-tunnel.js";
import type { Env } from "./env.js";

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx),
  /** The cron resync: the cluster store and every namespace store re-run all their controllers' keys; the scheduler and node lifecycle controller re-list and retry. */
  async scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
    const cluster = clusterStore(env).resync().catch((e) => console.warn("resync failed", "cluster", e));
    const scheduling = clusterControllers(env)?.resync().catch((e) => console.warn("resync failed", "cluster controllers", e));
    const names = await namespaceNames(env);
    const results = await Promise.allSettled(names.map((ns) => namespaceStore(env, ns).resync(ns)));
    for (const [i, r] of results.entries()) if (r.status === "rejected") console.warn("resync failed", names[i], r.reason);
    await cluster;
    await scheduling;
  },
} satisfies ExportedHandler<Env>;
