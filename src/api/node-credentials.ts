// POST /apis/authentication.edgeplane.dev/v1/nodecredentialrequests: a node trades its bootstrap
// token (or its current credential, before that expires) for node credentials, so it never holds
// the admin token. Upstream's kubelet TLS bootstrap sends a CSR for signer
// kubernetes.io/kube-apiserver-client-kubelet that the csrapproving controller approves for
// system:bootstrappers (nodeclient) and for the node itself (selfnodeclient); Workers have no
// client-certificate authentication, so the answer is a signed bearer token instead, for user
// system:node:NAME in system:nodes, with its expiry so the agent rotates at ~80% of its lifetime.
// Create-only, nothing stored, like TokenRequest.
import { type RequestAttributes, resourceAttributes } from "../auth/attributes.js";
import { authorize, forbiddenError } from "../auth/authorize.js";
import { BOOTSTRAPPERS_GROUP } from "../auth/tokens/bootstrap.js";
import { issueNodeToken, NODE_TOKEN_DEFAULT_SECONDS, NODE_TOKEN_MAX_SECONDS, NODE_TOKEN_MIN_SECONDS } from "../auth/tokens/issue.js";
import { NODE_USER_PREFIX, SYSTEM_NODES, type UserInfo } from "../auth/user.js";
import { isDNS1123Subdomain } from "../apis/validation.js";
import { rfc3339 } from "../lib/clock.js";
import { invalid as invalidField, required, type FieldError } from "../lib/field-errors.js";
import { badRequest, invalid } from "../lib/status.js";
import { parseDocument, readBody } from "./body.js";
import type { Ctx } from "./context.js";

export const NODE_CREDENTIAL_REQUEST = {
  group: "authentication.edgeplane.dev",
  version: "v1",
  plural: "nodecredentialrequests",
  singular: "nodecredentialrequest",
  kind: "NodeCredentialRequest",
  namespaced: false,
  verbs: ["create"],
};
const API_VERSION = `${NODE_CREDENTIAL_REQUEST.group}/${NODE_CREDENTIAL_REQUEST.version}`;
export const NODE_CREDENTIALS_PATH = `/apis/${API_VERSION}/${NODE_CREDENTIAL_REQUEST.plural}`;

export interface NodeCredentialRequest {
  apiVersion: string;
  kind: string;
  metadata: { creationTimestamp: string | null };
  spec: { nodeName: string; expirationSeconds: number };
  status?: { token: string; expirationTimestamp: string };
}

/**
 * Who may have credentials for `nodeName`, as the CSR approver's recognizers: any bootstrapper
 * (nodeclient), the node itself (selfnodeclient), and whoever the authorizer chain lets create
 * the resource (an admin, or an RBAC grant).
 */
export function intrinsicallyAllowed(user: UserInfo, nodeName: string): boolean {
  if (user.groups.includes(BOOTSTRAPPERS_GROUP)) return true;
  return user.groups.includes(SYSTEM_NODES) && user.username === NODE_USER_PREFIX + nodeName;
}

export async function createNodeCredentialRequest(c: Ctx): Promise<Response> {
  const user = c.get("user");
  const kind = NODE_CREDENTIAL_REQUEST.kind;
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0].trim();
  const doc = parseDocument(await readBody(c.req.raw), type) as Record<string, unknown> | null;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw badRequest(`the body is not a ${kind}`);
  if (doc.apiVersion && doc.apiVersion !== API_VERSION) {
    throw badRequest(`the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (${API_VERSION})`);
  }
  if (doc.kind && doc.kind !== kind) throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (${kind})`);
  const spec = (doc.spec ?? {}) as { nodeName?: unknown; expirationSeconds?: unknown };

  const errs: FieldError[] = [];
  const nodeName = typeof spec.nodeName === "string" ? spec.nodeName : "";
  if (!nodeName) errs.push(required("spec.nodeName", ""));
  else for (const m of isDNS1123Subdomain(nodeName)) errs.push(invalidField("spec.nodeName", nodeName, m));
  const expirationSeconds = spec.expirationSeconds ?? NODE_TOKEN_DEFAULT_SECONDS;
  if (typeof expirationSeconds !== "number" || !Number.isInteger(expirationSeconds) || expirationSeconds < NODE_TOKEN_MIN_SECONDS || expirationSeconds > NODE_TOKEN_MAX_SECONDS) {
    errs.push(invalidField("spec.expirationSeconds", expirationSeconds, `must be from ${NODE_TOKEN_MIN_SECONDS} to ${NODE_TOKEN_MAX_SECONDS} seconds`));
  }
  if (errs.length) throw invalid(kind, NODE_CREDENTIAL_REQUEST.group, "", errs);

  if (!intrinsicallyAllowed(user, nodeName)) {
    const attrs: RequestAttributes = resourceAttributes(user, "POST", new URL(c.req.url).pathname, {
      group: NODE_CREDENTIAL_REQUEST.group,
      version: NODE_CREDENTIAL_REQUEST.version,
      resource: NODE_CREDENTIAL_REQUEST.plural,
      namespace: "",
    }, false);
    const verdict = await authorize(attrs, c.env);
    if (!verdict.allowed) {
      const why = user.groups.includes(SYSTEM_NODES) ? "a node may only renew its own credentials" : verdict.reason;
      throw forbiddenError(attrs, why);
    }
  }

  const nowMs = Date.now();
  const issued = await issueNodeToken(c.env, { nodeName, expirationSeconds: expirationSeconds as number, requestedBy: user.username, nowMs });
  const body: NodeCredentialRequest = {
    apiVersion: API_VERSION,
    kind,
    metadata: { creationTimestamp: null },
    spec: { nodeName, expirationSeconds: expirationSeconds as number },
    status: { token: issued.token, expirationTimestamp: rfc3339(issued.expiresAt) },
  };
  return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}
