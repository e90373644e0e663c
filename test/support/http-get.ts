// One HTTP GET on a new connection (no keep-alive agent), as a Service's client makes through the
// service proxy: used by the Services end-to-end tests and the services bench.
import { request } from "node:http";

/** The body, trimmed, or `ERR <status or error>` when it is not a 200. */
export function getOnce(url: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : `ERR ${res.statusCode}`));
      res.on("error", (e) => resolve(`ERR ${e.message}`));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve(`ERR ${e.message}`));
    req.end();
  });
}
