// POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: authentication.k8s.io/v1 TokenRequest
// (pkg/registry/core/serviceaccount/storage/token.go), what `kubectl create token` and the
// kubelet's projected volumes ask. Nothing is stored: the answer carries a signed JWT.
import { decodeMessage } from "./protobuf/codec.js";
import { MESSAGES } from "./protobuf/descriptors/index.js";
import { PROTOBUF_CONTENT_TYPE, readEnvelope } from "./protobuf/index.js";
import { Reader, WIRE_LEN, WIRE_VARINT } from "./protobuf/wire.js";
import { ProtobufError } from "./protobuf/errors.js";
import type { Ctx } from "./context.js";
import { admitNodeTokenRequest } from "../auth/authorizers/node/restriction.js";
import type { Resolved } from "./resolve.js";
import { parseDocument, readBytes } from "./body.js";
import { clusterStore, storeFor } from "./stores.js";
import { apiAudiences, maxTokenExpirationSeconds, NODE_AUDIENCE } from "../auth/tokens/config.js";
import { issueServiceAccountToken } from "../auth/tokens/issue.js";
import type { ObjectRef } from "../auth/tokens/claims.js";
import type { KubeObject } from "../apis/types.js";
import type { Outcome } from "../registry/requests.js";
import { rfc3339 } from "../lib/clock.js";
import { invalid as invalidField, type FieldError } from "../lib/field-errors.js";
import { StatusError, badRequest, conflict, invalid, methodNotAllowed, unsupportedMediaType } from "../lib/status.js";

const GROUP = "authentication.k8s.io";
const API_VERSION = `${GROUP}/v1`;
const KIND = "TokenRequest";
/** ValidateTokenRequest's bounds and v1's default. */
export const MIN_EXPIRATION_SECONDS = 600;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;
export const DEFAULT_EXPIRATION_SECONDS = 3600;

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec?: { audiences?: string[] | null; expirationSeconds?: number | null; boundObjectRef?: BoundObjectReference | null };
}

export async function createTokenRequest(c: Ctx, r: Resolved): Promise<Response> {
  if (c.req.method !== "POST") throw methodNotAllowed();
  const env = c.env;
  const namespace = r.target.namespace;
  const name = r.target.name!;
  const req = await readTokenRequest(c.req.raw);
  const metadata = req.metadata ?? {};
  const spec = req.spec ?? {};

  if (metadata.name && metadata.name !== name) {
    throw invalid(KIND, GROUP, name, [invalidField("metadata.name", metadata.name, "must match the service account name if specified")]);
  }
  if (metadata.namespace && metadata.namespace !== namespace) {
    throw invalid(KIND, GROUP, name, [invalidField("metadata.namespace", metadata.namespace, "must match the service account namespace if specified")]);
  }

  const store = storeFor(env, namespace);
  const sa = await getObject(store.get({ group: "", version: "v1", resource: "serviceaccounts", namespace, name }));

  const audiences = spec.audiences?.length ? spec.audiences : apiAudiences(env);
  let expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const errs: FieldError[] = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(invalidField("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes"));
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errs.push(invalidField("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
  }
  audiences.forEach((a, i) => {
    if (a === NODE_AUDIENCE) errs.push(invalidField(`spec.audiences[${i}]`, a, "is reserved for node credentials"));
  });
  if (errs.length) throw invalid(KIND, GROUP, "", errs);

  const bound: { pod?: ObjectRef; secret?: ObjectRef; node?: { name: string; uid?: string } } = {};
  const ref = spec.boundObjectRef;
  if (ref) {
    const apiVersion = ref.apiVersion ?? "";
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    const refName = ref.name ?? "";
    let uid = "";
    if (group === "" && ref.kind === "Pod") {
      const pod = await getObject(store.get({ group: "", version: "v1", resource: "pods", namespace, name: refName }));
      const podSA = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName || "default";
      if (podSA !== name) throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
      uid = String(pod.metadata.uid ?? "");
      bound.pod = { name: refName, uid };
      const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (nodeName) {
        // The node the pod runs on, by name even when its Node object is gone (as upstream).
        const node = await clusterStore(env).get({ group: "", version: "v1", resource: "nodes", namespace: "", name: nodeName });
        if (!node.ok && node.status.code !== 404) throw new StatusError(node.status);
        bound.node = node.ok ? { name: nodeName, uid: String((node.body as KubeObject).metadata.uid ?? "") } : { name: nodeName };
      }
    } else if (group === "" && ref.kind === "Node") {
      const node = await getObject(clusterStore(env).get({ group: "", version: "v1", resource: "nodes", namespace: "", name: refName }));
      uid = String(node.metadata.uid ?? "");
      bound.node = { name: refName, uid };
    } else if (group === "" && ref.kind === "Secret") {
      const secret = await getObject(store.get({ group: "", version: "v1", resource: "secrets", namespace, name: refName }));
      uid = String(secret.metadata.uid ?? "");
      bound.secret = { name: refName, uid };
    } else {
      throw badRequest(`cannot bind token to object of type ${group ? `${group}/${version}` : `/${version}`}, Kind=${ref.kind ?? ""}`);
    }
    if (ref.uid && ref.uid !== uid) {
      throw conflict({ group: "", resource: ref.kind! }, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }

  admitNodeTokenRequest(c.get("user"), name, bound);

  const warnings: string[] = [];
  const max = maxTokenExpirationSeconds(env);
  if (max > 0 && expirationSeconds > max) {
    warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
    expirationSeconds = max;
  }

  const nowMs = Date.now();
  const issued = await issueServiceAccountToken(env, {
    audiences,
    serviceAccount: { namespace, name, uid: String(sa.metadata.uid ?? "") },
    ...bound,
    expirationSeconds,
    nowMs,
  });
  const outSpec: Record<string, unknown> = { audiences, expirationSeconds };
  if (ref) outSpec.boundObjectRef = ref;
  const body = {
    kind: KIND,
    apiVersion: API_VERSION,
    metadata: { name, namespace, creationTimestamp: rfc3339(nowMs) },
    spec: outSpec,
    status: { token: issued.token, expirationTimestamp: rfc3339(nowMs + expirationSeconds * 1000) },
  };
  const res = new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
  for (const w of warnings) res.headers.append("warning", `299 - "${w}"`);
  return res;
}

async function getObject(o: Promise<Outcome>): Promise<KubeObject> {
  const got = await o;
  if (!got.ok) throw new StatusError(got.status);
  return got.body as KubeObject;
}

/** The request body as JSON, YAML or protobuf (kubectl's typed client sends protobuf). */
async function readTokenRequest(req: Request): Promise<TokenRequest> {
  const type = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
  const bytes = await readBytes(req);
  let doc: unknown;
  if (type === PROTOBUF_CONTENT_TYPE) {
    try {
      doc = decodeTokenRequestProtobuf(bytes);
    } catch (e) {
      if (e instanceof ProtobufError) throw badRequest(e.message);
      throw e;
    }
  } else if (["application/json", "application/yaml", "text/yaml", "*/*"].includes(type)) {
    const text = new TextDecoder().decode(bytes);
    doc = text.trim() === "" ? {} : parseDocument(text, type);
  } else {
    throw unsupportedMediaType(["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE]);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw badRequest("the body is not a TokenRequest object");
  const o = doc as TokenRequest;
  if (o.apiVersion && o.apiVersion !== API_VERSION) {
    throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${API_VERSION})`);
  }
  if (o.kind && o.kind !== KIND) throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${KIND})`);
  const spec = o.spec;
  if (spec !== undefined && (typeof spec !== "object" || Array.isArray(spec))) throw badRequest("spec must be an object");
  if (spec?.audiences != null && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== "string"))) {
    throw badRequest("spec.audiences must be a list of strings");
  }
  if (spec?.expirationSeconds != null && typeof spec.expirationSeconds !== "number") throw badRequest("spec.expirationSeconds must be an integer");
  return o;
}

/**
 * `k8s\0` + runtime.Unknown{TypeMeta, raw} around a TokenRequest {1 metadata, 2 spec}; spec is
 * {1 audiences, 3 boundObjectRef {1 kind, 2 apiVersion, 3 name, 4 uid}, 4 expirationSeconds}
 * (k8s.io/api/authentication/v1/generated.proto).
 */
export function decodeTokenRequestProtobuf(bytes: Uint8Array): TokenRequest {
  const { apiVersion, kind, raw } = readEnvelope(bytes);
  const out: TokenRequest = { apiVersion, kind };
  const r = new Reader(raw);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) {
      const { start, end } = r.lengthDelimited();
      out.metadata = decodeMessage(MESSAGES.get("ObjectMeta")!, raw, start, end) as TokenRequest["metadata"];
    } else if (field === 2 && wire === WIRE_LEN) {
      const { start, end } = r.lengthDelimited();
      out.spec = decodeSpec(new Reader(raw, start, end));
    } else {
      r.skip(wire);
    }
  }
  return out;
}

function decodeSpec(r: Reader): NonNullable<TokenRequest["spec"]> {
  const spec: NonNullable<TokenRequest["spec"]> = {};
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) (spec.audiences ??= []).push(r.string());
    else if (field === 4 && wire === WIRE_VARINT) spec.expirationSeconds = r.int64();
    else if (field === 3 && wire === WIRE_LEN) {
      const { start, end } = r.lengthDelimited();
      const b = new Reader(r.buf, start, end);
      const ref: BoundObjectReference = {};
      const names = ["", "kind", "apiVersion", "name", "uid"] as const;
      while (!b.done()) {
        const t = b.tag();
        const key = names[t.field];
        if (key && t.wire === WIRE_LEN) ref[key] = b.string();
        else b.skip(t.wire);
      }
      spec.boundObjectRef = ref;
    } else r.skip(wire);
  }
  return spec;
}
