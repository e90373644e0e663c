// /openapi/v2 and /openapi/v3 generated from the kinds' zod schemas (src/apis): what kubectl
// downloads to validate manifests (`apply`, `create -f`), to find whether the server validates
// fields itself (the `fieldValidation` parameter on PATCH) and to `explain` fields.
//
// Serving (wired in src/api/app.ts):
//   GET /openapi/v2            JSON openapiV2(); when wantsOpenAPIV2Protobuf(Accept) (kubectl
//                              always asks for protobuf) openapiV2Protobuf() with Content-Type
//                              OPENAPI_V2_PROTOBUF_CONTENT_TYPE.
//   GET /openapi/v3            openapiV3Index()
//   GET /openapi/v3/<gv path>  openapiV3Doc("api/v1" | "apis/apps/v1" | …), 404 when undefined.
//                              Upstream answers a request whose ?hash= matches with
//                              `Cache-Control: public, immutable`, else a redirect/no-cache; plain
//                              200 with the current document is what clients need.
// Everything is pure and cached: one build per isolate.
import { kinds as servedKinds } from "../../apis/index.js";
import type { KindDef } from "../../apis/types.js";
import { KUBE_VERSION } from "../discovery.js";
import { DefinitionBuilder, type Json, toV2Schema } from "./definitions.js";
import { gvPath, kindPaths, toV2Paths } from "./paths.js";
import { encodeOpenAPIV2 } from "./protobuf.js";
import { sha256Hex } from "./sha256.js";
import { REF_V3 } from "./static.js";

export { OPENAPI_V2_PROTOBUF_ACCEPT, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, wantsOpenAPIV2Protobuf } from "./protobuf.js";
export { gvPath } from "./paths.js";
export type { Json } from "./definitions.js";

const INFO = { title: "Kubernetes", version: KUBE_VERSION.gitVersion };

interface Built {
  definitions: Map<string, Json>;
  /** gv path ("api/v1") → v3 path items. */
  pathsByGV: Map<string, Record<string, Json>>;
}

let built: Built | undefined;
function build(): Built {
  if (built) return built;
  const b = new DefinitionBuilder();
  const pathsByGV = new Map<string, Record<string, Json>>();
  for (const k of servedKinds as KindDef[]) {
    b.addKind(k);
    const gv = gvPath(k.group, k.version);
    pathsByGV.set(gv, { ...(pathsByGV.get(gv) ?? {}), ...kindPaths(k) });
  }
  built = { definitions: b.finish(), pathsByGV };
  return built;
}

/** Every definition name reachable by $ref from `roots` (names or schema objects). */
function closure(defs: Map<string, Json>, roots: unknown[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (seen.has(v) || !defs.has(v)) continue;
      seen.add(v);
      stack.push(defs.get(v));
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref" && typeof x === "string" && x.startsWith(REF_V3)) stack.push(x.slice(REF_V3.length));
        else if (typeof x === "object") stack.push(x);
      }
    }
  }
  return seen;
}

const SECURITY_SCHEME = { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" };

const v3Docs = new Map<string, Json>();
const v3Hashes = new Map<string, string>();

/** The OpenAPI 3.0 document of one group-version ("api/v1", "apis/apps/v1"), or undefined if not served. */
export function openapiV3Doc(groupVersionPath: string): Json | undefined {
  const gv = groupVersionPath.replace(/^\/+|\/+$/g, "");
  const cached = v3Docs.get(gv);
  if (cached) return cached;
  const { definitions, pathsByGV } = build();
  const paths = pathsByGV.get(gv);
  if (!paths) return undefined;
  // What the paths reference, plus the meta types every group-version document carries.
  const names = closure(definitions, [paths, "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"]);
  const schemas = Object.fromEntries([...definitions].filter(([n]) => names.has(n)));
  const doc: Json = {
    openapi: "3.0.0",
    info: INFO,
    paths,
    components: { schemas, securitySchemes: { BearerToken: SECURITY_SCHEME } },
    security: [{ BearerToken: [] }],
  };
  v3Docs.set(gv, doc);
  return doc;
}

/** The `hash` of a group-version document: SHA-256 of its JSON, uppercase hex (see sha256.ts). */
export function openapiV3Hash(groupVersionPath: string): string | undefined {
  const gv = groupVersionPath.replace(/^\/+|\/+$/g, "");
  const cached = v3Hashes.get(gv);
  if (cached) return cached;
  const doc = openapiV3Doc(gv);
  if (!doc) return undefined;
  const h = sha256Hex(JSON.stringify(doc));
  v3Hashes.set(gv, h);
  return h;
}

/** GET /openapi/v3: one entry per served group-version, as client-go's openapi.Client reads it. */
export function openapiV3Index(): Json {
  const paths: Json = {};
  for (const gv of [...build().pathsByGV.keys()].sort()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${openapiV3Hash(gv)}` };
  return { paths };
}

let v2: Json | undefined;
/** The Swagger 2.0 document: every path and definition. */
export function openapiV2(): Json {
  if (v2) return v2;
  const { definitions, pathsByGV } = build();
  const paths: Record<string, Json> = {};
  for (const gv of [...pathsByGV.keys()].sort()) Object.assign(paths, toV2Paths(pathsByGV.get(gv)!));
  v2 = {
    swagger: "2.0",
    info: INFO,
    paths,
    definitions: Object.fromEntries([...definitions].map(([n, d]) => [n, toV2Schema(d)])),
    securityDefinitions: { BearerToken: SECURITY_SCHEME },
    security: [{ BearerToken: [] }],
  };
  return v2;
}

let v2pb: Uint8Array | undefined;
/** openapiV2() as gnostic protobuf (what kubectl requests). */
export function openapiV2Protobuf(): Uint8Array {
  return (v2pb ??= encodeOpenAPIV2(openapiV2()));
}
