// POST /api/v1/namespaces/NS/pods/NAME/binding: the scheduler's (or anyone allowed to create
// pods/binding) way to assign a pod to a node. Validated here, written by the pod's store in one
// transaction (src/registry/binding.ts).
import type { Ctx } from "./context.js";
import type { Resolved } from "./resolve.js";
import { methodNotAllowed } from "../lib/status.js";
import { validateBinding } from "../registry/binding.js";
import { parseDocument, readBody } from "./body.js";
import { writeOptions } from "./query.js";
import { namespaceStore, unwrap } from "./stores.js";

export async function createBinding(c: Ctx, r: Resolved): Promise<Response> {
  if (c.req.method !== "POST") throw methodNotAllowed();
  const req = c.req.raw;
  const { namespace, name } = r.target;
  const type = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim();
  const binding = validateBinding(name!, namespace, parseDocument(await readBody(req), type));
  const dryRun = writeOptions(new URL(req.url).searchParams, undefined).dryRun === true;
  const out = unwrap(await namespaceStore(c.env, namespace).bind(namespace, binding, dryRun));
  return new Response(JSON.stringify(out.body), { status: out.code, headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}
