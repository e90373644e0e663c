// The httpGet probe (upstream's probe/http): a GET with the probe's headers, 2xx and 3xx pass;
// redirects are followed on the same host only, and a redirect elsewhere passes with a warning;
// failures carry Go's error text so events read as upstream's do.
import http from "node:http";
import https from "node:https";

export type ProbeOutcome = { result: "Success" | "Warning" | "Failure"; output: string };

/** The kubelet's User-Agent on probe requests (kube-probe/<major>.<minor>). */
export const PROBE_USER_AGENT = "kube-probe/1.32";
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

export interface HttpGetRequest {
  url: URL;
  headers?: Array<{ name: string; value: string }>;
  timeoutMs: number;
  /** kube-probe (probes) or kube-lifecycle (hooks). */
  userAgent?: string;
}

interface Answer {
  status: number;
  location?: string;
  body: string;
}

/** Runs the request as Go's http.Client with the prober's redirect checker; resolves the final answer, rejects with Go's error text. */
export async function httpGet(req: HttpGetRequest): Promise<Answer> {
  const headers: Record<string, string | string[]> = {};
  for (const h of req.headers ?? []) {
    const k = h.name.toLowerCase();
    const cur = headers[k];
    headers[k] = cur === undefined ? h.value : [...(Array.isArray(cur) ? cur : [cur]), h.value];
  }
  headers["user-agent"] ??= req.userAgent ?? PROBE_USER_AGENT;
  headers["accept"] ??= "*/*";
  const deadline = Date.now() + req.timeoutMs;
  let url = req.url;
  for (let hops = 0; ; hops++) {
    const answer = await once(url, headers, deadline);
    if (answer.status < 300 || answer.status >= 400 || !answer.location) return answer;
    const next = new URL(answer.location, url);
    // A redirect to another host is not followed: its 3xx is the answer (upstream's RedirectChecker).
    if (next.hostname !== req.url.hostname) return answer;
    if (hops + 1 >= MAX_REDIRECTS) throw new Error(`Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects`);
    url = next;
  }
}

/** One probe: Success for 2xx, Warning for a 3xx that was not followed, Failure otherwise. */
export async function httpProbe(req: HttpGetRequest): Promise<ProbeOutcome> {
  let answer: Answer;
  try {
    answer = await httpGet(req);
  } catch (err) {
    return { result: "Failure", output: (err as Error).message };
  }
  if (answer.status >= 200 && answer.status < 400) {
    if (answer.status >= 300) return { result: "Warning", output: `Probe terminated redirects, Response body: ${answer.body}` };
    return { result: "Success", output: answer.body };
  }
  // As upstream, the body stays out of the message (it may hold secrets).
  return { result: "Failure", output: `HTTP probe failed with statuscode: ${answer.status}` };
}

function once(url: URL, headers: Record<string, string | string[]>, deadline: number): Promise<Answer> {
  const target = `Get "${url.href}"`;
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new Error(`${target}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`));
    const mod = url.protocol === "https:" ? https : http;
    let gotHeaders = false;
    const timer = setTimeout(() => {
      request.destroy(new Error(`${target}: context deadline exceeded (Client.Timeout exceeded while ${gotHeaders ? "reading body" : "awaiting headers"})`));
    }, remaining);
    const request = mod.request(url, { method: "GET", headers: { ...headers }, agent: false, rejectUnauthorized: false }, (res) => {
      gotHeaders = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
        size += c.length;
        if (size >= MAX_BODY) res.destroy(); // enough: the rest is not read (upstream reads at most 10 KiB)
      });
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString("utf8") });
      };
      res.on("end", done);
      res.on("close", done);
      res.on("error", () => done());
    });
    request.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.message.startsWith("Get \"") ? err : new Error(`${target}: ${goDialError(err, url)}`));
    });
    request.end();
  });
}

/** A socket error as Go's net package prints it. */
export function goDialError(err: NodeJS.ErrnoException, url: { hostname: string; port: string; protocol?: string }): string {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const addr = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  switch (err.code) {
    case "ECONNREFUSED":
      return `dial tcp ${addr}: connect: connection refused`;
    case "EHOSTUNREACH":
      return `dial tcp ${addr}: connect: no route to host`;
    case "ENETUNREACH":
      return `dial tcp ${addr}: connect: network is unreachable`;
    case "ETIMEDOUT":
      return `dial tcp ${addr}: i/o timeout`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `dial tcp: lookup ${host}: no such host`;
    case "ECONNRESET":
      return `read tcp ${addr}: read: connection reset by peer`;
    default:
      return err.message;
  }
}
