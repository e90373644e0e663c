// A small API client from a kubeconfig, for `edgeplane secrets`: the current (or named)
// context's server, CA and credentials (bearer token, token file or client certificate), as
// kubectl would use them. Requests go through cli/https.ts, which trusts the given CA.
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { parse } from "yaml";
import { UsageError } from "./args.js";
import { httpRequestText } from "./https.js";

export interface ApiClient {
  server: string;
  /** Where the kubeconfig was read from. */
  source: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
}

/** kubectl's order: --kubeconfig, then $KUBECONFIG (first file that exists), then edgeplane up's default, then ~/.kube/config. */
export function kubeconfigPath(flag: string | undefined, cwd = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  for (const p of (process.env.KUBECONFIG ?? "").split(":").filter(Boolean)) if (existsSync(p)) return resolve(cwd, p);
  const local = resolve(cwd, ".edgeplane/kubeconfig");
  return existsSync(local) ? local : resolve(homedir(), ".kube/config");
}

type Named<T> = { name: string } & T;

export function clientFromKubeconfig(path: string, contextName?: string): ApiClient {
  if (!existsSync(path)) throw new UsageError(`no kubeconfig at ${path}`, "pass --kubeconfig, set KUBECONFIG, or run 'edgeplane up' first");
  const doc = (parse(readFileSync(path, "utf8")) ?? {}) as Record<string, any>;
  const find = <T>(list: unknown, name: string, what: string): T => {
    const hit = (Array.isArray(list) ? (list as Named<T>[]) : []).find((x) => x?.name === name);
    if (!hit) throw new UsageError(`${what} "${name}" is not in ${path}`, "pass --context with a context of that kubeconfig");
    return hit;
  };
  const ctxName = contextName ?? doc["current-context"];
  if (!ctxName) throw new UsageError(`${path} has no current-context`, "pass --context");
  const ctx = find<{ context: { cluster: string; user: string } }>(doc.contexts, ctxName, "context").context;
  const cluster = find<{ cluster: Record<string, any> }>(doc.clusters, ctx.cluster, "cluster").cluster;
  const user = (find<{ user: Record<string, any> }>(doc.users, ctx.user, "user").user ?? {}) as Record<string, any>;
  const server = String(cluster.server ?? "").replace(/\/+$/, "");
  if (!server) throw new UsageError(`cluster "${ctx.cluster}" in ${path} has no server`);

  const fromData = (data: unknown, file: unknown) =>
    typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : typeof file === "string" ? readFileSync(resolve(path, "..", file), "utf8") : undefined;
  const ca = fromData(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = fromData(user["client-certificate-data"], user["client-certificate"]);
  const key = fromData(user["client-key-data"], user["client-key"]);
  const token = typeof user.token === "string" ? user.token : typeof user.tokenFile === "string" ? readFileSync(user.tokenFile, "utf8").trim() : undefined;
  const agent = server.startsWith("https:") ? new Agent({ keepAlive: true, ca, cert, key, rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true }) : undefined;

  return {
    server,
    source: path,
    async request(method, p, body) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await httpRequestText(`${server}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), agent });
      let parsed: any;
      try {
        parsed = res.text ? JSON.parse(res.text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text: res.text };
    },
  };
}
