// The connection to the control plane that every node of the process shares: one keep-alive
// HTTPS agent trusting the configured CA (or nothing, with --insecure-skip-tls-verify), and
// the shared Connectivity state. Requests carry each node's own bearer token.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createSecureContext } from "node:tls";
import type { Logger } from "../log.js";
import { Connectivity } from "./connectivity.js";
import { classifyRequestError, ConnectionError } from "./errors.js";

export interface TransportOptions {
  /** https://host:port (or http://), without a trailing slash. */
  server: string;
  /** PEM of the CA to trust. */
  ca?: string;
  insecureSkipTLSVerify?: boolean;
  log: Logger;
  userAgent?: string;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface RequestOptions {
  token: string;
  body?: string;
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class Transport {
  readonly server: string;
  readonly connectivity: Connectivity;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly isHttps: boolean;
  private readonly userAgent: string;

  constructor(o: TransportOptions) {
    this.server = o.server.replace(/\/+$/, "");
    this.isHttps = this.server.startsWith("https:");
    this.userAgent = o.userAgent ?? "edgeplane-agent";
    // Sockets are reused across nodes; a watch holds one for as long as it streams.
    const common = { keepAlive: true, keepAliveMsecs: 15_000, maxFreeSockets: 64, scheduling: "lifo" as const };
    // One TLS context for every connection: without it each socket would build its own copy of
    // the trusted CAs, which is most of what a connection costs.
    const secureContext = this.isHttps ? createSecureContext(o.ca ? { ca: o.ca } : {}) : undefined;
    this.agent = this.isHttps ? new HttpsAgent({ ...common, secureContext, rejectUnauthorized: !o.insecureSkipTLSVerify }) : new HttpAgent(common);
    this.connectivity = new Connectivity(this.server, o.log);
  }

  /** One request, read to the end. Throws ConnectionError or TlsError; any HTTP status resolves. */
  async request(method: string, path: string, o: RequestOptions): Promise<RawResponse> {
    const res = await this.open(method, path, o);
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", (err) => reject(classifyRequestError(this.server, err)));
      res.on("aborted", () => reject(new ConnectionError(this.server, "ECONNRESET", `the connection to ${this.server} was cut while reading the answer`)));
    }).catch((err) => {
      if (err instanceof ConnectionError) this.connectivity.failed(err.message);
      throw err;
    });
    return { status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text };
  }

  /** Opens a request and resolves with the response as it starts (watches read it as a stream). */
  open(method: string, path: string, o: RequestOptions): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.userAgent, authorization: `Bearer ${o.token}` };
    if (o.body !== undefined) {
      headers["content-type"] = o.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(o.body));
    }
    const signals = [o.signal, o.timeoutMs ? AbortSignal.timeout(o.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const send = this.isHttps ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal }, (res) => {
        this.connectivity.succeeded();
        resolve(res);
      });
      req.on("error", (err) => {
        const e = classifyRequestError(this.server, err);
        if (e instanceof ConnectionError && !o.signal?.aborted) this.connectivity.failed(e.message);
        reject(e);
      });
      if (o.body !== undefined) req.write(o.body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
