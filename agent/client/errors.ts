// What can go wrong talking to the control plane, as values the agent can act on: the server
// answered with an error Status (ApiError), could not be reached (ConnectionError), or its TLS
// certificate could not be verified (TlsError). Each carries a message a person can act on.

/** The control plane answered with a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** The Status body, when there is one. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The control plane could not be reached (refused, reset, timed out, name not found). */
export class ConnectionError extends Error {
  constructor(
    readonly server: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** The control plane's certificate was not accepted. */
export class TlsError extends Error {
  constructor(
    readonly server: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TlsError";
  }
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** Turns a low-level request failure into a ConnectionError or a TlsError. */
export function classifyRequestError(server: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  const code = String(e?.code ?? (e?.name === "TimeoutError" || e?.name === "AbortError" ? "ETIMEDOUT" : "UNKNOWN"));
  const detail = e?.message ?? String(err);
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(detail)) return new TlsError(server, code, `cannot verify the TLS certificate of ${server} (${detail})`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new ConnectionError(server, code, `cannot resolve the host of ${server} (${detail})`);
  return new ConnectionError(server, code, `cannot reach the control plane at ${server} (${detail})`);
}

/** Whether a failure is worth retrying later: the network, or the server being briefly unable to answer. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.status === 0;
  return false;
}

/** A short text for a log line. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.reason}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
