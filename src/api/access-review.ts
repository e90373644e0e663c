// authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview and the namespaced
// LocalSubjectAccessReview: "may this user do this?" for `kubectl auth can-i` and for components.
// Create-only, nothing stored: the answer is the authorizer chain's verdict on the attributes in
// the spec. kubectl sends the reviews as protobuf.
import { type RequestAttributes, resourceAttributes } from "../auth/attributes.js";
import { authorize, requireAuthorized } from "../auth/authorize.js";
import type { UserInfo } from "../auth/user.js";
import { badRequest, invalid, notAcceptable } from "../lib/status.js";
import { readBody, readBytes, parseDocument } from "./body.js";
import type { Ctx } from "./context.js";
import { authorizeVirtual } from "./auth.js";
import { PROTOBUF_CONTENT_TYPE, ProtobufError, decodeProtobufObject } from "./protobuf/index.js";

const review = (plural: string, singular: string, kind: string) => ({
  group: "authorization.k8s.io",
  version: "v1",
  plural,
  singular,
  kind,
  namespaced: false,
  verbs: ["create"],
});
export const SELF_SUBJECT_ACCESS_REVIEW = review("selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview");
export const SUBJECT_ACCESS_REVIEW = review("subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview");
export const LOCAL_SUBJECT_ACCESS_REVIEW = { ...review("localsubjectaccessreviews", "localsubjectaccessreview", "LocalSubjectAccessReview"), namespaced: true };

interface ReviewSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

const SERIALIZED = ["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE];

/**
 * Reviews have no Table (nor PartialObjectMetadata) conversion: upstream negotiates the response
 * type before reading the body and answers 406 when the Accept header only names such `as=`
 * transforms ("API metadata HTTP return"). Any plain type (or a wildcard) among them is served.
 */
export function checkReviewAccept(accept: string | null | undefined): void {
  if (!accept) return;
  const parts = accept.split(",").map((part) => part.split(";").map((p) => p.trim()));
  const plain = parts.some(([type, ...params]) => !params.some((p) => p.startsWith("as=")) && (type === "*/*" || type === "application/*" || SERIALIZED.includes(type)));
  const transform = parts.some(([, ...params]) => params.some((p) => p.startsWith("as=")));
  if (transform && !plain) throw notAcceptable(`only the following media types are accepted: ${SERIALIZED.join(", ")}`);
}

/** A review's body, as JSON, YAML or protobuf, checked to be of `kind`. */
export async function readReview<S = ReviewSpec>(c: Ctx, kind: string): Promise<{ body: Record<string, unknown>; spec: S }> {
  checkReviewAccept(c.req.header("accept"));
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0].trim();
  let doc: Record<string, unknown> | null;
  if (type === PROTOBUF_CONTENT_TYPE) {
    try {
      doc = decodeProtobufObject(await readBytes(c.req.raw)).object;
      // The wire's ExtraValue {items} is a plain list in JSON.
      const extra = (doc.spec as { extra?: Record<string, { items?: string[] }> } | undefined)?.extra;
      if (extra) for (const k of Object.keys(extra)) (extra as Record<string, unknown>)[k] = extra[k]?.items ?? [];
    } catch (e) {
      if (e instanceof ProtobufError) throw badRequest(e.message);
      throw e;
    }
  } else {
    doc = parseDocument(await readBody(c.req.raw), type) as Record<string, unknown> | null;
  }
  if (!doc || typeof doc !== "object") throw badRequest(`the body is not a ${kind}`);
  if (doc.kind && doc.kind !== kind) throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (${kind})`);
  return { body: doc, spec: (doc.spec ?? {}) as S };
}

function attributesOf(kind: string, user: UserInfo, spec: ReviewSpec): RequestAttributes {
  const r = spec.resourceAttributes;
  const nr = spec.nonResourceAttributes;
  if (!!r === !!nr) {
    throw invalid(kind, "authorization.k8s.io", "", [
      { type: "FieldValueInvalid", field: "spec.resourceAttributes", detail: "exactly one of nonResourceAttributes or resourceAttributes must be specified" },
    ]);
  }
  if (nr) {
    return { user, verb: nr.verb ?? "", isResourceRequest: false, path: nr.path ?? "", apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
  }
  const a = resourceAttributes(user, "GET", "", { group: r!.group ?? "", version: r!.version ?? "", resource: r!.resource ?? "", subresource: r!.subresource, namespace: r!.namespace ?? "", name: r!.name }, false);
  a.verb = r!.verb ?? "";
  return a;
}

async function answer(c: Ctx, body: Record<string, unknown>, a: RequestAttributes, kind: string): Promise<Response> {
  const v = await authorize(a, c.env);
  const status: Record<string, unknown> = { allowed: v.allowed };
  if (v.denied) status.denied = true;
  if (v.reason) status.reason = v.reason;
  const out = { ...body, kind, apiVersion: "authorization.k8s.io/v1", metadata: { ...((body.metadata as object) ?? {}), creationTimestamp: null }, status };
  return new Response(JSON.stringify(out), { status: 201, headers: { "content-type": "application/json" } });
}

export async function createSelfSubjectAccessReview(c: Ctx): Promise<Response> {
  await authorizeVirtual(c, SELF_SUBJECT_ACCESS_REVIEW);
  const kind = SELF_SUBJECT_ACCESS_REVIEW.kind;
  const { body, spec } = await readReview(c, kind);
  return answer(c, body, attributesOf(kind, c.get("user"), spec), kind);
}

export async function createSubjectAccessReview(c: Ctx): Promise<Response> {
  await authorizeVirtual(c, SUBJECT_ACCESS_REVIEW);
  const kind = SUBJECT_ACCESS_REVIEW.kind;
  const { body, spec } = await readReview(c, kind);
  if (!spec.user && !(spec.groups ?? []).length) {
    throw invalid(kind, "authorization.k8s.io", "", [{ type: "FieldValueInvalid", field: "spec.user", detail: "at least one of user or group must be specified" }]);
  }
  const user: UserInfo = { username: spec.user ?? "", groups: spec.groups ?? [], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
  return answer(c, body, attributesOf(kind, user, spec), kind);
}

/** The namespaced review: a SubjectAccessReview of resources in the URL's namespace. */
export async function createLocalSubjectAccessReview(c: Ctx): Promise<Response> {
  const namespace = c.req.param("namespace") ?? "";
  const r = LOCAL_SUBJECT_ACCESS_REVIEW;
  await requireAuthorized(resourceAttributes(c.get("user"), "POST", new URL(c.req.url).pathname, { group: r.group, version: r.version, resource: r.plural, namespace }, false), c.env);
  const kind = r.kind;
  const { body, spec } = await readReview(c, kind);
  const meta = (body.metadata ?? {}) as { namespace?: string };
  if (meta.namespace && meta.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  const errs = [];
  if (spec.nonResourceAttributes) errs.push({ type: "FieldValueInvalid" as const, field: "spec.nonResourceAttributes", badValue: spec.nonResourceAttributes, detail: "disallowed on this kind of request" });
  const attrNs = spec.resourceAttributes?.namespace ?? "";
  if (spec.resourceAttributes && attrNs !== namespace) errs.push({ type: "FieldValueInvalid" as const, field: "spec.resourceAttributes.namespace", badValue: attrNs, detail: "must match metadata.namespace" });
  if (!spec.user && !(spec.groups ?? []).length) errs.push({ type: "FieldValueInvalid" as const, field: "spec.user", badValue: spec.user ?? "", detail: "at least one of user or group must be specified" });
  if (errs.length) throw invalid(kind, "authorization.k8s.io", "", errs);
  const user: UserInfo = { username: spec.user ?? "", groups: spec.groups ?? [], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
  return answer(c, { ...body, metadata: { ...(body.metadata as object), namespace } }, attributesOf(kind, user, spec), kind);
}
