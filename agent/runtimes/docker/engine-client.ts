// The Docker Engine API (v1.41) over a unix socket, as the docker runtime needs it: JSON calls
// with the engine's error messages, raw response streams (logs, exec, archives, image pulls), and
// the demultiplexer for the 8-byte-header frames the engine sends when a container has no TTY.
// Podman's Docker-compatible service speaks the same API.
import http from "node:http";
import { Transform, type Readable, type TransformCallback } from "node:stream";

export const DEFAULT_DOCKER_ENDPOINT = "unix:///var/run/docker.sock";
const API_VERSION = "v1.41";

/** The socket path of `unix:///path`, or of a bare path. */
export function socketPathOf(endpoint: string = DEFAULT_DOCKER_ENDPOINT): string {
  if (endpoint.startsWith("unix://")) return endpoint.slice("unix://".length);
  if (/^[a-z]+:\/\//i.test(endpoint)) throw new Error(`unsupported runtime endpoint ${endpoint}: only unix:// sockets are supported`);
  return endpoint;
}

/** An answer of the engine with status ≥ 400; `message` is the engine's own. */
export class EngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/**
 * A 404, or Podman's 500 "no such container" for a container it is removing at that moment (it
 * answers 404 only once the removal is done): either way the container is gone for the caller.
 */
export const isNotFound = (err: unknown): boolean =>
  err instanceof EngineError && (err.statusCode === 404 || (err.statusCode === 500 && /no such container|does not exist in database/i.test(err.message)));

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A value sent as JSON, or a Buffer sent as is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Gives up (an Error) when the response has not started after this long. */
  timeoutMs?: number;
}

export class EngineClient {
  readonly socketPath: string;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(readonly endpoint: string = DEFAULT_DOCKER_ENDPOINT) {
    this.socketPath = socketPathOf(endpoint);
  }

  /** The response, once its status is known; status ≥ 400 becomes an EngineError. The caller reads or destroys the body. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `/${API_VERSION}${path}${qs.size ? `?${qs}` : ""}`;
    const raw = Buffer.isBuffer(opts.body);
    const payload = raw ? (opts.body as Buffer) : opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: http.OutgoingHttpHeaders = { host: "docker" };
    if (payload) Object.assign(headers, { "content-type": raw ? (opts.contentType ?? "application/octet-stream") : "application/json", "content-length": payload.length });
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(method, url, headers, payload, opts);
      } catch (err) {
        // A kept-alive connection the engine closed meanwhile: the request never reached it, send it again (as Node's docs advise).
        if (attempt === 0 && (err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === "ECONNRESET") continue;
        throw err;
      }
    }
  }

  private send(method: string, url: string, headers: http.OutgoingHttpHeaders, payload: Buffer | undefined, opts: RequestOptions): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, agent: this.agent, method, path: url, headers, signal: opts.signal });
      let timer: NodeJS.Timeout | undefined;
      const timeoutMs = opts.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => req.destroy(new Error(`${method} ${url}: the container engine did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
      }
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(Object.assign(err, { reusedSocket: req.reusedSocket }));
      });
      req.on("response", (res) => {
        clearTimeout(timer);
        if ((res.statusCode ?? 500) < 400) return resolve(res);
        readAll(res).then(
          (buf) => reject(new EngineError(res.statusCode ?? 500, errorMessage(buf) || `${method} ${url}: ${res.statusCode} ${res.statusMessage}`)),
          reject,
        );
      });
      req.end(payload);
    });
  }

  /** A call whose answer is JSON (or empty: undefined). */
  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const buf = await readAll(res);
    if (buf.length === 0) return undefined as T;
    try {
      return JSON.parse(buf.toString("utf8")) as T;
    } catch {
      return buf.toString("utf8") as T;
    }
  }

  /** Closes every connection, including streams still open (follow logs, exec). */
  close(): void {
    this.agent.destroy();
  }
}

export interface EngineInfo {
  /** `docker` or `podman`. */
  name: string;
  version: string;
  apiVersion: string;
  arch: string;
}

interface VersionAnswer {
  Version: string;
  ApiVersion: string;
  Arch: string;
  Components?: Array<{ Name: string; Version: string }>;
}

/** What answers at the endpoint (`GET /version`). */
export async function engineInfo(engine: EngineClient, timeoutMs?: number): Promise<EngineInfo> {
  const v = await engine.json<VersionAnswer>("GET", "/version", { timeoutMs });
  const podman = v.Components?.find((c) => /podman/i.test(c.Name));
  return { name: podman ? "podman" : "docker", version: podman?.Version ?? v.Version, apiVersion: v.ApiVersion, arch: v.Arch };
}

/** The whole body, or its first `limit` bytes or more (the rest is not read: the stream is destroyed). */
export async function readAll(stream: Readable, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks);
}

function errorMessage(buf: Buffer): string {
  const text = buf.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text) as { message?: string; cause?: string };
    return parsed.message ?? text;
  } catch {
    return text;
  }
}

/**
 * Reassembles a stream of `[kind, 0, 0, 0, size(4, big-endian)] payload` frames (stdin/stdout/stderr
 * multiplexed on one connection) into the payloads, in order.
 */
export class FrameDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      if (size > 0) this.push(this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
    done();
  }
}
