// `edgeplane audit`: the control plane's audit log (GET /debug/audit) as a table, or as JSON,
// through a kubeconfig as kubectl uses one; --follow polls for new events. A 429 or 5xx with
// Retry-After is waited out and retried, as client-go does.
import { Agent } from "node:https";
import { UsageError, type Parsed } from "./args.js";
import { httpRequestText, type HttpResponse } from "./https.js";
import { packageVersion } from "./paths.js";
import { kubeconfigPath, loadKubeconfig, CommandError, reportCommandError, type ApiTarget } from "./api-client.js";

const USER_AGENT = `edgeplane-audit/${packageVersion()}`;
const FOLLOW_INTERVAL_MS = 2000;
const MAX_RETRIES = 5;
/** Fixed column widths while following, so later rows line up with the header. */
const WIDTHS = [20, 24, 16, 24, 16, 28, 4, 8];

interface AuditEventLike {
  auditID?: string;
  verb?: string;
  requestURI?: string;
  userAgent?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

export const TABLE_HEADERS = ["TIME", "USER", "VERB", "RESOURCE", "NAMESPACE", "NAME", "CODE", "LATENCY"];

/** "12ms", "1.4s", "2m3s". */
export function latency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "<unknown>";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function tableRow(e: AuditEventLike): string[] {
  const none = (s: string | undefined) => (s ? s : "<none>");
  const received = Date.parse(e.requestReceivedTimestamp ?? "");
  const done = Date.parse(e.stageTimestamp ?? "");
  const ref = e.objectRef;
  const resource = ref ? (ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource) : (e.requestURI ?? "").split("?")[0];
  return [
    Number.isFinite(received) ? new Date(received).toISOString().replace(/\.\d+Z$/, "Z") : "<unknown>",
    none(e.user?.username),
    none(e.verb),
    none(resource),
    none(ref?.namespace),
    none(ref?.name),
    String(e.responseStatus?.code ?? "<none>"),
    latency(done - received),
  ];
}

/** Rows padded to columns three spaces apart, as kubectl prints tables. */
export function formatTable(rows: string[][], widths?: number[]): string {
  const w = widths ?? TABLE_HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(w[i] + 3))).join("").trimEnd() + "\n").join("");
}

/** This command's own reads of the log, which --follow would otherwise print every two seconds. */
function isOwnPoll(e: AuditEventLike): boolean {
  return (e.requestURI ?? "").startsWith("/debug/audit") && (e.userAgent ?? "").startsWith("edgeplane-audit/");
}

function query(parsed: Parsed, resourceVersion?: string): string {
  const q = new URLSearchParams();
  const since = parsed.flags.since as string | undefined;
  const user = parsed.flags.user as string | undefined;
  if (since && resourceVersion === undefined) q.set("since", since);
  if (user !== undefined) q.set("user", user);
  q.set("limit", String(parsed.flags.limit ?? "500"));
  if (resourceVersion !== undefined) q.set("resourceVersion", resourceVersion);
  return `/debug/audit?${q}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A GET that waits out 429 and 5xx answers carrying Retry-After (client-go's checkWait). */
async function get(t: ApiTarget, path: string): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    let res: HttpResponse;
    try {
      res = await httpRequestText(`${t.server}${path}`, {
        headers: { authorization: `Bearer ${t.token}`, accept: "application/json", "user-agent": USER_AGENT },
        ca: t.ca,
        agent: t.insecure ? new Agent({ rejectUnauthorized: false }) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new CommandError(`cannot reach the control plane at ${t.server}: ${(err as Error).message}`, `is it running? (kubeconfig: ${t.kubeconfigPath})`);
    }
    const retryAfter = Number(res.headers["retry-after"]);
    if ((res.status === 429 || res.status >= 500) && Number.isInteger(retryAfter) && retryAfter >= 0 && attempt < MAX_RETRIES) {
      await sleep(retryAfter * 1000);
      continue;
    }
    return res;
  }
}

async function page(t: ApiTarget, path: string): Promise<{ items: AuditEventLike[]; resourceVersion: string; raw: string }> {
  const res = await get(t, path);
  let body: any;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  if (res.status !== 200) {
    const reason = typeof body?.reason === "string" ? ` (${body.reason})` : "";
    const message = typeof body?.message === "string" ? body.message : `HTTP ${res.status}`;
    const hint = res.status === 403 ? "reading the audit log needs system:masters, or RBAC 'get' on the non-resource URL /debug/audit" : undefined;
    throw new CommandError(`error from server${reason}: ${message}`, hint);
  }
  return { items: (body?.items ?? []) as AuditEventLike[], resourceVersion: String(body?.metadata?.resourceVersion ?? "0"), raw: res.text };
}

export async function runAudit(parsed: Parsed, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (parsed.positionals.length) throw new UsageError(`'audit' takes no arguments, got '${parsed.positionals[0]}'`, "run 'edgeplane audit --help'");
  const output = String(parsed.flags.output ?? "table");
  if (output !== "table" && output !== "json") throw new UsageError(`unknown output format '${output}'`, "use -o table or -o json");
  const limit = String(parsed.flags.limit ?? "500");
  if (!/^\d+$/.test(limit) || Number(limit) < 1) throw new UsageError(`--limit wants a positive integer, got '${limit}'`);
  try {
    const t = loadKubeconfig(kubeconfigPath(parsed.flags.kubeconfig as string | undefined), parsed.flags.context as string | undefined);
    const first = await page(t, query(parsed));
    const follow = parsed.flags.follow === true;
    const shown = first.items.filter((e) => !isOwnPoll(e));
    if (output === "json" && !follow) {
      out.write(`${JSON.stringify({ ...JSON.parse(first.raw), items: shown }, null, 2)}\n`);
      return 0;
    }
    const print = (events: AuditEventLike[], header: boolean) => {
      if (output === "json") for (const e of events) out.write(`${JSON.stringify(e)}\n`);
      else if (header || events.length) out.write(formatTable(header ? [TABLE_HEADERS, ...events.map(tableRow)] : events.map(tableRow), follow ? WIDTHS : undefined));
    };
    if (!follow && shown.length === 0) {
      err.write("No audit events found.\n");
      return 0;
    }
    print(shown, true);
    if (!follow) return 0;
    let rv = first.resourceVersion;
    for (;;) {
      await sleep(FOLLOW_INTERVAL_MS);
      // Page until caught up: a burst may hold more than one page.
      for (;;) {
        const next = await page(t, query(parsed, rv));
        rv = next.resourceVersion;
        print(next.items.filter((e) => !isOwnPoll(e)), false);
        if (next.items.length < Number(limit)) break;
      }
    }
  } catch (e) {
    return reportCommandError(e, err);
  }
}
