// How the CLI's commands (token, secrets, audit) reach a running control plane: through a
// kubeconfig, as kubectl does (--kubeconfig, else $KUBECONFIG, else the one `edgeplane up`
// writes, else ~/.kube/config), with its current (or --context) cluster, CA and bearer token.
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { httpRequestText, type HttpResponse } from "./https.js";

/** Where `edgeplane up` writes its kubeconfig by default (up.ts's DEFAULT_KUBECONFIG; not imported, to keep TLS code out). */
const UP_KUBECONFIG = ".edgeplane/kubeconfig";

/** A failure a person can act on: the CLI prints message and hint and exits 1. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/** Writes a CommandError's message and hint to err and returns exit code 1; rethrows anything else. */
export function reportCommandError(e: unknown, err: NodeJS.WritableStream): number {
  if (!(e instanceof CommandError)) throw e;
  err.write(`edgeplane: ${e.message}\n`);
  if (e.hint) err.write(`hint: ${e.hint}\n`);
  return 1;
}

export interface ApiTarget {
  /** The server URL without a trailing slash. */
  server: string;
  token: string;
  ca?: string;
  insecure: boolean;
  /** Where it came from, for messages. */
  kubeconfigPath: string;
  context: string;
}

/** The kubeconfig to use: the flag, else $KUBECONFIG's first existing file, else edgeplane up's, else ~/.kube/config. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  const fromEnv = (env.KUBECONFIG ?? "").split(":").filter(Boolean).map((p) => resolve(cwd, p));
  const candidates = [...fromEnv, resolve(cwd, UP_KUBECONFIG), resolve(homedir(), ".kube", "config")];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

function named(list: unknown, name: string, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const item = (list as Array<Record<string, unknown>>).find((x) => x && x.name === name);
  const v = item?.[field];
  return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}

/** Reads the server, CA and bearer token of a kubeconfig's context. */
export function loadKubeconfig(path: string, contextName?: string): ApiTarget {
  if (!existsSync(path)) {
    throw new CommandError(`no kubeconfig at ${path}`, "start the control plane with 'edgeplane up', or pass --kubeconfig (or set KUBECONFIG)");
  }
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readFileSync(path, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new CommandError(`${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const context = contextName ?? (typeof doc["current-context"] === "string" ? (doc["current-context"] as string) : "");
  if (!context) throw new CommandError(`${path} has no current-context`, "pass --context");
  const ctx = named(doc.contexts, context, "context");
  if (!ctx) throw new CommandError(`context '${context}' is not in ${path}`);
  const cluster = named(doc.clusters, String(ctx.cluster ?? ""), "cluster");
  if (!cluster || typeof cluster.server !== "string") throw new CommandError(`the cluster of context '${context}' in ${path} has no server`);
  const user = named(doc.users, String(ctx.user ?? ""), "user") ?? {};
  const base = dirname(path);
  const file = (p: unknown) => readFileSync(isAbsolute(String(p)) ? String(p) : resolve(base, String(p)), "utf8");
  let token = typeof user.token === "string" ? user.token : undefined;
  if (!token && typeof user.tokenFile === "string") token = file(user.tokenFile).trim();
  if (!token) {
    throw new CommandError(`the user of context '${context}' in ${path} has no bearer token`, "edgeplane needs a token credential (the kubeconfig 'edgeplane up' writes has the admin's)");
  }
  let ca: string | undefined;
  if (typeof cluster["certificate-authority-data"] === "string") ca = Buffer.from(cluster["certificate-authority-data"] as string, "base64").toString("utf8");
  else if (typeof cluster["certificate-authority"] === "string") ca = file(cluster["certificate-authority"]);
  return { server: cluster.server.replace(/\/+$/, ""), token, ca, insecure: cluster["insecure-skip-tls-verify"] === true, kubeconfigPath: path, context };
}

export interface JsonResponse {
  status: number;
  body: any;
  text: string;
}

/** One API request with the kubeconfig's credentials; a connection failure becomes a CommandError. */
export async function apiRequest(t: ApiTarget, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${t.token}`, accept: "application/json", "user-agent": "edgeplane-cli" };
  let payload: string | undefined;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  let res: HttpResponse;
  try {
    res = await httpRequestText(`${t.server}${path}`, {
      method,
      headers,
      body: payload,
      ca: t.ca,
      agent: t.insecure ? new Agent({ rejectUnauthorized: false }) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CommandError(`cannot reach the control plane at ${t.server}: ${(err as Error).message}`, "is 'edgeplane up' running? (kubeconfig: " + t.kubeconfigPath + ")");
  }
  let parsed: unknown;
  try {
    parsed = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status === 401) throw new CommandError(`the control plane at ${t.server} refused the credentials of context '${t.context}' (401 Unauthorized)`, "run 'edgeplane up' again to refresh the kubeconfig");
  return { status: res.status, body: parsed, text: res.text };
}

/** The Status message of an error answer, or its text. */
export function statusMessage(r: JsonResponse): string {
  const m = (r.body as { message?: unknown } | undefined)?.message;
  return typeof m === "string" ? m : `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
}
