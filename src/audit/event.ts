// audit.k8s.io/v1 Events as kube-apiserver writes them, and the policy that picks each request's
// level: one Worker-wide level (AUDIT_LEVEL), never more than Metadata for non-resource requests
// (as upstream) nor for Secrets, ConfigMaps and tokens (as upstream's recommended policies).
import type { Status } from "../lib/status.js";
import type { UserInfo } from "../auth/user.js";
import type { RequestInfo } from "./request-info.js";

export const AUDIT_API_VERSION = "audit.k8s.io/v1";

export type Level = "None" | "Metadata" | "Request" | "RequestResponse";
export type Stage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";

const LEVELS: Level[] = ["None", "Metadata", "Request", "RequestResponse"];

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface AuditEvent {
  kind: "Event";
  apiVersion: typeof AUDIT_API_VERSION;
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  /** Empty when the request did not authenticate. */
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  /** The user the request acted as, when it impersonated one. */
  impersonatedUser?: AuditEvent["user"];
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: Partial<Status> & { metadata: Record<string, unknown>; code: number };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export interface EventList {
  kind: "EventList";
  apiVersion: typeof AUDIT_API_VERSION;
  metadata: { resourceVersion?: string };
  items: AuditEvent[];
}

/** AUDIT_LEVEL, Metadata when unset; a value that is not a level also means Metadata (never silence by typo). */
export function configuredLevel(value: string | undefined): Level {
  return LEVELS.find((l) => l.toLowerCase() === (value ?? "").trim().toLowerCase()) ?? "Metadata";
}

/** Resources whose bodies carry credentials: recorded at Metadata whatever the configured level. */
const METADATA_ONLY: Array<{ group: string; resource: string; subresource?: string }> = [
  { group: "", resource: "secrets" },
  { group: "", resource: "configmaps" },
  { group: "", resource: "serviceaccounts", subresource: "token" },
  { group: "authentication.k8s.io", resource: "tokenreviews" },
  { group: "authentication.edgeplane.dev", resource: "nodecredentialrequests" },
];

/** Kinds never recorded as request or response objects, whatever URL they came to or from. */
export const SENSITIVE_KINDS = new Set(["Secret", "SecretList", "ConfigMap", "ConfigMapList", "TokenRequest", "TokenReview", "NodeCredentialRequest"]);

export function levelFor(configured: Level, info: RequestInfo): Level {
  if (configured === "None" || configured === "Metadata") return configured;
  if (!info.isResourceRequest) return "Metadata";
  const sensitive = METADATA_ONLY.some(
    (m) => m.group === info.apiGroup && m.resource === info.resource && (m.subresource === undefined || m.subresource === info.subresource),
  );
  return sensitive ? "Metadata" : configured;
}

export function atLeast(level: Level, wanted: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(wanted);
}

/** metav1.MicroTime: RFC 3339 with microseconds (JavaScript's clock has milliseconds). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function objectRefOf(info: RequestInfo): ObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: ObjectReference = {};
  if (info.resource) ref.resource = info.resource;
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  if (info.apiGroup) ref.apiGroup = info.apiGroup;
  if (info.apiVersion) ref.apiVersion = info.apiVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

export function userOf(u: UserInfo | undefined): AuditEvent["user"] {
  if (!u) return {};
  const out: AuditEvent["user"] = { username: u.username };
  if (u.uid) out.uid = u.uid;
  out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

const IP = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * utilnet.SourceIPs: the X-Forwarded-For chain, then X-Real-IP, then the peer, which on
 * Cloudflare is CF-Connecting-IP. Only strings shaped like addresses are kept.
 */
export function sourceIPs(headers: Headers): string[] {
  const out: string[] = [];
  const add = (v: string | null | undefined) => {
    const ip = v?.trim();
    if (ip && IP.test(ip) && !out.includes(ip) && out.length < 16) out.push(ip);
  };
  for (const ip of (headers.get("x-forwarded-for") ?? "").split(",")) add(ip);
  add(headers.get("x-real-ip"));
  add(headers.get("cf-connecting-ip"));
  return out;
}

const MAX_USER_AGENT = 1024;

/** Upstream truncates user agents longer than 1024 characters the same way. */
export function userAgentOf(headers: Headers): string | undefined {
  const ua = headers.get("user-agent");
  if (!ua) return undefined;
  return ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT)}...TRUNCATED` : ua;
}

/** The client's Audit-ID when it sent a sane one (as upstream honours), else a new UUID. */
export function auditIdFrom(header: string | null): string {
  if (header && /^[A-Za-z0-9._:-]{1,128}$/.test(header)) return header;
  return crypto.randomUUID();
}

/** responseStatus as upstream records it: the code always, the Status's fields for failures. */
export function responseStatusOf(code: number, status: Status | undefined): AuditEvent["responseStatus"] {
  const out: NonNullable<AuditEvent["responseStatus"]> = { metadata: {}, code };
  if (status && status.status === "Failure") {
    out.status = "Failure";
    if (status.message) out.message = status.message;
    if (status.reason) out.reason = status.reason;
    if (status.details) out.details = status.details;
  }
  return out;
}
