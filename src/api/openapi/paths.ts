// The REST operations of every served kind as OpenAPI paths, in upstream's shape: operationIds
// (listCoreV1NamespacedPod, patchAppsV1NamespacedDeploymentScale), x-kubernetes-action,
// x-kubernetes-group-version-kind, the query parameters (kubectl looks for `fieldValidation` on
// PATCH to decide that the server validates fields), request bodies and responses. Built in the
// v3 form; `toV2Paths` rewrites them for Swagger 2.0.
import type { KindDef } from "../../apis/types.js";
import { subresourcesOf } from "../discovery.js";
import { type Json, kindDefName, packageOf } from "./definitions.js";
import { META, REF_V3 } from "./static.js";

interface Param {
  name: string;
  in: "query" | "path";
  description: string;
  type: "string" | "boolean" | "integer";
  required?: boolean;
}

const q = (name: string, type: Param["type"], description: string): Param => ({ name, in: "query", type, description });

const P = {
  pretty: q("pretty", "string", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q("dryRun", "string", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
  fieldManager: q("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."),
  fieldValidation: q("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."),
  force: q("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."),
  allowWatchBookmarks: q("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag."),
  continue: q("continue", "string", "The continue option should be set when retrieving more results from the server, with the value the server returned in a previous list's metadata.continue."),
  fieldSelector: q("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
  labelSelector: q("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
  limit: q("limit", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata."),
  resourceVersion: q("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset."),
  resourceVersionMatch: q("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset."),
  sendInitialEvents: q("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`: the stream begins with synthetic events for the current state of objects, followed by a BOOKMARK event."),
  timeoutSeconds: q("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
  watch: q("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
  gracePeriodSeconds: q("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately."),
  orphanDependents: q("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."),
  propagationPolicy: q("propagationPolicy", "string", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

const PRODUCES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
const PRODUCES_LIST = [...PRODUCES, "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

/** "" → CoreV1, apps → AppsV1, coordination.k8s.io → CoordinationV1 (upstream's operationId prefix). */
function gvCamel(group: string, version: string): string {
  const g = group === "" ? "core" : group.split(".")[0];
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return cap(g) + cap(version);
}
/** The tag upstream gives a group-version's operations: core_v1, apps_v1, coordination_v1. */
const gvTag = (group: string, version: string) => `${group === "" ? "core" : group.split(".")[0]}_${version}`;

/** The path a group-version is served under: "api/v1" or "apis/apps/v1" (the v3 document's key). */
export const gvPath = (group: string, version: string): string => (group === "" ? `api/${version}` : `apis/${group}/${version}`);

const ref = (def: string): Json => ({ $ref: REF_V3 + def });
const content = (types: string[], def: string): Json => Object.fromEntries(types.map((t) => [t, { schema: ref(def) }]));

interface OpSpec {
  action: string;
  operationId: string;
  description: string;
  params: Param[];
  body?: { def: string; types: string[] };
  responses: Array<[code: string, def: string | undefined]>;
  produces: string[];
  gvk: { group: string; kind: string; version: string };
}

function param3(p: Param): Json {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function op3(o: OpSpec, tag: string): Json {
  const responses: Json = {};
  for (const [code, def] of o.responses) {
    const description = code === "201" ? "Created" : code === "202" ? "Accepted" : "OK";
    responses[code] = def ? { description, content: content(o.produces, def) } : { description };
  }
  responses["401"] = { description: "Unauthorized" };
  const out: Json = { tags: [tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = o.params.map(param3);
  if (o.body) out.requestBody = { content: content(o.body.types, o.body.def), required: o.action !== "delete" && o.action !== "deletecollection" };
  out.responses = responses;
  out["x-kubernetes-action"] = o.action;
  out["x-kubernetes-group-version-kind"] = o.gvk;
  return out;
}

/** The paths (v3 form) of one kind, keyed by URL path template. */
export function kindPaths(k: KindDef): Record<string, Json> {
  const prefix = "/" + gvPath(k.group, k.version);
  const gv = gvCamel(k.group, k.version);
  const tag = gvTag(k.group, k.version);
  const scope = k.namespaced ? "Namespaced" : "";
  const collection = k.namespaced ? `${prefix}/namespaces/{namespace}/${k.plural}` : `${prefix}/${k.plural}`;
  const item = `${collection}/{name}`;
  const def = kindDefName(k);
  const listDef = `${packageOf(k.group, k.version)}.${k.listKind}`;
  const gvk = { group: k.group, kind: k.kind, version: k.version };
  const nsParam: Param = { name: "namespace", in: "path", required: true, type: "string", description: "object name and auth scope, such as for teams and projects" };
  const nameParam = (what: string): Param => ({ name: "name", in: "path", required: true, type: "string", description: `name of the ${what}` });
  const pathParams = (withName: string | undefined) => [...(withName ? [nameParam(withName)] : []), ...(k.namespaced ? [nsParam] : []), P.pretty].map(param3);
  const status = `${META}.Status`;
  const deleteOptions = `${META}.DeleteOptions`;

  const out: Record<string, Json> = {};
  out[collection] = {
    get: op3({ action: "list", operationId: `list${gv}${scope}${k.kind}`, description: `list or watch objects of kind ${k.kind}`, params: LIST_PARAMS, responses: [["200", listDef]], produces: PRODUCES_LIST, gvk }, tag),
    post: op3({ action: "post", operationId: `create${gv}${scope}${k.kind}`, description: `create a ${k.kind}`, params: WRITE_PARAMS, body: { def, types: ["*/*"] }, responses: [["200", def], ["201", def], ["202", def]], produces: PRODUCES, gvk }, tag),
    delete: op3({ action: "deletecollection", operationId: `delete${gv}Collection${scope}${k.kind}`, description: `delete collection of ${k.kind}`, params: DELETECOLLECTION_PARAMS, body: { def: deleteOptions, types: ["*/*"] }, responses: [["200", status]], produces: PRODUCES, gvk }, tag),
    parameters: pathParams(undefined),
  };
  const itemOps = (sub: string, target: string, what: string, opGvk = gvk, suffix = ""): Json => ({
    get: op3({ action: "get", operationId: `read${gv}${scope}${k.kind}${suffix}`, description: `read ${sub} of the specified ${k.kind}`, params: [], responses: [["200", target]], produces: PRODUCES, gvk: opGvk }, tag),
    put: op3({ action: "put", operationId: `replace${gv}${scope}${k.kind}${suffix}`, description: `replace ${sub} of the specified ${k.kind}`, params: WRITE_PARAMS, body: { def: target, types: ["*/*"] }, responses: [["200", target], ["201", target]], produces: PRODUCES, gvk: opGvk }, tag),
    patch: op3({ action: "patch", operationId: `patch${gv}${scope}${k.kind}${suffix}`, description: `partially update ${sub} of the specified ${k.kind}`, params: [...WRITE_PARAMS, P.force], body: { def: `${META}.Patch`, types: PATCH_TYPES }, responses: [["200", target], ["201", target]], produces: PRODUCES, gvk: opGvk }, tag),
    parameters: pathParams(what),
  });
  out[item] = {
    ...itemOps("the", def, k.kind),
    delete: op3({ action: "delete", operationId: `delete${gv}${scope}${k.kind}`, description: `delete a ${k.kind}`, params: DELETE_PARAMS, body: { def: deleteOptions, types: ["*/*"] }, responses: [["200", status], ["202", status]], produces: PRODUCES, gvk }, tag),
  };
  // Re-order so the item path reads get/put/delete/patch/parameters like upstream.
  const { parameters, ...ops } = out[item];
  out[item] = { ...ops, parameters };
  const subs = subresourcesOf(k);
  if (subs.includes("status")) out[`${item}/status`] = itemOps("status", def, k.kind, gvk, "Status");
  if (subs.includes("scale")) out[`${item}/scale`] = itemOps("scale", "io.k8s.api.autoscaling.v1.Scale", "Scale", { group: "autoscaling", kind: "Scale", version: "v1" }, "Scale");
  if (k.namespaced) {
    out[`${prefix}/${k.plural}`] = {
      get: op3({ action: "list", operationId: `list${gv}${k.kind}ForAllNamespaces`, description: `list or watch objects of kind ${k.kind}`, params: [], responses: [["200", listDef]], produces: PRODUCES_LIST, gvk }, tag),
      parameters: [...LIST_PARAMS.slice(0, 6), P.pretty, ...LIST_PARAMS.slice(6)].map(param3),
    };
  }
  return out;
}

// ---- v2 flavour -----------------------------------------------------------------------------

const V2_REF = (r: unknown) => String(r).replace("#/components/schemas/", "#/definitions/");

function param2(p: Json): Json {
  const schema = p.schema as Json;
  const out: Json = { uniqueItems: true, type: schema.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function op2(o: Json): Json {
  const out: Json = {};
  if (o.description) out.description = o.description;
  const body = o.requestBody as Json | undefined;
  const bodyTypes = body ? Object.keys(body.content as Json) : ["*/*"];
  out.consumes = bodyTypes;
  const responses = o.responses as Record<string, Json>;
  const produces = new Set<string>();
  for (const r of Object.values(responses)) for (const t of Object.keys((r.content as Json) ?? {})) produces.add(t);
  out.produces = [...produces];
  out.schemes = ["https"];
  out.tags = o.tags;
  out.operationId = o.operationId;
  const params: Json[] = [];
  if (body) {
    const schema = (Object.values(body.content as Json)[0] as Json).schema as Json;
    params.push({ name: "body", in: "body", required: body.required === true, schema: { $ref: V2_REF(schema.$ref) } });
  }
  for (const p of (o.parameters as Json[] | undefined) ?? []) params.push(param2(p));
  if (params.length) out.parameters = params;
  out.responses = Object.fromEntries(
    Object.entries(responses).map(([code, r]) => {
      const c = r.content as Json | undefined;
      const schema = c ? ((Object.values(c)[0] as Json).schema as Json) : undefined;
      return [code, schema ? { description: r.description, schema: { $ref: V2_REF(schema.$ref) } } : { description: r.description }];
    }),
  );
  for (const [k, v] of Object.entries(o)) if (k.startsWith("x-")) out[k] = v;
  return out;
}

/** Swagger 2.0 form of v3 path items. */
export function toV2Paths(paths: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [path, item] of Object.entries(paths)) {
    const v2: Json = {};
    for (const [k, v] of Object.entries(item)) v2[k] = k === "parameters" ? (v as Json[]).map(param2) : op2(v as Json);
    out[path] = v2;
  }
  return out;
}
