// One node's view of the API: JSON requests over the shared Transport with that node's own
// credentials. A non-2xx answer becomes an ApiError carrying the Status; a 401 tells the
// credentials, which fetch new ones.
import { ApiError } from "./errors.js";
import type { Transport } from "./transport.js";

export const MERGE_PATCH = "application/merge-patch+json";
const REQUEST_TIMEOUT_MS = 30_000;

/** Where a node's bearer token comes from. */
export interface TokenSource {
  token(): string;
  /** The token was refused (401): get another one. */
  unauthorized(): void;
}

export class ApiClient {
  constructor(
    readonly transport: Transport,
    readonly credentials: TokenSource,
  ) {}

  get<T = any>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, undefined, signal);
  }

  post<T = any>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  put<T = any>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  mergePatch<T = any>(path: string, patch: unknown): Promise<T> {
    return this.request<T>("PATCH", path, patch, MERGE_PATCH);
  }

  delete<T = any>(path: string, options?: unknown): Promise<T> {
    return this.request<T>("DELETE", path, options);
  }

  async request<T>(method: string, path: string, body?: unknown, contentType?: string, signal?: AbortSignal): Promise<T> {
    const res = await this.transport.request(method, path, {
      token: this.credentials.token(),
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType,
      timeoutMs: REQUEST_TIMEOUT_MS,
      signal,
    });
    const parsed = parseJson(res.text);
    if (res.status >= 200 && res.status < 300) return parsed as T;
    if (res.status === 401) this.credentials.unauthorized();
    throw apiError(res.status, parsed, res.text);
  }
}

export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An ApiError from an error answer: the Status's reason and message when it is one. */
export function apiError(status: number, body: unknown, text: string): ApiError {
  const s = body as { kind?: string; reason?: string; message?: string } | undefined;
  const reason = typeof s?.reason === "string" && s.reason ? s.reason : `HTTP${status}`;
  const message = typeof s?.message === "string" ? s.message : text.slice(0, 300) || `HTTP ${status}`;
  return new ApiError(status, reason, message, body);
}
