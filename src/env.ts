// The Worker's bindings and variables, as declared in wrangler.toml.
import type { NamespaceStore } from "../durable-objects/namespace-store.js";
import type { AuditLog } from "../durable-objects/audit-log.js";
import type { ClusterControllers } from "../durable-objects/cluster-controllers.js";
import type { NodeTunnel } from "../durable-objects/node-tunnel.js";

export interface Env {
  NAMESPACE_STORE: DurableObjectNamespace<NamespaceStore>;
  /** The audit log (one instance, "audit"); without it requests are not audited (unit tests). */
  AUDIT_LOG?: DurableObjectNamespace<AuditLog>;
  /** The scheduler and node lifecycle controller (one instance, "cluster"). */
  CLUSTER_CONTROLLERS?: DurableObjectNamespace<ClusterControllers>;
  /** One per node (idFromName(nodeName)): the agent's tunnel, over which pods/log reaches it; without it no node is reachable. */
  NODE_TUNNEL?: DurableObjectNamespace<NodeTunnel>;
  ADMIN_TOKEN?: string;
  /** Secret: "key2:<base64 of 32 bytes>,key1:<base64>"; Secrets are encrypted under the first, read with any (docs/security.md). */
  ENCRYPTION_KEYS?: string;
  /** TEST FAKE (workers tests only): upstream token-file lines `token,user,uid,"g1,g2"` (src/auth/authenticators/test-tokens.ts). */
  TEST_TOKENS?: string;
  /** "true": /healthz, /livez, /readyz and /version answer requests without credentials. */
  ANONYMOUS_HEALTH_CHECKS?: string;
  WATCH_LOG_MIN_AGE_SECONDS?: string;
  WATCH_LOG_MAX_ROWS?: string;
  BOOKMARK_INTERVAL_SECONDS?: string;
  /** Objects per page when a store streams a list without a limit. */
  LIST_PAGE_SIZE?: string;
  // ---- tokens (docs/security.md, "Authentication") ----
  /** iss of service-account and node tokens (default https://kubernetes.default.svc.cluster.local). */
  SERVICE_ACCOUNT_ISSUER?: string;
  /** Comma-separated audiences the API accepts (default: the issuer). */
  API_AUDIENCES?: string;
  /** jwks_uri in /.well-known/openid-configuration (default: this server's /openid/v1/jwks). */
  SERVICE_ACCOUNT_JWKS_URI?: string;
  /** Secret: an RSA private key (JWK or PEM) that replaces the one kept in the cluster store. */
  SERVICE_ACCOUNT_SIGNING_KEY?: string;
  /** Longest TokenRequest lifetime in seconds (default: no bound but 2^32). */
  SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION_SECONDS?: string;
  /** PEM of the CA clients should trust, published as ConfigMap kube-root-ca.crt in every namespace. */
  KUBE_ROOT_CA_CERT?: string;
  // ---- audit and abuse limits (docs/security.md, "Audit" and "Abuse limits") ----
  /** None | Metadata (default) | Request | RequestResponse; Secrets, ConfigMaps and tokens stay at Metadata. */
  AUDIT_LEVEL?: string;
  /** Seconds audit events are kept (default 604800, 7 days; 0: no age limit). */
  AUDIT_RETENTION_SECONDS?: string;
  /** Audit events kept at most, newest first (default 100000; 0: no count limit). */
  AUDIT_MAX_EVENTS?: string;
  /** Read-only requests in flight per isolate (default 400; 0: no limit). */
  MAX_REQUESTS_INFLIGHT?: string;
  /** Mutating requests in flight per isolate (default 200; 0: no limit). */
  MAX_MUTATING_REQUESTS_INFLIGHT?: string;
  /** Requests per second per user per isolate (default 50; 0: no limit). system:masters and system:nodes are exempt. */
  USER_RATE_LIMIT_QPS?: string;
  /** Requests a user may burst before USER_RATE_LIMIT_QPS applies (default 200). */
  USER_RATE_LIMIT_BURST?: string;
  /** Open watches per user (default 100; 0: no limit). system:masters and system:nodes are exempt. */
  MAX_WATCHES_PER_USER?: string;
  // ---- scheduling and node lifecycle (docs/architecture.md) ----
  /** Seconds without a Lease renewal before a node is Unknown (default 50). */
  NODE_MONITOR_GRACE_PERIOD_SECONDS?: string;
  /** Seconds a node that never posted status gets before it is Unknown (default 60). */
  NODE_STARTUP_GRACE_PERIOD_SECONDS?: string;
  /** The range pod CIDRs are given from, one block per Node (default 10.244.0.0/14). */
  CLUSTER_CIDR?: string;
  /** Prefix length of each Node's block (default 24). */
  NODE_CIDR_MASK_SIZE?: string;
  /** Services' cluster IPs come from this range (default 10.96.0.0/12; the first is the `kubernetes` Service's, the tenth the cluster DNS's). */
  SERVICE_CLUSTER_IP_RANGE?: string;
  /** Services' node ports come from this range (default 30000-32767). */
  SERVICE_NODE_PORT_RANGE?: string;
  /** Nodes per second that get NoExecute taints in a healthy zone (default 0.1). */
  NODE_EVICTION_RATE?: string;
}
