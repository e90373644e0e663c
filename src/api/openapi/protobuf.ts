// The Swagger 2.0 document as the protobuf message kubectl asks for: client-go's
// DiscoveryClient.OpenAPISchema() GETs /openapi/v2 with
// Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf and proto.Unmarshals the
// body into gnostic's openapi_v2.Document (openapiv2/OpenAPIv2.proto). There is no JSON
// fallback, so kubectl's client-side validation and v2-based lookups need these bytes. Only the
// parts of the schema language this server's document uses are encoded; vendor extensions are
// carried as gnostic's Any{yaml}, which kube-openapi reads back with a YAML decoder (JSON is YAML).
import { WIRE_LEN, WIRE_VARINT, Writer } from "../protobuf/wire.js";
import type { Json } from "./definitions.js";

/**
 * What kubectl puts in Accept. The `@` makes it unparseable by Go's mime.ParseMediaType, so
 * kube-openapi answers with the dotted form below; a response labelled with this one fails in
 * kubectl with "mime: unexpected content after media subtype".
 */
export const OPENAPI_V2_PROTOBUF_ACCEPT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/** The Content-Type of the protobuf answer (kube-openapi's handler). */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/** Whether an Accept header asks for the protobuf form of /openapi/v2 (either spelling). */
export function wantsOpenAPIV2Protobuf(accept: string | undefined | null): boolean {
  return (accept ?? "").includes("com.github.proto-openapi.spec.v2");
}

type Fill = (w: Writer) => void;

function message(w: Writer, field: number, fill: Fill): void {
  const sub = new Writer();
  fill(sub);
  w.tag(field, WIRE_LEN);
  w.bytes(sub.finish());
}
function str(w: Writer, field: number, v: unknown): void {
  if (typeof v !== "string" || v === "") return;
  w.tag(field, WIRE_LEN);
  w.string(v);
}
function strs(w: Writer, field: number, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) if (typeof s === "string") (w.tag(field, WIRE_LEN), w.string(s));
}
function bool(w: Writer, field: number, v: unknown): void {
  if (v !== true) return;
  w.tag(field, WIRE_VARINT);
  w.uint32(1);
}

/** gnostic Any: the value as YAML text (field 2). */
const anyValue = (v: unknown): Fill => (w) => str(w, 2, JSON.stringify(v));

/** repeated NamedAny vendor_extension: every `x-` key of `o`. */
function extensions(w: Writer, field: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith("x-")) continue;
    message(w, field, (na) => {
      str(na, 1, k);
      message(na, 2, anyValue(v));
    });
  }
}

function schema(o: Json): Fill {
  return (w) => {
    str(w, 1, o.$ref);
    str(w, 2, o.format);
    str(w, 3, o.title);
    str(w, 4, o.description);
    if (o.default !== undefined) message(w, 5, anyValue(o.default));
    strs(w, 19, o.required);
    if (o.additionalProperties !== undefined) {
      const ap = o.additionalProperties;
      message(w, 21, (a) => (typeof ap === "boolean" ? (a.tag(2, WIRE_VARINT), a.uint32(ap ? 1 : 0)) : message(a, 1, schema(ap as Json))));
    }
    if (typeof o.type === "string") message(w, 22, (t) => str(t, 1, o.type));
    if (o.items) message(w, 23, (it) => message(it, 1, schema(o.items as Json)));
    if (o.properties) {
      message(w, 25, (p) => {
        for (const [name, s] of Object.entries(o.properties as Json)) message(p, 1, (ns) => (str(ns, 1, name), message(ns, 2, schema(s as Json))));
      });
    }
    extensions(w, 31, o);
  };
}

/** A ParametersItem holding a Parameter (body, or a query/path NonBodyParameter). */
function parameter(p: Json): Fill {
  return (w) =>
    message(w, 1, (param) => {
      if (p.in === "body") {
        message(param, 1, (b) => {
          str(b, 1, p.description);
          str(b, 2, p.name);
          str(b, 3, p.in);
          bool(b, 4, p.required);
          message(b, 5, schema(p.schema as Json));
        });
        return;
      }
      message(param, 2, (nb) => {
        const isPath = p.in === "path";
        message(nb, isPath ? 4 : 3, (s) => {
          bool(s, 1, p.required);
          str(s, 2, p.in);
          str(s, 3, p.description);
          str(s, 4, p.name);
          str(s, isPath ? 5 : 6, p.type);
          bool(s, isPath ? 19 : 20, p.uniqueItems);
        });
      });
    });
}

function operation(o: Json): Fill {
  return (w) => {
    strs(w, 1, o.tags);
    str(w, 3, o.description);
    str(w, 5, o.operationId);
    strs(w, 6, o.produces);
    strs(w, 7, o.consumes);
    for (const p of (o.parameters as Json[] | undefined) ?? []) message(w, 8, parameter(p));
    message(w, 9, (rs) => {
      for (const [code, r] of Object.entries((o.responses as Record<string, Json>) ?? {})) {
        message(rs, 1, (nrv) => {
          str(nrv, 1, code);
          message(nrv, 2, (rv) =>
            message(rv, 1, (resp) => {
              str(resp, 1, r.description);
              if (r.schema) message(resp, 2, (si) => message(si, 1, schema(r.schema as Json)));
            }),
          );
        });
      }
    });
    strs(w, 10, o.schemes);
    extensions(w, 13, o);
  };
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** Encodes a Swagger 2.0 document (as built by openapiV2()) as gnostic's openapi_v2.Document. */
export function encodeOpenAPIV2(doc: Json): Uint8Array {
  const w = new Writer();
  str(w, 1, doc.swagger);
  const info = (doc.info ?? {}) as Json;
  message(w, 2, (i) => (str(i, 1, info.title), str(i, 2, info.version)));
  message(w, 8, (ps) => {
    for (const [path, item] of Object.entries((doc.paths as Record<string, Json>) ?? {})) {
      message(ps, 2, (np) => {
        str(np, 1, path);
        message(np, 2, (pi) => {
          for (const [method, field] of Object.entries(METHOD_FIELDS)) if (item[method]) message(pi, field, operation(item[method] as Json));
          for (const p of (item.parameters as Json[] | undefined) ?? []) message(pi, 9, parameter(p));
        });
      });
    }
  });
  message(w, 9, (ds) => {
    for (const [name, s] of Object.entries((doc.definitions as Record<string, Json>) ?? {})) message(ds, 1, (ns) => (str(ns, 1, name), message(ns, 2, schema(s))));
  });
  for (const req of (doc.security as Array<Record<string, string[]>> | undefined) ?? []) {
    message(w, 12, (sr) => {
      for (const [name, scopes] of Object.entries(req)) message(sr, 1, (nsa) => (str(nsa, 1, name), message(nsa, 2, (sa) => strs(sa, 1, scopes))));
    });
  }
  const secDefs = (doc.securityDefinitions ?? {}) as Record<string, Json>;
  if (Object.keys(secDefs).length) {
    message(w, 13, (sd) => {
      for (const [name, d] of Object.entries(secDefs)) {
        message(sd, 1, (n) => {
          str(n, 1, name);
          // SecurityDefinitionsItem.api_key_security (2): ApiKeySecurity{type, name, in, description}.
          message(n, 2, (item) => message(item, 2, (k) => (str(k, 1, d.type), str(k, 2, d.name), str(k, 3, d.in), str(k, 4, d.description))));
        });
      }
    });
  }
  return w.finish();
}
