// The Worker's bindings and variables, as declared in wrangler.toml.
import type { NamespaceStore } from "../durable-objects/namespace-store.js";

export interface Env {
  NAMESPACE_STORE: DurableObjectNamespace<NamespaceStore>;
  ADMIN_TOKEN?: string;
  WATCH_LOG_MIN_AGE_SECONDS?: string;
  WATCH_LOG_MAX_ROWS?: string;
  BOOKMARK_INTERVAL_SECONDS?: string;
  /** Objects per page when a store streams a list without a limit. */
  LIST_PAGE_SIZE?: string;
}
