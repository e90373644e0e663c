// The Worker's bindings and variables, as declared in wrangler.toml.
import type { NamespaceStore } from "../durable-objects/namespace-store.js";

export interface Env {
  NAMESPACE_STORE: DurableObjectNamespace<NamespaceStore>;
  ADMIN_TOKEN?: string;
  /** "true": /healthz, /livez, /readyz and /version answer requests without credentials. */
  ANONYMOUS_HEALTH_CHECKS?: string;
  WATCH_LOG_MIN_AGE_SECONDS?: string;
  WATCH_LOG_MAX_ROWS?: string;
  BOOKMARK_INTERVAL_SECONDS?: string;
  /** Objects per page when a store streams a list without a limit. */
  LIST_PAGE_SIZE?: string;
}
