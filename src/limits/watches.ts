// Open watches per user. A watch over chunked HTTP (kubectl, client-go) is held by the Worker
// isolate that pipes the store's stream to the client, so it is counted there and released when
// the stream ends or the client leaves. A WebSocket watch on one namespace is held by that
// namespace's store (Hibernation API; the Worker is out of the path after the upgrade), so the
// store counts it, by a socket tag that survives hibernation. A WebSocket watch across namespaces
// is pumped by the Worker, so the Worker counts it like an HTTP one.
import { tooManyRequestsResponse } from "./config.js";
import type { Release } from "./counters.js";

/** Seconds a client refused a watch is asked to wait. */
export const WATCH_RETRY_AFTER_SECONDS = 5;

/** What a store needs to bound a user's WebSocket watches (absent: the user is not limited). */
export interface WatchOwner {
  user: string;
  max: number;
}

interface Held {
  owner?: WatchOwner;
  release: Release;
  /** The slot now belongs to a stream the handler built (a WebSocket across namespaces). */
  handedOff: boolean;
}

/** Watches in this request's handling, keyed by the Request object the routes see as c.req.raw. */
const held = new WeakMap<Request, Held>();

export function holdWatch(req: Request, release: Release, owner: WatchOwner | undefined): void {
  held.set(req, { owner, release, handedOff: false });
}

/** The owner to tell a store opening a WebSocket watch for this request (handlers.ts). */
export function watchOwner(req: Request): WatchOwner | undefined {
  return held.get(req)?.owner;
}

/**
 * A stream the handler turns into a WebSocket itself (a watch across namespaces): the request's
 * slot is released when the stream ends or its reader cancels it (the socket closed).
 */
export function keepWatchSlot(req: Request, stream: Response): Response {
  const h = held.get(req);
  if (!h || !stream.body) return stream;
  h.handedOff = true;
  return new Response(releasingBody(stream.body, h.release), { status: stream.status, statusText: stream.statusText, headers: stream.headers });
}

/** After the handler: keep the slot for the life of the response body, or give it back. */
export function settleWatch(req: Request, res: Response): Response {
  const h = held.get(req);
  if (!h) return res;
  held.delete(req);
  if (h.handedOff) return res;
  if (res.status === 200 && res.body) {
    return new Response(releasingBody(res.body, h.release), { status: res.status, statusText: res.statusText, headers: res.headers });
  }
  // An error, or a WebSocket held by a store (which counts it).
  h.release();
  return res;
}

/** Forgets a request whose handling threw (its slot is free again). */
export function dropWatch(req: Request): void {
  const h = held.get(req);
  held.delete(req);
  if (h && !h.handedOff) h.release();
}

/** `body`, calling `release` once when it ends, fails or is cancelled. */
function releasingBody(body: ReadableStream<Uint8Array>, release: Release): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch (e) {
          release();
          controller.error(e);
        }
      },
      async cancel(reason) {
        release();
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

// ---- in the store: WebSocket watches by socket tag ----

/** FNV-1a, hex: a username may be longer than a socket tag may be (256). */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

export function ownerTag(user: string): string {
  return user.length <= 200 ? `watch-user:${user}` : `watch-user#${fnv(user)}:${user.slice(0, 180)}`;
}

/** The tags to accept a watch socket with. */
export function ownerTags(owner: WatchOwner | undefined): string[] {
  return owner ? [ownerTag(owner.user)] : [];
}

/** A 429 when the owner already has `max` watch sockets on this store; undefined to go ahead. */
export function refuseExcessSocket(ctx: DurableObjectState, owner: WatchOwner | undefined): Response | undefined {
  if (!owner || owner.max <= 0) return undefined;
  const open = ctx.getWebSockets(ownerTag(owner.user)).length;
  if (open < owner.max) return undefined;
  return tooManyRequestsResponse(WATCH_RETRY_AFTER_SECONDS, `user ${JSON.stringify(owner.user)} has ${open} open WebSocket watches on this store (limit ${owner.max})`);
}
