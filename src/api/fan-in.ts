// Lists and watches across namespaces (`/api/v1/pods`, `kubectl get -A`): fanned in from the
// namespace stores, with one opaque resourceVersion holding a revision per store. Namespaces
// created while a watch runs are picked up from a watch on the namespace list.
import type { KindDef, KubeObject } from "../apis/types.js";
import { encodeContinue } from "../registry/continue-token.js";
import { buildPredicate } from "../registry/predicate.js";
import { watchResponseHeaders } from "../registry/watch-events.js";
import type { Env } from "../env.js";
import { badRequest, expired, StatusError } from "../lib/status.js";
import { decodeRevisions, encodeRevisions, type Revisions } from "../registry/composite-rv.js";
import { apiVersionOf } from "../registry/kind-names.js";
import type { ListQuery, Target, WatchQuery } from "../registry/requests.js";
import { clusterStore, namespaceStore, unwrap } from "./stores.js";

const CONTINUE_PREFIX = "ep1c.";

interface CrossContinue {
  revs: Revisions;
  ns: string;
  start: string;
}

function encodeCrossContinue(c: CrossContinue): string {
  return CONTINUE_PREFIX + btoa(JSON.stringify(c)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCrossContinue(s: string): CrossContinue {
  try {
    if (!s.startsWith(CONTINUE_PREFIX)) throw new Error("prefix");
    const c = JSON.parse(atob(s.slice(CONTINUE_PREFIX.length).replace(/-/g, "+").replace(/_/g, "/"))) as CrossContinue;
    if (typeof c.ns !== "string" || typeof c.start !== "string" || typeof c.revs !== "object") throw new Error("shape");
    return c;
  } catch {
    throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
}

const NAMESPACES: Target = { group: "", version: "v1", resource: "namespaces", namespace: "" };

export async function namespaceNames(env: Env): Promise<string[]> {
  const list = unwrap(await clusterStore(env).list(NAMESPACES, {})).body as { items: KubeObject[] };
  return list.items.map((n) => n.metadata.name as string).sort();
}

export async function listAcross(env: Env, def: KindDef, target: Target, q: ListQuery): Promise<KubeObject> {
  let revs: Revisions;
  let namespaces: string[];
  let startNs = "";
  let startAfter = "";
  if (q.continue) {
    if (q.resourceVersion && q.resourceVersion !== "0") {
      throw badRequest("specifying resource version is not allowed when using continue");
    }
    const c = decodeCrossContinue(q.continue);
    revs = c.revs;
    namespaces = Object.keys(revs).sort();
    startNs = c.ns;
    startAfter = c.start;
  } else {
    const asked = q.resourceVersion ? decodeRevisions(q.resourceVersion) : undefined;
    if (q.resourceVersion && !asked && !/^\d+$/.test(q.resourceVersion)) throw badRequest(`invalid resource version: ${JSON.stringify(q.resourceVersion)}`);
    namespaces = await namespaceNames(env);
    if (q.resourceVersionMatch === "Exact" && asked) {
      // The token names the stores of its snapshot; namespaces created since held nothing then.
      revs = asked;
      namespaces = Object.keys(asked).sort();
    } else if (!q.limit) {
      // One round: every store lists at its current revision.
      const results = await Promise.all(
        namespaces.map(async (ns) => {
          const body = unwrap(await namespaceStore(env, ns).list({ ...target, namespace: ns }, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector })).body as KubeObject;
          return { ns, body };
        }),
      );
      const out: Revisions = {};
      const items: KubeObject[] = [];
      for (const r of results) {
        out[r.ns] = Number((r.body.metadata as { resourceVersion: string }).resourceVersion);
        items.push(...(r.body.items as KubeObject[]));
      }
      return { apiVersion: apiVersionOf(def), kind: def.listKind, metadata: { resourceVersion: encodeRevisions(out) }, items };
    } else {
      revs = {};
      await Promise.all(namespaces.map(async (ns) => void (revs[ns] = await namespaceStore(env, ns).revision())));
    }
  }
  // Paginated (or exact) walk through the namespaces in name order, each at its recorded revision.
  const items: KubeObject[] = [];
  const limit = q.limit && q.limit > 0 ? q.limit : 0;
  let next: CrossContinue | undefined;
  for (const ns of namespaces) {
    // A store with no revision at the snapshot held nothing then; later writes are not in it.
    if (ns < startNs || !revs[ns]) continue;
    const remaining = limit ? limit - items.length : 0;
    const inner: ListQuery = { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, resourceVersion: String(revs[ns]), resourceVersionMatch: "Exact" };
    if (remaining) inner.limit = remaining;
    if (ns === startNs && startAfter) {
      inner.continue = encodeContinue(revs[ns], startAfter);
      delete inner.resourceVersion;
      delete inner.resourceVersionMatch;
    }
    const res = await namespaceStore(env, ns).list({ ...target, namespace: ns }, inner);
    if (!res.ok) {
      if (res.status.code === 410) throw expired(res.status.message ?? "Expired");
      throw new StatusError(res.status);
    }
    const body = res.body as KubeObject;
    items.push(...(body.items as KubeObject[]));
    const cont = (body.metadata as { continue?: string }).continue;
    if (limit && items.length >= limit) {
      if (cont) {
        next = { revs, ns, start: (items[items.length - 1].metadata.name as string) };
      } else {
        const after = namespaces.find((n) => n > ns);
        if (after) next = { revs, ns: after, start: "" };
      }
      break;
    }
  }
  const metadata: Record<string, unknown> = { resourceVersion: encodeRevisions(revs) };
  if (next) metadata.continue = encodeCrossContinue(next);
  return { apiVersion: apiVersionOf(def), kind: def.listKind, metadata, items };
}


/** A watch across namespaces: one upstream watch per namespace store, merged into one stream. */
export function watchAcross(env: Env, def: KindDef, target: Target, q: WatchQuery, request: Request): Response {
  let revs: Revisions | undefined;
  if (q.resourceVersion && q.resourceVersion !== "0") {
    revs = decodeRevisions(q.resourceVersion);
    if (!revs) {
      if (/^\d+$/.test(q.resourceVersion)) throw expired(`too old resource version: ${q.resourceVersion} (a resourceVersion from a list across namespaces is needed)`);
      throw badRequest(`invalid resource version: ${JSON.stringify(q.resourceVersion)}`);
    }
  }
  const current: Revisions = { ...(revs ?? {}) };
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  const upstreams = new Map<string, AbortController>();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const a of upstreams.values()) a.abort();
    upstreams.clear();
    writer.close().catch(() => undefined);
  };
  const emit = (line: unknown) => {
    if (closed) return;
    writer.write(enc.encode(JSON.stringify(line) + "\n")).catch(close);
  };
  request.signal?.addEventListener?.("abort", close);
  writer.closed.catch(close);

  const openWatch = (stubTarget: Target, ns: string | undefined, query: WatchQuery, onEvent: (e: { type: string; object: KubeObject }) => void) => {
    const ac = new AbortController();
    const key = ns ?? "";
    upstreams.set(key, ac);
    const stub = ns === undefined ? clusterStore(env) : namespaceStore(env, ns);
    const req = new Request("https://store/watch", { headers: { "x-edgeplane-watch": JSON.stringify({ target: stubTarget, query }) }, signal: ac.signal });
    void (async () => {
      try {
        const res = await stub.fetch(req);
        if (!res.body) return;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done || closed) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) onEvent(JSON.parse(line));
          }
        }
      } catch {
        // aborted or the store went away; the end of the stream below tells the client
      }
      if (!closed && upstreams.get(key) === ac) close();
    })();
  };

  const onStoreEvent = (ns: string) => (e: { type: string; object: KubeObject }) => {
    if (e.type === "ERROR") {
      emit(e);
      close();
      return;
    }
    const rv = Number(e.object.metadata?.resourceVersion);
    if (Number.isFinite(rv)) current[ns] = Math.max(current[ns] ?? 0, rv);
    const token = encodeRevisions(current);
    if (e.type === "BOOKMARK") {
      if (q.allowWatchBookmarks) emit({ type: "BOOKMARK", object: { ...e.object, metadata: { ...e.object.metadata, resourceVersion: token } } });
      return;
    }
    emit({ type: e.type, object: { ...e.object, metadata: { ...e.object.metadata, resourceVersion: token } } });
  };

  const openNamespace = (ns: string) => {
    if (upstreams.has(ns)) return;
    const from = revs?.[ns];
    const query: WatchQuery = { ...q, allowWatchBookmarks: true, resourceVersion: from !== undefined ? String(from) : undefined };
    openWatch({ ...target, namespace: ns }, ns, query, onStoreEvent(ns));
  };

  // The namespace list drives which stores are watched, including namespaces created later.
  openWatch(NAMESPACES, undefined, { timeoutSeconds: q.timeoutSeconds }, (e) => {
    const name = e.object.metadata?.name as string | undefined;
    if (!name) return;
    if (e.type === "ADDED" || e.type === "MODIFIED") openNamespace(name);
    if (e.type === "DELETED") {
      upstreams.get(name)?.abort();
      upstreams.delete(name);
    }
  });
  if (q.timeoutSeconds !== undefined) setTimeout(close, q.timeoutSeconds * 1000);
  return new Response(readable, { headers: watchResponseHeaders() });
}

/**
 * A list across namespaces without a limit, streamed: every store's items are piped through
 * as they are read, each store at the revision recorded first, so memory stays bounded.
 */
export async function streamListAcross(env: Env, def: KindDef, target: Target, q: ListQuery): Promise<Response> {
  // Selectors are checked here so that a bad one is a 400, not a broken stream.
  buildPredicate(def, q.labelSelector, q.fieldSelector);
  if (q.resourceVersion && !decodeRevisions(q.resourceVersion) && !/^\d+$/.test(q.resourceVersion)) {
    throw badRequest(`invalid resource version: ${JSON.stringify(q.resourceVersion)}`);
  }
  const namespaces = await namespaceNames(env);
  const revs: Revisions = {};
  await Promise.all(namespaces.map(async (ns) => void (revs[ns] = await namespaceStore(env, ns).revision())));
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  void (async () => {
    try {
      await writer.write(
        enc.encode(`{"apiVersion":${JSON.stringify(apiVersionOf(def))},"kind":${JSON.stringify(def.listKind)},"metadata":{"resourceVersion":"${encodeRevisions(revs)}"},"items":[`),
      );
      let first = true;
      for (const ns of namespaces) {
        const query: ListQuery = { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector };
        if (revs[ns] > 0) Object.assign(query, { resourceVersion: String(revs[ns]), resourceVersionMatch: "Exact" });
        const headers = new Headers({ "x-edgeplane-list": JSON.stringify({ target: { ...target, namespace: ns }, query, itemsOnly: true }) });
        const res = await namespaceStore(env, ns).fetch(new Request("https://store/list", { headers }));
        if (!res.ok || !res.body) throw new Error(`listing namespace ${ns} failed: HTTP ${res.status} ${await res.text()}`);
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          let chunk = value;
          // Each store's items come with a leading comma; the very first item of the list takes none.
          if (first && chunk.length > 0) {
            if (chunk[0] === 44) chunk = chunk.subarray(1);
            first = false;
          }
          if (chunk.length) await writer.write(chunk);
        }
      }
      await writer.write(enc.encode("]}"));
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => undefined);
    }
  })();
  return new Response(readable, { headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}
