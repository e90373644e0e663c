// Why: the benchmarks need a small keep-alive HTTP(S) client with no dependencies (node:http and
// node:https only), that works for plain http:// and for https:// with the control plane's own CA.
import http from "node:http";
import https from "node:https";

export interface ClientOptions {
  /** Sent as `Authorization: Bearer …` on every request. */
  token?: string;
  /** PEM of the CA that signed the server's certificate (https only). */
  ca?: string | Buffer;
  /** Sockets kept open to the server (default 64). */
  maxSockets?: number;
  /** A request that takes longer fails (default 120 s). */
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  body: Buffer;
}

/** An open streaming response (a watch): each complete line is handed to onLine as it arrives. */
export interface LineStream {
  status: number;
  /** Resolves when the server ends the stream or close() is called. */
  ended: Promise<void>;
  close(): void;
}

export class HttpClient {
  readonly base: URL;
  private readonly mod: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly opts: ClientOptions;

  constructor(baseUrl: string, opts: ClientOptions = {}) {
    this.base = new URL(baseUrl);
    this.opts = opts;
    const secure = this.base.protocol === "https:";
    if (!secure && this.base.protocol !== "http:") throw new Error(`unsupported URL ${baseUrl}`);
    this.mod = secure ? https : http;
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, scheduling: "lifo" as const };
    this.agent = secure ? new https.Agent({ ...agentOpts, ca: opts.ca }) : new http.Agent(agentOpts);
  }

  /** One request on a pooled keep-alive socket; the whole body is read. Rejects only on transport errors. */
  request(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = this.mod.request(this.requestOptions(method, path, body, headers, this.agent), (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.setTimeout(this.opts.timeoutMs ?? 120_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** A JSON request; fails unless the status is one of `ok` (default 2xx). */
  async json<T = any>(method: string, path: string, body?: unknown, ok?: number[]): Promise<{ status: number; value: T }> {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const r = await this.request(method, path, text, text === undefined ? {} : { "content-type": "application/json" });
    const good = ok ? ok.includes(r.status) : r.status >= 200 && r.status < 300;
    if (!good) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.toString("utf8").slice(0, 300)}`);
    return { status: r.status, value: r.body.length ? (JSON.parse(r.body.toString("utf8")) as T) : (undefined as T) };
  }

  /**
   * A streaming request on its own socket (it is held for as long as the stream lives, so it must
   * not take one from the pool). Resolves once the response headers arrived.
   */
  stream(method: string, path: string, onLine: (line: string) => void, body?: string): Promise<LineStream> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
      const req = this.mod.request(this.requestOptions(method, path, body, headers, false), (res) => {
        let partial = "";
        let closed = false;
        const ended = new Promise<void>((done) => {
          res.on("end", done);
          res.on("close", done);
          res.on("error", () => done());
        });
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          partial += chunk;
          let nl: number;
          while ((nl = partial.indexOf("\n")) >= 0) {
            const line = partial.slice(0, nl);
            partial = partial.slice(nl + 1);
            if (line.trim() && !closed) onLine(line);
          }
        });
        resolve({
          status: res.statusCode ?? 0,
          ended,
          close: () => {
            closed = true;
            req.destroy();
          },
        });
      });
      req.on("error", (err) => reject(err));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private requestOptions(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
    agent: http.Agent | false,
  ): https.RequestOptions {
    const h: Record<string, string | number> = { accept: "application/json", ...headers };
    if (this.opts.token) h.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) h["content-length"] = Buffer.byteLength(body);
    return {
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port,
      method,
      path,
      headers: h,
      agent,
      // With agent:false the TLS options must be on the request itself.
      ...(this.base.protocol === "https:" && this.opts.ca ? { ca: this.opts.ca } : {}),
    };
  }
}
