// The audit middleware (k8s.io/apiserver's WithAudit): outermost in the app, so every request
// gets one record, including those refused by authentication (401), authorization (403) and the
// abuse limits (429). The response is never delayed: bodies are read from clones and the event
// is finished and sent after the response, under ctx.waitUntil, in per-isolate batches.
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Ctx } from "../api/context.js";
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from "../api/protobuf/index.js";
import { StatusError, isStatus, type Status } from "../lib/status.js";
import { parseJsonDocument, parseYamlDocument } from "../limits/documents.js";
import { batcher } from "./batcher.js";
import {
  AUDIT_API_VERSION,
  SENSITIVE_KINDS,
  atLeast,
  auditIdFrom,
  configuredLevel,
  levelFor,
  microTime,
  objectRefOf,
  responseStatusOf,
  sourceIPs,
  userAgentOf,
  userOf,
  type AuditEvent,
} from "./event.js";
import type { AuditRecord } from "./log.js";
import { requestInfoOf } from "./request-info.js";
import { requestorOf } from "./requestor.js";

/** An event's JSON larger than this loses its request and response objects (upstream's truncating backend, 100 KiB). */
export const MAX_EVENT_BYTES = 100 * 1024;
/** Bytes of an error response read for its Status. */
const MAX_STATUS_BYTES = 64 * 1024;
/** Bytes of a create's response read to learn the created object's name. */
const MAX_CREATED_BYTES = 2 * 1024 * 1024;
/** Answers whose bodies are never recorded: the caller was not let in. */
const REFUSED = new Set([401, 403, 429]);

function waitUntilOf(c: Ctx): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined; // app.fetch without an ExecutionContext (unit tests)
  }
}

import { takeAnnotations } from "./annotations.js";

export const audit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const configured = configuredLevel(c.env.AUDIT_LEVEL);
  if (configured === "None") {
    await next();
    takeAnnotations(c);
    return;
  }
  const received = Date.now();
  const req = c.req.raw;
  const url = new URL(req.url);
  const info = requestInfoOf(c);
  const level = levelFor(configured, info);
  const auditID = auditIdFrom(req.headers.get("audit-id"));
  const requestBody = atLeast(level, "Request") && ["POST", "PUT", "PATCH", "DELETE"].includes(req.method) && req.body ? req.clone() : undefined;

  await next();

  const completed = Date.now();
  const annotations = takeAnnotations(c);
  const res = c.res;
  try {
    if (res.status !== 101) res.headers.set("Audit-ID", auditID);
  } catch {
    // immutable headers (a response passed through from a Durable Object)
  }
  try {
    const watch = info.verb === "watch";
    const requestor = requestorOf(req);
    const actingAs = c.get("user");
    const ips = sourceIPs(req.headers);
    // Fields in upstream's order, so records read the same as kube-apiserver's.
    const ev: AuditEvent = {
      kind: "Event",
      apiVersion: AUDIT_API_VERSION,
      level,
      auditID,
      // A watch is recorded once its response starts: it may then stay open for an hour.
      stage: watch ? "ResponseStarted" : "ResponseComplete",
      requestURI: url.pathname + url.search,
      verb: info.verb,
      user: userOf(requestor ?? actingAs),
      impersonatedUser: requestor && actingAs && actingAs !== requestor ? userOf(actingAs) : undefined,
      sourceIPs: ips.length ? ips : undefined,
      userAgent: userAgentOf(req.headers),
      objectRef: objectRefOf(info),
      responseStatus: undefined,
      requestObject: undefined,
      responseObject: undefined,
      requestReceivedTimestamp: microTime(received),
      stageTimestamp: microTime(completed),
      annotations,
    };

    const code = res.status;
    const knownStatus = c.error instanceof StatusError ? c.error.status : undefined;
    const streamed = watch || code === 101 || !res.body;
    const bodies = !REFUSED.has(code);
    const jsonish = /json|yaml/i.test(res.headers.get("content-type") ?? "");
    const wantsStatus = !knownStatus && code >= 400 && !streamed && jsonish;
    const wantsResponse = bodies && atLeast(level, "RequestResponse") && !streamed && jsonish;
    const wantsName = info.isResourceRequest && info.verb === "create" && !info.name && code < 300 && !streamed;
    const responseClone = wantsStatus || wantsResponse || wantsName ? res.clone() : undefined;
    const requestClone = bodies ? requestBody : undefined;
    if (requestBody && !requestClone) void requestBody.body?.cancel().catch(() => undefined);

    if (!responseClone && !requestClone) {
      ev.responseStatus = responseStatusOf(code, knownStatus);
      record(c, ev, received);
      return;
    }
    const finish = (async () => {
      let responseObject: unknown;
      if (responseClone) {
        const cap = wantsName ? MAX_CREATED_BYTES : wantsResponse ? MAX_EVENT_BYTES : MAX_STATUS_BYTES;
        responseObject = await readDocument(responseClone, cap);
      }
      ev.responseStatus = responseStatusOf(code, knownStatus ?? (isStatus(responseObject) ? (responseObject as Status) : undefined));
      if (wantsName && ev.objectRef) {
        const name = (responseObject as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
        if (typeof name === "string") ev.objectRef.name = name;
      }
      if (requestClone) {
        const obj = await readDocument(requestClone, MAX_EVENT_BYTES);
        if (obj === TOO_BIG) truncated(ev);
        else if (obj !== undefined && !isSensitive(obj)) ev.requestObject = obj;
      }
      if (wantsResponse && responseObject !== undefined) {
        if (responseObject === TOO_BIG) truncated(ev);
        else if (!isSensitive(responseObject)) ev.responseObject = responseObject;
      }
      record(c, ev, received);
    })().catch((e) => console.warn("audit: could not finish an event:", e instanceof Error ? e.message : e));
    const waitUntil = waitUntilOf(c);
    if (waitUntil) waitUntil(finish);
  } catch (e) {
    console.warn("audit: could not record a request:", e instanceof Error ? e.message : e);
  }
};

function record(c: Ctx, ev: AuditEvent, received: number): void {
  let json = JSON.stringify(ev);
  if (json.length > MAX_EVENT_BYTES && (ev.requestObject !== undefined || ev.responseObject !== undefined)) {
    delete ev.requestObject;
    delete ev.responseObject;
    truncated(ev);
    json = JSON.stringify(ev);
  }
  const r: AuditRecord = { ts: received, username: ev.user.username ?? "", event: json };
  batcher.add(r, c.env, waitUntilOf(c));
}

function truncated(ev: AuditEvent): void {
  ev.annotations = { ...ev.annotations, "audit.k8s.io/truncated": "true" };
}

/** Objects of kinds that carry credentials, whatever URL they travelled on. */
function isSensitive(obj: unknown): boolean {
  const kind = (obj as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" && SENSITIVE_KINDS.has(kind);
}

const TOO_BIG = Symbol("too big");

/** A request's or response's body as a value: undefined when absent or unreadable, TOO_BIG past `cap` bytes. */
async function readDocument(m: Request | Response, cap: number): Promise<unknown> {
  if (!m.body) return undefined;
  const reader = m.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        await reader.cancel().catch(() => undefined);
        return TOO_BIG;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const ch of chunks) {
    bytes.set(ch, off);
    off += ch.byteLength;
  }
  const type = (m.headers.get("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
  try {
    if (type === PROTOBUF_CONTENT_TYPE) return decodeProtobufObject(bytes).object;
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === "") return undefined;
    return type.includes("yaml") ? parseYamlDocument(text) : parseJsonDocument(text);
  } catch {
    return undefined;
  }
}
