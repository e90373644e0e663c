// authentication.k8s.io/v1 SelfSubjectReview: "who am I" for `kubectl auth whoami`. A create-only
// resource with nothing stored; it answers with the identity the request authenticated as.
import type { Ctx } from "./context.js";
import { authorizeVirtual } from "./auth.js";
import { badRequest } from "../lib/status.js";
import { readBody, parseDocument } from "./body.js";


/** Discovery entry for the resource (it has no KindDef: nothing is stored). */
export const SELF_SUBJECT_REVIEW = {
  group: "authentication.k8s.io",
  version: "v1",
  plural: "selfsubjectreviews",
  singular: "selfsubjectreview",
  kind: "SelfSubjectReview",
  namespaced: false,
  verbs: ["create"],
};

export async function createSelfSubjectReview(c: Ctx): Promise<Response> {
  await authorizeVirtual(c, SELF_SUBJECT_REVIEW);
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0].trim();
  const text = await readBody(c.req.raw);
  // kubectl sends the (empty) review as protobuf; its content does not change the answer.
  if (text.trim() && type !== "application/vnd.kubernetes.protobuf") {
    const doc = parseDocument(text, type) as { kind?: string } | null;
    if (doc && typeof doc === "object" && doc.kind && doc.kind !== "SelfSubjectReview") {
      throw badRequest(`the kind in the data (${doc.kind}) does not match the expected kind (SelfSubjectReview)`);
    }
  }
  const body = {
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null },
    status: { userInfo: c.get("user") },
  };
  return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json" } });
}
