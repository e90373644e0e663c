// Worker entry: fetch → the API server, scheduled → controller resync. Wiring only.
import { app } from "./api/app.js";
export { NamespaceStore } from "../durable-objects/namespace-store.js";
import type { Env } from "./env.js";

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx),
  async scheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {
    // Controllers arrive with their own issue; the tick is wired so `edgeplane up` can drive it.
  },
} satisfies ExportedHandler<Env>;
