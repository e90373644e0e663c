// authorization.k8s.io/v1 SelfSubjectAccessReview and SubjectAccessReview: "may this user do
// this?" for `kubectl auth can-i` and for components. Create-only, nothing stored: the answer is
// the authorizer chain's verdict on the attributes in the spec.
import { type RequestAttributes, resourceAttributes } from "../auth/attributes.js";
import { authorize } from "../auth/authorize.js";
import type { UserInfo } from "../auth/user.js";
import { badRequest, invalid } from "../lib/status.js";
import { readBody, parseDocument } from "./body.js";
import type { Ctx } from "./context.js";
import { authorizeVirtual } from "./auth.js";

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

interface ReviewSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

async function readReview(c: Ctx, kind: string): Promise<{ body: Record<string, unknown>; spec: ReviewSpec }> {
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0].trim();
  if (type === "application/vnd.kubernetes.protobuf") {
    throw badRequest(`${kind} must be sent as JSON or YAML`);
  }
  const doc = parseDocument(await readBody(c.req.raw), type) as Record<string, unknown> | null;
  if (!doc || typeof doc !== "object") throw badRequest(`the body is not a ${kind}`);
  if (doc.kind && doc.kind !== kind) throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (${kind})`);
  return { body: doc, spec: (doc.spec ?? {}) as ReviewSpec };
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
