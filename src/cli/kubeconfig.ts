// Writing the kubeconfig that points kubectl at a local edgeplane.
// An existing file is merged, not clobbered: only the `edgeplane` cluster and context and the
// `edgeplane-admin` user are replaced, and current-context is set to `edgeplane`.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse, stringify } from "yaml";

export const CLUSTER_NAME = "edgeplane";
export const USER_NAME = "edgeplane-admin";
export const CONTEXT_NAME = "edgeplane";

interface Named {
  name: string;
  [key: string]: unknown;
}

export interface KubeconfigEntry {
  server: string;
  token: string;
  /** PEM of the CA that signed the server's certificate. */
  caPem?: string;
}

export function buildKubeconfig(entry: KubeconfigEntry, existing?: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = existing ?? {};
  const upsert = (list: unknown, item: Named): Named[] => {
    const items = Array.isArray(list) ? (list as Named[]).filter((x) => x && x.name !== item.name) : [];
    return [...items, item];
  };
  return {
    apiVersion: "v1",
    kind: "Config",
    ...base,
    clusters: upsert(base.clusters, {
      name: CLUSTER_NAME,
      cluster: entry.caPem ? { server: entry.server, "certificate-authority-data": Buffer.from(entry.caPem).toString("base64") } : { server: entry.server },
    }),
    users: upsert(base.users, { name: USER_NAME, user: { token: entry.token } }),
    contexts: upsert(base.contexts, { name: CONTEXT_NAME, context: { cluster: CLUSTER_NAME, user: USER_NAME } }),
    "current-context": CONTEXT_NAME,
  };
}

/** Write (or merge into) the kubeconfig at `path`, mode 0600, creating parent folders. */
export function writeKubeconfig(path: string, entry: KubeconfigEntry): void {
  let existing: Record<string, unknown> | undefined;
  if (existsSync(path)) {
    const text = readFileSync(path, "utf8");
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      throw new Error(`${path} exists but is not valid YAML (${(err as Error).message}); move it away or pass --kubeconfig`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc))) {
      throw new Error(`${path} exists but is not a kubeconfig; move it away or pass --kubeconfig`);
    }
    existing = (doc ?? undefined) as Record<string, unknown> | undefined;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(buildKubeconfig(entry, existing)), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
