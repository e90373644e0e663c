// `edgeplane secrets rotate`: after the operator has put a new key first in ENCRYPTION_KEYS,
// asks every namespace's store to re-encrypt its Secrets (and the watch-log rows that hold
// them) under that key, one namespace at a time with progress, and reports what it found.
// Until it reports no value under an old key, that key must stay in ENCRYPTION_KEYS.
import { UsageError, type Parsed } from "./args.js";
import { apiRequest, kubeconfigPath, loadKubeconfig, type ApiTarget } from "./api-client.js";
import type { NamespaceRotation } from "../api/encryption.js";
import { sumTallies as sum, type RotationTally } from "../storage/encryption/backend.js";

export async function runSecrets(parsed: Parsed, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const [sub, ...rest] = parsed.positionals;
  if (sub !== "rotate" || rest.length > 0) {
    throw new UsageError(sub === undefined ? "'edgeplane secrets' needs a subcommand" : `unknown subcommand '${[sub, ...rest].join(" ")}'`, "run 'edgeplane secrets rotate'");
  }
  const client = loadKubeconfig(kubeconfigPath(parsed.flags.kubeconfig as string | undefined), parsed.flags.context as string | undefined);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let namespaces: string[];
  try {
    namespaces = await listNamespaces(client);
  } catch (e) {
    err(`edgeplane: ${(e as Error).message}`);
    return 1;
  }
  out(`Re-encrypting Secrets in ${namespaces.length} namespace${namespaces.length === 1 ? "" : "s"} of ${client.server}`);
  const done: NamespaceRotation[] = [];
  const errors: string[] = [];
  const width = Math.max(0, ...namespaces.map((n) => n.length));
  for (const [i, ns] of namespaces.entries()) {
    const step = `[${String(i + 1).padStart(String(namespaces.length).length)}/${namespaces.length}] ${ns.padEnd(width)}`;
    const r = await apiRequest(client, "POST", `/admin/encryption/rotate/namespaces/${encodeURIComponent(ns)}`, {});
    if (r.status === 404 && r.body?.details?.kind === "namespaces") {
      out(`  ${step}  gone (deleted meanwhile)`);
      continue;
    }
    if (r.status !== 200) {
      const message = statusMessage(r);
      if (r.status === 401 || r.status === 403 || r.status === 503 || (r.status === 500 && i === 0)) {
        err(`edgeplane: ${message}`);
        if (r.status === 403) err("hint: only a member of system:masters (the admin kubeconfig) may rotate");
        return 1;
      }
      errors.push(`${ns}: ${message}`);
      out(`  ${step}  error: ${message}`);
      continue;
    }
    const rot = r.body as NamespaceRotation;
    done.push(rot);
    out(`  ${step}  ${describe(rot.objects, "Secret")}; ${describe(rot.watchLog, "watch-log value")}`);
  }
  const keyName = done[0]?.keyName;
  const total = { objects: sum(done.map((d) => d.objects)), watchLog: sum(done.map((d) => d.watchLog)) };
  const failed = sum([total.objects, total.watchLog]).failed;
  out("");
  out(
    `Done${keyName ? ` (current key "${keyName}")` : ""}: ${describe(total.objects, "Secret")}; ${describe(total.watchLog, "watch-log value")}.`,
  );
  if (Object.keys(failed).length) {
    out(
      `Not readable: ${Object.entries(failed).map(([k, n]) => `${n} under key "${k}"`).join(", ")}. ` +
        `Put ${Object.keys(failed).length === 1 ? "that key" : "those keys"} back in ENCRYPTION_KEYS (after the first) and run this again; ` +
        `remove a key only once no value is under it.`,
    );
  }
  if (errors.length) out(`${errors.length} namespace${errors.length === 1 ? "" : "s"} failed: ${errors.join("; ")}`);
  return Object.keys(failed).length || errors.length ? 1 : 0;
}

async function listNamespaces(client: ApiTarget): Promise<string[]> {
  const names: string[] = [];
  let cont = "";
  do {
    const r = await apiRequest(client, "GET", `/api/v1/namespaces?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
    if (r.status !== 200) throw new Error(`listing namespaces: ${statusMessage(r)}`);
    names.push(...(r.body.items as Array<{ metadata: { name: string } }>).map((n) => n.metadata.name));
    cont = r.body.metadata?.continue ?? "";
  } while (cont);
  return names;
}

function statusMessage(r: { status: number; body: any; text: string }): string {
  return r.body?.kind === "Status" && r.body.message ? `${r.body.message} (${r.status})` : `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
}

/** "2 Secrets re-encrypted (1 from key1, 1 stored unencrypted), 3 already current, 1 not readable". */
export function describe(t: RotationTally, noun: string): string {
  const count = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const plural = (n: number) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const from = Object.entries(t.rewritten).map(([k, n]) => (k === "identity" ? `${n} stored unencrypted` : `${n} from ${k}`));
  const parts = [`${plural(count(t.rewritten))} re-encrypted${from.length ? ` (${from.join(", ")})` : ""}`, `${t.current} already current`];
  const bad = count(t.failed);
  if (bad) parts.push(`${bad} not readable (${Object.entries(t.failed).map(([k, n]) => `${n} under "${k}"`).join(", ")})`);
  return parts.join(", ");
}
