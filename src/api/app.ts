// The API server: a Hono app. Routes stay thin: resolve the path, then the generic handlers
// and the stores do the work. Every error leaves as a metav1.Status.
import { Hono } from "hono";
import { findKind, kinds } from "../apis/index.js";
import type { Env } from "../env.js";
import { StatusError, badRequest, internalError, resourceNotFound } from "../lib/status.js";
import { AUDIT_ANNOTATIONS_HEADER } from "../audit/annotations.js";
import { authenticate, authorizePath, authorizeResource } from "./auth.js";
import { audit } from "../audit/middleware.js";
import { listAuditEvents } from "../audit/api.js";
import { limits } from "../limits/middleware.js";
import type { AppEnv } from "./context.js";
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregated,
} from "./discovery.js";
import { ensureBootstrap, handleResource } from "./handlers.js";
import { clusterControllers, clusterStore, namespaceStore } from "./stores.js";
import {
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
  openapiV2,
  openapiV2Protobuf,
  openapiV3Doc,
  openapiV3Hash,
  openapiV3Index,
  wantsOpenAPIV2Protobuf,
} from "./openapi/index.js";
import { resolveResourcePath } from "./resolve.js";
import { createSelfSubjectReview } from "./self-subject-review.js";
import { createLocalSubjectAccessReview, createSelfSubjectAccessReview, createSubjectAccessReview } from "./access-review.js";
import { createSelfSubjectRulesReview } from "./rules-review.js";
import { createNodeCredentialRequest, NODE_CREDENTIALS_PATH } from "./node-credentials.js";
import { JWKS_PATH, jwks, OPENID_CONFIG_PATH, openidConfiguration } from "./oidc.js";
import { encryptionRoutes } from "./encryption.js";
import { errorForLog } from "../storage/encryption/log-safe.js";

import { TUNNEL_CONNECT_ROUTE, connectTunnel } from "../tunnel/connect.js";

export const app = new Hono<AppEnv>();

app.onError((err, c) => {
  if (err instanceof StatusError) {
    // As upstream's responsewriters: a Status that says when to retry says it in Retry-After too.
    const retry = err.status.details?.retryAfterSeconds;
    const headers: Record<string, string> = retry ? { "retry-after": String(retry) } : {};
    if (err.auditAnnotations) headers[AUDIT_ANNOTATIONS_HEADER] = JSON.stringify(err.auditAnnotations);
    return c.json(err.status, err.code as 400, headers);
  }
  console.error("unhandled error", errorForLog(err));
  const s = internalError(err instanceof Error ? err.message : String(err)).status;
  return c.json(s, 500);
});
app.notFound((c) => c.json(resourceNotFound().status, 404));

// Outermost: every request gets an audit record, including those refused below (401, 403, 429).
app.use("*", audit);

// Service-account issuer discovery is public (it serves public keys only): before authentication.
app.get(OPENID_CONFIG_PATH, openidConfiguration);
app.get(JWKS_PATH, jwks);
app.use("*", authenticate);
// Then the abuse limits (they need the user), then authorization, as upstream orders its filters.
app.use("*", limits);
// A node's agent opening its tunnel: connectTunnel admits only that node (no RBAC rule grants it).
app.get(TUNNEL_CONNECT_ROUTE, connectTunnel);
app.use("*", authorizePath);

for (const path of ["/healthz", "/livez", "/readyz"]) {
  app.get(path, async (c) => {
    await ensureBootstrap(c.env);
    return c.text("ok");
  });
}

app.get("/version", (c) => c.json(versionInfo()));
// The audit log (system:masters, or RBAC `get` on this non-resource path).
app.get("/debug/audit", listAuditEvents);
// The controllers' counters of one store (upstream exposes them as workqueue metrics).
app.get("/debug/controllers", async (c) => c.json(await clusterStore(c.env).controllerStats()));
app.get("/debug/controllers/namespaces/:namespace", async (c) => c.json(await namespaceStore(c.env, c.req.param("namespace")).controllerStats()));
// The scheduler's and the node lifecycle controller's counters (the ClusterControllers singleton).
app.get("/debug/scheduler", async (c) => {
  const stub = clusterControllers(c.env);
  return stub ? c.json(await stub.state()) : c.json({ synced: false }, 404);
});
// Re-encryption of stored Secrets under the first key of ENCRYPTION_KEYS (system:masters only).
app.route("/admin/encryption", encryptionRoutes);
/** Discovery answers in the aggregated form when asked for it, as kube-apiserver does. */
function discovery(accept: string | undefined, aggregated: () => unknown, legacy: () => unknown): Response {
  const headers: Record<string, string> = { vary: "Accept" };
  if (wantsAggregated(accept)) {
    return new Response(JSON.stringify(aggregated()), { headers: { ...headers, "content-type": AGGREGATED_DISCOVERY_CONTENT_TYPE } });
  }
  return new Response(JSON.stringify(legacy()), { headers: { ...headers, "content-type": "application/json" } });
}

app.get("/api", (c) =>
  discovery(c.req.header("accept"), () => aggregatedDiscovery(kinds, true), () => apiVersions(new URL(c.req.url).host)),
);
app.get("/apis", (c) =>
  discovery(c.req.header("accept"), () => aggregatedDiscovery(kinds, false), () => apiGroupList(kinds)),
);
app.get("/api/v1", (c) => c.json(apiResourceList(kinds, "", "v1")));
app.get("/apis/:group", (c) => {
  const doc = apiGroupDoc(kinds, c.req.param("group"));
  if (!doc) throw resourceNotFound();
  return c.json(doc);
});
app.get("/apis/:group/:version", (c) => {
  const doc = apiResourceList(kinds, c.req.param("group"), c.req.param("version"));
  if (!doc) throw resourceNotFound();
  return c.json(doc);
});

app.get("/openapi/v2", (c) => {
  if (wantsOpenAPIV2Protobuf(c.req.header("accept"))) {
    return new Response(openapiV2Protobuf(), { headers: { "content-type": OPENAPI_V2_PROTOBUF_CONTENT_TYPE, vary: "Accept" } });
  }
  return c.json(openapiV2());
});
app.get("/openapi/v3", (c) => c.json(openapiV3Index()));
app.get("/openapi/v3/*", (c) => {
  const gv = new URL(c.req.url).pathname.slice("/openapi/v3/".length);
  const doc = openapiV3Doc(gv);
  if (!doc) throw resourceNotFound();
  const hash = new URL(c.req.url).searchParams.get("hash");
  const cache = hash && hash === openapiV3Hash(gv) ? "public, immutable" : "no-cache, private";
  return new Response(JSON.stringify(doc), { headers: { "content-type": "application/json", "cache-control": cache } });
});

/**
 * The path's segments after the group-version prefix. URL parsing has already resolved `.`,
 * `..`, `%2E` and `%2E%2E` segments (so `…/configmaps/%2E` arrives as `…/configmaps/`): a
 * resource path ending in '/' is refused, so that such a name can never reach another object
 * or a whole collection.
 */
function segmentsAfter(url: string, prefixSegments: number): string[] {
  const path = new URL(url).pathname;
  if (path.endsWith("/")) {
    throw badRequest(`invalid resource path "${path}": it may not end with '/' (object names may not be '.' or '..')`);
  }
  return path.split("/").filter((s) => s !== "").slice(prefixSegments);
}

app.all("/api/v1/*", async (c) => {
  await ensureBootstrap(c.env);
  const r = resolveResourcePath("", "v1", segmentsAfter(c.req.url, 2), findKind);
  await authorizeResource(c, r);
  return handleResource(c, r);
});

app.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", createSelfSubjectReview);
app.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", createSelfSubjectAccessReview);
app.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", createSubjectAccessReview);
app.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", createSelfSubjectRulesReview);
app.post("/apis/authorization.k8s.io/v1/namespaces/:namespace/localsubjectaccessreviews", createLocalSubjectAccessReview);
app.post(NODE_CREDENTIALS_PATH, createNodeCredentialRequest);

app.all("/apis/:group/:version/*", async (c) => {
  await ensureBootstrap(c.env);
  const r = resolveResourcePath(c.req.param("group"), c.req.param("version"), segmentsAfter(c.req.url, 3), findKind);
  await authorizeResource(c, r);
  return handleResource(c, r);
});
