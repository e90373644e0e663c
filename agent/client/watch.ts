// One watch request: GET …?watch=true read as newline-delimited JSON events until the server
// ends it (timeoutSeconds), the connection drops, or the caller aborts. How it ended is a value,
// so the informer can decide between watching again, backing off and listing again.
import { apiError, parseJson, type ApiClient } from "./api-client.js";
import { ConnectionError, TlsError } from "./errors.js";

export interface WatchEvent<T = any> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export type WatchEnd =
  /** The server closed the stream cleanly (its timeout), or the caller aborted. */
  | { status: "closed"; events: number }
  /** 410 Gone / Expired, as the answer or as an ERROR event: list again. */
  | { status: "expired"; events: number }
  /** The connection failed or the server refused: back off and watch again. */
  | { status: "failed"; error: unknown; events: number };

export async function watch<T>(client: ApiClient, path: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<WatchEnd> {
  let res;
  try {
    res = await client.transport.open("GET", path, { token: client.credentials.token(), signal });
  } catch (error) {
    return signal.aborted ? { status: "closed", events: 0 } : { status: "failed", error, events: 0 };
  }
  if (res.statusCode !== 200) {
    const text = await new Promise<string>((resolve) => {
      let t = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (t += c));
      res.on("end", () => resolve(t));
      res.on("error", () => resolve(t));
    });
    if (res.statusCode === 401) client.credentials.unauthorized();
    if (res.statusCode === 410) return { status: "expired", events: 0 };
    return { status: "failed", error: apiError(res.statusCode ?? 0, parseJson(text), text), events: 0 };
  }
  return new Promise<WatchEnd>((resolve) => {
    let events = 0;
    let buf = "";
    let done = false;
    const finish = (end: WatchEnd) => {
      if (done) return;
      done = true;
      res.destroy();
      resolve(end);
    };
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while (!done && (i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const event = parseJson(line) as WatchEvent<T> | undefined;
        if (!event || typeof event.type !== "string") continue;
        if (event.type === "ERROR") {
          const code = (event.object as { code?: number } | undefined)?.code;
          finish(code === 410 ? { status: "expired", events } : { status: "failed", error: apiError(code ?? 500, event.object, line), events });
          return;
        }
        events++;
        onEvent(event);
      }
    });
    res.on("end", () => finish({ status: "closed", events }));
    res.on("aborted", () => finish(signal.aborted ? { status: "closed", events } : { status: "failed", error: cut(client), events }));
    res.on("error", (err) => finish(signal.aborted ? { status: "closed", events } : { status: "failed", error: err instanceof TlsError ? err : cut(client), events }));
    res.on("close", () => finish(signal.aborted ? { status: "closed", events } : { status: "failed", error: cut(client), events }));
  });
}

function cut(client: ApiClient): ConnectionError {
  const server = client.transport.server;
  return new ConnectionError(server, "ECONNRESET", `the watch connection to ${server} was cut`);
}
