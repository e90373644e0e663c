// The REST verbs for every resource: parse the request, admit it, hand it to the store that
// owns the object, and render the answer. Generic over kinds; no kind is named here except
// namespaces, whose lifecycle gates writes into them (upstream's NamespaceLifecycle admission).
import type { Ctx } from "./context.js";
import { AUDIT_ANNOTATIONS_HEADER } from "../audit/annotations.js";
import { admitNodeCreate, admitNodeMirrorPodOwner, storedNodeUid } from "../auth/authorizers/node/restriction.js";
import { guardRbacPatch, guardRbacWrite } from "../auth/rbac/write-guard.js";
import type { KindDef, KubeObject } from "../apis/types.js";
import type { Env } from "../env.js";
import { forbidden, methodNotAllowed, notFound, StatusError } from "../lib/status.js";
import type { Target, WriteOptions } from "../registry/requests.js";
import { readObject, readPatch, readBody, parseDocument } from "./body.js";
import { listAcross, streamListAcross, watchAcross } from "./fan-in.js";
import { deleteOptions, isWatch, listQuery, watchQuery, writeOptions } from "./query.js";
import type { Resolved } from "./resolve.js";
import { clusterStore, storeFor, unwrap } from "./stores.js";
import { includeObjectParam, tableResponse, tableWatchStream, toTable, wantsTable } from "./table.js";
import { labelsOption, namespaceLabelsFor } from "../admission/namespace-labels.js";
import { namespaceBeforeUpdate, withExistingPodWarnings } from "../admission/podsecurity/namespace-update.js";
import { keepWatchSlot, watchOwner } from "../limits/watches.js";
import { createTokenRequest } from "./token-request.js";
import { createBinding } from "./binding.js";
import { getPodLog } from "./pod-log.js";
import { createService, updateService } from "./service-writes.js";
import { ensureDefaultServices } from "./default-services.js";


/** Namespaces that always exist and may not be deleted (upstream's immortal namespaces). */
export const IMMORTAL_NAMESPACES = ["default", "kube-system", "kube-public"];
export const INITIAL_NAMESPACES = [...IMMORTAL_NAMESPACES, "kube-node-lease"];

function json(body: unknown, code: number, warnings?: string[]): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-cache, private" };
  const res = new Response(JSON.stringify(body), { status: code, headers });
  for (const w of warnings ?? []) res.headers.append("warning", `299 - "${w.replace(/"/g, '\\"')}"`);
  return res;
}

export async function handleResource(c: Ctx, r: Resolved): Promise<Response> {
  const { target, def } = r;
  const env = c.env;
  const req = c.req.raw;
  const params = new URL(req.url).searchParams;
  const method = req.method;
  const store = storeFor(env, target.namespace);

  const table = method === "GET" && wantsTable(req.headers.get("accept")) && !target.subresource ? includeObjectParam(params) : undefined;

  if (r.collection) {
    if (method === "GET") {
      if (isWatch(params)) {
        const q = watchQuery(params);
        let stream: Response;
        if (def.namespaced && !target.namespace) {
          stream = watchAcross(env, def, target, q, req);
          if (req.headers.get("upgrade")?.toLowerCase() === "websocket") return streamToWebSocket(keepWatchSlot(req, stream));
        } else {
          stream = await forwardWatch(env, target, q, req);
        }
        if (table && stream.status === 200 && stream.body) {
          return new Response(tableWatchStream(def, stream.body, table), { status: 200, headers: stream.headers });
        }
        return stream;
      }
      const q = listQuery(params);
      if (table) {
        // Tables are built from whole pages (kubectl asks for them 500 at a time).
        const body = def.namespaced && !target.namespace ? await listAcross(env, def, target, q) : (unwrap(await store.list(target, q)).body as KubeObject);
        return tableResponse(toTable(def, body, table));
      }
      const unlimited = !q.limit && !q.continue;
      if (def.namespaced && !target.namespace) {
        if (unlimited && q.resourceVersionMatch !== "Exact") return streamListAcross(env, def, target, q);
        return json(await listAcross(env, def, target, q), 200);
      }
      if (unlimited) return streamList(env, target, q);
      return outcome(await store.list(target, q));
    }
    if (method === "POST") {
      if (def.namespaced && !target.namespace) throw methodNotAllowed();
      const { body, duplicates } = await readObject(req, def);
      admitNodeCreate(c.get("user"), def, body);
      await admitNodeMirrorPodOwner(c.get("user"), def, body, (node) => storedNodeUid(env, node));
      const nsLabels = await admitCreate(env, def, target, body);
      await guardRbacWrite(env, c.get("user"), def, target, body);
      const opts = { ...writeOptions(params, req.headers.get("user-agent")), duplicateFields: duplicates, ...nsLabels };
      if (isService(def)) return outcome(await createService(env, store, target, body, opts));
      return outcome(await store.create(target, body, opts));
    }
    if (method === "DELETE") {
      if (def.namespaced && !target.namespace) throw methodNotAllowed();
      const body = await optionalBody(req);
      return outcome(await store.deleteCollection(target, listQuery(params), deleteOptions(params, body)));
    }
    throw methodNotAllowed();
  }

  const sub = target.subresource;
  if (sub === "finalize" && method === "PUT" && def.group === "" && def.kind === "Namespace") {
    const { body } = await readObject(req, def);
    return outcome(await store.update(target, body, writeOptions(params, req.headers.get("user-agent"))));
  }
  if (sub === "token" && def.group === "" && def.kind === "ServiceAccount") return createTokenRequest(c, r);
  if (sub === "binding" && def.group === "" && def.kind === "Pod") return createBinding(c, r);
  if (sub === "log" && def.group === "" && def.kind === "Pod") return getPodLog(c, r);
  if (sub && sub !== "status" && sub !== "scale") {
    // Served by later components (the node agent's exec, attach, port-forward).
    throw methodNotAllowed();
  }
  switch (method) {
    case "GET": {
      const got = await store.get(target);
      if (table && got.ok) return tableResponse(toTable(def, got.body as KubeObject, table));
      return outcome(got);
    }
    case "PUT": {
      const { body, duplicates } =
        sub === "scale" ? await readObject(req, def, "Scale", "autoscaling/v1") : await readObject(req, def);
      const opts = { ...writeOptions(params, req.headers.get("user-agent")), duplicateFields: duplicates, ...(await namespaceLabelsFor(env, def, target)) };
      await guardRbacWrite(env, c.get("user"), def, target, body);
      const before = await namespaceBeforeUpdate(env, def, target); // PodSecurity: a stricter enforce label warns about existing pods
      if (!sub && isService(def)) return outcome(await updateService(env, store, target, (o) => store.update(target, body, o), opts));
      if (sub || !def.allowCreateOnUpdate || !def.namespaced) return outcome(await withExistingPodWarnings(env, before, await store.update(target, body, opts)));
      // A PUT that may create (leases, events, endpoints): update in one call when the object
      // exists; only a create needs the namespace admitted first.
      const updated = await store.update(target, body, { ...opts, noCreate: true });
      if (updated.ok || updated.status.code !== 404) return outcome(updated);
      const nsLabels = await admitCreate(env, def, target, body);
      return outcome(await store.update(target, body, { ...opts, ...nsLabels }));
    }
    case "PATCH": {
      const { type, patch } = await readPatch(req);
      const opts = { ...writeOptions(params, req.headers.get("user-agent")), ...(await namespaceLabelsFor(env, def, target)) };
      const guarded = await guardRbacPatch(env, c.get("user"), def, target, type, patch, opts);
      if (!sub && isService(def)) return outcome(await updateService(env, store, target, (o) => store.patch(target, type, guarded, o), opts));
      const before = await namespaceBeforeUpdate(env, def, target);
      return outcome(await withExistingPodWarnings(env, before, await store.patch(target, type, guarded, opts)));
    }
    case "DELETE": {
      if (sub) throw methodNotAllowed();
      if (def.group === "" && def.kind === "Namespace" && IMMORTAL_NAMESPACES.includes(target.name!)) {
        throw forbidden({ group: "", resource: "namespaces" }, target.name!, "this namespace may not be deleted");
      }
      const body = await optionalBody(req);
      return outcome(await store.delete(target, deleteOptions(params, body)));
    }
    default:
      throw methodNotAllowed();
  }
}

/** Services get their cluster IP and node ports from the cluster-wide allocator (service-writes.ts). */
const isService = (def: KindDef): boolean => def.group === "" && def.kind === "Service";

async function optionalBody(req: Request): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === "") return undefined;
  return parseDocument(text, (req.headers.get("content-type") ?? "application/json").split(";")[0].trim());
}

function outcome(o: Awaited<ReturnType<ReturnType<typeof storeFor>["get"]>>): Response {
  const r = unwrap(o);
  const res = json(r.body, r.code, r.warnings);
  if (r.auditAnnotations) res.headers.set(AUDIT_ANNOTATIONS_HEADER, JSON.stringify(r.auditAnnotations));
  return res;
}

/** Writes into a namespace need the namespace to exist and not to be terminating; its labels go to the store's admission. */
async function admitCreate(env: Env, def: KindDef, target: Target, body: unknown): Promise<Pick<WriteOptions, "namespaceLabels">> {
  if (!def.namespaced) return {};
  const ns = target.namespace;
  const got = await clusterStore(env).get({ group: "", version: "v1", resource: "namespaces", namespace: "", name: ns });
  if (!got.ok) {
    if (got.status.code === 404) throw notFound({ group: "", resource: "namespaces" }, ns);
    throw new StatusError(got.status);
  }
  const nsObj = got.body as KubeObject;
  if (nsObj.metadata.deletionTimestamp || (nsObj.status as { phase?: string } | undefined)?.phase === "Terminating") {
    const name = ((body as KubeObject)?.metadata?.name as string | undefined) ?? target.name ?? "";
    const err = forbidden({ group: def.group, resource: def.plural }, name, `unable to create new content in namespace ${ns} because it is being terminated`);
    err.status.details!.causes = [{ reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" }];
    throw err;
  }
  return labelsOption(nsObj);
}

/**
 * A watch across namespaces asked for over WebSocket: the Worker holds the socket and sends
 * each event of the merged stream as one message, as a namespace store does for its own.
 */
function streamToWebSocket(stream: Response): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  server.addEventListener("close", () => void reader.cancel().catch(() => undefined));
  void (async () => {
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) server.send(line);
        }
      }
      server.close(1000, "watch ended");
    } catch {
      try {
        server.close(1011, "watch failed");
      } catch {
        // already closed
      }
    }
  })();
  return new Response(null, { status: 101, webSocket: client });
}

/** A list without a limit, streamed from the store page by page. */
async function streamList(env: Env, target: Target, q: ReturnType<typeof listQuery>): Promise<Response> {
  const headers = new Headers({ "x-edgeplane-list": JSON.stringify({ target, query: q }) });
  const res = await storeFor(env, target.namespace).fetch(new Request("https://store/list", { headers }));
  return new Response(res.body, { status: res.status, headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}

async function forwardWatch(env: Env, target: Target, q: ReturnType<typeof watchQuery>, req: Request): Promise<Response> {
  // owner: whose WebSocket watches the store counts (src/limits/watches.ts).
  const headers = new Headers({ "x-edgeplane-watch": JSON.stringify({ target, query: q, owner: watchOwner(req) }) });
  const upgrade = req.headers.get("upgrade");
  if (upgrade) headers.set("upgrade", upgrade);
  const res = await storeFor(env, target.namespace).fetch(new Request("https://store/watch", { headers, signal: req.signal }));
  if (res.status === 101) return res;
  return new Response(res.body, { status: res.status, headers: res.headers });
}

async function createInitialNamespaces(env: Env): Promise<void> {
  const store = clusterStore(env);
  for (const name of INITIAL_NAMESPACES) {
    const t: Target = { group: "", version: "v1", resource: "namespaces", namespace: "" };
    const o = await store.create(t, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, {});
    if (!o.ok && o.status.code !== 409) throw new StatusError(o.status);
  }
}

/** What a cluster starts with, in order; every step is idempotent. */
const BOOTSTRAP_STEPS: Array<(env: Env) => Promise<void>> = [
  createInitialNamespaces,
  // The default ClusterRoles and ClusterRoleBindings (src/auth/rbac/bootstrap-policy.ts).
  (env) => clusterStore(env).ensureRbacDefaults(),
  // `kubernetes` and `kube-dns` (src/api/default-services.ts), after the namespaces they live in.
  ensureDefaultServices,
];

/** Runs the bootstrap steps once per isolate. */
let bootstrapped: Promise<void> | undefined;
export function ensureBootstrap(env: Env): Promise<void> {
  bootstrapped ??= (async () => {
    for (const step of BOOTSTRAP_STEPS) await step(env);
  })().catch((e) => {
    bootstrapped = undefined;
    throw e;
  });
  return bootstrapped;
}
