// A small HTTPS client that trusts the local CA: Node's global fetch cannot be given a CA,
// and everything that talks to `edgeplane up` (readiness, cron ticks, tests, benchmarks)
// must, because kubectl only sends bearer tokens over TLS.
import { Agent, request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** PEM of the CA to trust for https URLs. */
  ca?: string;
  signal?: AbortSignal;
  agent?: Agent;
}

const agents = new Map<string, Agent>();

/** A keep-alive agent per CA, so repeated requests reuse connections. */
export function agentFor(ca: string | undefined): Agent {
  const key = ca ?? "";
  let a = agents.get(key);
  if (!a) {
    a = new Agent({ keepAlive: true, ca });
    agents.set(key, a);
  }
  return a;
}

export function httpRequestText(url: string | URL, opts: HttpOptions = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const isHttps = u.protocol === "https:";
  const send = isHttps ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: opts.method ?? "GET",
        // A body always says its length: Node sends a DELETE's body neither chunked nor sized
        // otherwise, and the server would read it as the next request on the kept-alive socket.
        headers: opts.body === undefined ? opts.headers : { ...opts.headers, "content-length": String(Buffer.byteLength(opts.body)) },
        signal: opts.signal,
        ...(isHttps ? { agent: opts.agent ?? agentFor(opts.ca) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
