// `edgeplane token create|list|delete`: bootstrap tokens, as `kubeadm token` manages them. A
// token is Secret kube-system/bootstrap-token-<id>; a machine joins with it and trades it for
// node credentials, so it never sees the admin token. Talks to the control plane through a
// kubeconfig (token-client.ts).
import { UsageError, type Parsed } from "./args.js";
import { DEFAULT_TTL } from "./token-flags.js";
import { apiRequest, kubeconfigPath, loadKubeconfig, statusMessage, CommandError, reportCommandError, type ApiTarget } from "./api-client.js";
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  DEFAULT_EXTRA_GROUP,
  KEYS,
  bootstrapExpiry,
  bootstrapSecret,
  bootstrapSecretName,
  extraGroupProblems,
  generateBootstrapToken,
  isBootstrapTokenId,
  parseBootstrapToken,
  secretValue,
} from "../auth/tokens/bootstrap.js";

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("24h", "1h30m", "90s", "0") in milliseconds; undefined when it is not one. */
export function parseDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  if (!s) return undefined;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

/** kubectl's short age: 45s, 12m, 23h, 6d. */
function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 365 * 2 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join("").trimEnd()).join("\n") + "\n";
}

function target(parsed: Parsed): ApiTarget {
  return loadKubeconfig(kubeconfigPath(parsed.flags.kubeconfig as string | undefined), parsed.flags.context as string | undefined);
}

const SECRETS = `/api/v1/namespaces/${BOOTSTRAP_TOKEN_NAMESPACE}/secrets`;

async function create(parsed: Parsed, out: NodeJS.WritableStream): Promise<number> {
  const ttlText = (parsed.flags.ttl as string | undefined) ?? DEFAULT_TTL;
  const ttl = parseDuration(ttlText);
  if (ttl === undefined || ttl < 0) throw new UsageError(`--ttl needs a duration such as 30m, 24h or 0 (got '${ttlText}')`, "e.g. edgeplane token create --ttl 2h");
  if (ttl > 0 && ttl < 1000) throw new UsageError(`--ttl ${ttlText} is shorter than a second`, "use 0 for a token that never expires");
  const groupsText = (parsed.flags.groups as string | undefined) ?? DEFAULT_EXTRA_GROUP;
  const groups = groupsText.split(",").map((g) => g.trim()).filter(Boolean);
  const problems = extraGroupProblems(groups);
  if (problems.length) throw new UsageError(`--groups: ${problems[0]}`, `e.g. --groups ${DEFAULT_EXTRA_GROUP}`);
  const t = target(parsed);
  for (let attempt = 0; attempt < 3; attempt++) {
    const made = generateBootstrapToken();
    const secret = bootstrapSecret({
      id: made.id,
      secret: made.secret,
      expiresAt: ttl === 0 ? undefined : Date.now() + ttl,
      description: parsed.flags.description as string | undefined,
      extraGroups: groups,
    });
    const r = await apiRequest(t, "POST", SECRETS, secret);
    if (r.status === 201) {
      out.write(`${made.token}\n`);
      return 0;
    }
    if (r.status === 409 && r.body?.reason === "AlreadyExists") continue; // that id is taken: draw again
    throw new CommandError(`cannot create the token: ${statusMessage(r)}`);
  }
  throw new CommandError("cannot create the token: three random token ids were all taken");
}

async function list(parsed: Parsed, out: NodeJS.WritableStream): Promise<number> {
  const t = target(parsed);
  const r = await apiRequest(t, "GET", `${SECRETS}?fieldSelector=${encodeURIComponent(`type=${BOOTSTRAP_TOKEN_SECRET_TYPE}`)}`);
  if (r.status !== 200) throw new CommandError(`cannot list the tokens: ${statusMessage(r)}`);
  const now = Date.now();
  const rows: string[][] = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]];
  for (const s of (r.body?.items ?? []) as Array<{ metadata: { name: string }; data?: Record<string, string> }>) {
    if (!s.metadata.name.startsWith(BOOTSTRAP_TOKEN_SECRET_PREFIX)) continue;
    const id = secretValue(s, KEYS.id) ?? s.metadata.name.slice(BOOTSTRAP_TOKEN_SECRET_PREFIX.length);
    const expiry = bootstrapExpiry(s);
    const ttl = expiry === null ? "<forever>" : expiry === "invalid" ? "<invalid>" : shortDuration(expiry - now);
    const expires = expiry === null ? "<never>" : expiry === "invalid" ? String(secretValue(s, KEYS.expiration)) : new Date(expiry).toISOString().replace(/\.\d{3}Z$/, "Z");
    const usages = [secretValue(s, KEYS.usageAuthentication) === "true" ? "authentication" : "", secretValue(s, KEYS.usageSigning) === "true" ? "signing" : ""].filter(Boolean).join(",");
    rows.push([`${id}.${secretValue(s, KEYS.secret) ?? ""}`, ttl, expires, usages || "<none>", secretValue(s, KEYS.description) || "<none>", secretValue(s, KEYS.extraGroups) || "<none>"]);
  }
  if (rows.length > 1) out.write(table(rows));
  return 0;
}

async function remove(parsed: Parsed, out: NodeJS.WritableStream, ids: string[]): Promise<number> {
  if (ids.length === 0) throw new UsageError("'edgeplane token delete' needs a token id (or the whole token)", "e.g. edgeplane token delete abcdef; 'edgeplane token list' shows them");
  const wanted = ids.map((arg) => {
    const id = parseBootstrapToken(arg)?.id ?? arg;
    if (!isBootstrapTokenId(id)) throw new UsageError(`'${arg}' is neither a token id ([a-z0-9]{6}) nor a token ([a-z0-9]{6}.[a-z0-9]{16})`);
    return id;
  });
  const t = target(parsed);
  for (const id of wanted) {
    const r = await apiRequest(t, "DELETE", `${SECRETS}/${bootstrapSecretName(id)}`);
    if (r.status === 404) throw new CommandError(`bootstrap token "${id}" not found`, "'edgeplane token list' shows the tokens");
    if (r.status !== 200 && r.status !== 202) throw new CommandError(`cannot delete bootstrap token "${id}": ${statusMessage(r)}`);
    out.write(`bootstrap token "${id}" deleted\n`);
  }
  return 0;
}

export async function runToken(parsed: Parsed, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [sub, ...rest] = parsed.positionals;
  const createOnly = ["ttl", "description", "groups"].filter((f) => parsed.flags[f] !== undefined);
  try {
    switch (sub) {
      case "create":
        if (rest.length) throw new UsageError(`'edgeplane token create' takes no arguments (got '${rest[0]}')`, "run 'edgeplane token --help'");
        return await create(parsed, out);
      case "list":
      case "delete":
        if (createOnly.length) throw new UsageError(`--${createOnly[0]} is a flag of 'edgeplane token create'`, "run 'edgeplane token --help'");
        if (sub === "list") {
          if (rest.length) throw new UsageError(`'edgeplane token list' takes no arguments (got '${rest[0]}')`, "run 'edgeplane token --help'");
          return await list(parsed, out);
        }
        return await remove(parsed, out, rest);
      case undefined:
        throw new UsageError("'edgeplane token' needs a subcommand: create, list or delete", "run 'edgeplane token --help'");
      default:
        throw new UsageError(`unknown subcommand 'token ${sub}'`, "the subcommands are create, list and delete; run 'edgeplane token --help'");
    }
  } catch (e) {
    return reportCommandError(e, err);
  }
}
