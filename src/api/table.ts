// Server-side printing: when a client asks for `as=Table` (kubectl get does), answer with a
// meta.k8s.io/v1 Table from the kind's printer, for gets, lists and every watch event.
import type { KindDef, KubeObject } from "../apis/types.js";
import { badRequest } from "../lib/status.js";
import { tableFor, type Table } from "./printers/index.js";

export const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

export type IncludeObject = "None" | "Metadata" | "Object";

/** Whether the Accept header asks for a meta.k8s.io Table (v1, or v1beta1 which we answer as v1). */
export function wantsTable(accept: string | null | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params[0] === "application/json" && params.includes("as=Table") && params.includes("g=meta.k8s.io");
  });
}

export function includeObjectParam(params: URLSearchParams): IncludeObject {
  const v = params.get("includeObject");
  if (v === null || v === "") return "Metadata";
  if (v === "None" || v === "Metadata" || v === "Object") return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

/** A Table of a list body (`items` and list metadata) or of one object. */
export function toTable(def: KindDef, body: KubeObject, includeObject: IncludeObject): Table {
  const now = Date.now();
  if (Array.isArray(body.items)) {
    const items = (body.items as KubeObject[]).map((o) => ({ apiVersion: body.apiVersion as string, kind: def.kind, ...o }));
    return tableFor(def.group, def.kind, items, { now, includeObject, listMeta: body.metadata as Table["metadata"] });
  }
  return tableFor(def.group, def.kind, [body], { now, includeObject, listMeta: { resourceVersion: body.metadata?.resourceVersion } });
}

export function tableResponse(table: Table, code = 200): Response {
  return new Response(JSON.stringify(table), { status: code, headers: { "content-type": TABLE_CONTENT_TYPE, "cache-control": "no-cache, private" } });
}

/** Rewrites a watch stream's events so each object is a one-row Table with its columns. */
export function tableWatchStream(def: KindDef, body: ReadableStream<Uint8Array>, includeObject: IncludeObject): ReadableStream<Uint8Array> {
  let buf = "";
  const enc = new TextEncoder();
  const convert = (line: string): string => {
    const e = JSON.parse(line) as { type: string; object: KubeObject };
    if (e.type === "ERROR") return line;
    if (e.type === "BOOKMARK") return line;
    return JSON.stringify({ type: e.type, object: toTable(def, e.object, includeObject) });
  };
  return body.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        buf += chunk;
        let i: number;
        let out = "";
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) out += convert(line) + "\n";
        }
        if (out) controller.enqueue(enc.encode(out));
      },
    }),
  );
}
