// metav1.Status errors: every failure leaves the API as one of these, with upstream's
// code, reason and wording, so kubectl prints what it prints against a real cluster.
import { type FieldError, fieldErrorBody, fieldErrorMessage } from "./field-errors.js";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "InternalError"
  | "Timeout"
  | "ServiceUnavailable";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Failure" | "Success";
  message?: string;
  reason?: StatusReason | "";
  details?: StatusDetails;
  code: number;
}

/** A thrown Status; the Hono onError handler renders it. */
export class StatusError extends Error {
  /** What admission noted for the request's audit event (PodSecurity), carried to the audit middleware. */
  auditAnnotations?: Record<string, string>;
  constructor(readonly status: Status) {
    super(status.message);
    this.name = "StatusError";
  }
  get code(): number {
    return this.status.code;
  }
}

export function failure(code: number, reason: StatusReason | "", message: string, details?: StatusDetails): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) s.details = details;
  return s;
}

/** A Success Status, as DELETE answers for most kinds (upstream leaves `code` out of it). */
export function success(details?: StatusDetails): Omit<Status, "code"> & { code?: number } {
  const s: Omit<Status, "code"> & { code?: number } = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" };
  if (details) s.details = details;
  return s;
}

export function isStatus(v: unknown): v is Status {
  return typeof v === "object" && v !== null && (v as Status).kind === "Status" && typeof (v as Status).code === "number";
}

/** A resource as upstream names it in messages: `pods` or `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource, name: string, extra?: Partial<StatusDetails>): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return { ...d, ...extra };
}

export const notFound = (gr: GroupResource, name: string) =>
  new StatusError(failure(404, "NotFound", `${qualified(gr)} "${name}" not found`, details(gr, name)));

export const alreadyExists = (gr: GroupResource, name: string) =>
  new StatusError(failure(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, details(gr, name)));

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new StatusError(failure(409, "Conflict", `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, details(gr, name)));

export const OBJECT_MODIFIED = "the object has been modified; please apply your changes to the latest version and try again";

export const forbidden = (gr: GroupResource, name: string, why: string) =>
  new StatusError(failure(403, "Forbidden", `${qualified(gr)} "${name}" is forbidden: ${why}`, details(gr, name)));

export const badRequest = (message: string) => new StatusError(failure(400, "BadRequest", message));

export const unauthorized = () => new StatusError(failure(401, "Unauthorized", "Unauthorized"));

export const methodNotAllowed = () =>
  new StatusError(failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));

export const resourceNotFound = () =>
  new StatusError(failure(404, "NotFound", "the server could not find the requested resource"));

export const expired = (message: string) => new StatusError(failure(410, "Expired", message));

export const tooLarge = (message: string) => new StatusError(failure(413, "RequestEntityTooLarge", message));

export const unsupportedMediaType = (accepted: string[]) =>
  new StatusError(failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`));

export const notAcceptable = (message: string) => new StatusError(failure(406, "NotAcceptable", message));

export const internalError = (message: string) =>
  new StatusError(failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] }));

export const timeout = (message: string) => new StatusError(failure(504, "Timeout", message));

/** 504 for a resourceVersion the store has not reached (client-go looks for this cause). */
export const resourceVersionTooLarge = (requested: number, current: number) =>
  new StatusError(
    failure(504, "Timeout", `Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    }),
  );

/** 422 Invalid: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const msgs = errs.map(fieldErrorMessage);
  const summary = msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`;
  const d: StatusDetails = { name, kind, causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })) };
  if (group) d.group = group;
  return new StatusError(failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, d));
}
