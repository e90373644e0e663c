// Bootstrap tokens as kubeadm and k8s.io/cluster-bootstrap define them: `<id>.<secret>`
// ([a-z0-9]{6}.[a-z0-9]{16}), kept as Secret kube-system/bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token. Pure: the authenticator, the token cleaner and the CLI share it.

export const BOOTSTRAP_TOKEN_NAMESPACE = "kube-system";
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = "bootstrap-token-";
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_USER_PREFIX = "system:bootstrap:";
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";
/** What `edgeplane token create` puts nodes in (kubeadm's is system:bootstrappers:kubeadm:default-node-token). */
export const DEFAULT_EXTRA_GROUP = "system:bootstrappers:edgeplane:default-node-token";

/** The Secret's data keys (bootstrapapi). */
export const KEYS = {
  id: "token-id",
  secret: "token-secret",
  expiration: "expiration",
  description: "description",
  usageAuthentication: "usage-bootstrap-authentication",
  usageSigning: "usage-bootstrap-signing",
  extraGroups: "auth-extra-groups",
} as const;

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export function isBootstrapTokenId(id: string): boolean {
  return /^[a-z0-9]{6}$/.test(id);
}

export function bootstrapSecretName(id: string): string {
  return BOOTSTRAP_TOKEN_SECRET_PREFIX + id;
}

/** Uniform random characters of [a-z0-9] (rejection sampling, so no character is likelier). */
function randomChars(n: number): string {
  let out = "";
  while (out.length < n) {
    const bytes = new Uint8Array(n * 2);
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < 252 && out.length < n) out += ALPHABET[b % 36];
    }
  }
  return out;
}

export function generateBootstrapToken(): { id: string; secret: string; token: string } {
  const id = randomChars(6);
  const secret = randomChars(16);
  return { id, secret, token: `${id}.${secret}` };
}

/** The extra groups' problems (cluster-bootstrap's ValidateBootstrapGroupName), empty when fine. */
export function extraGroupProblems(groups: string[]): string[] {
  return groups.filter((g) => !EXTRA_GROUP.test(g)).map((g) => `bootstrap group ${JSON.stringify(g)} is invalid (must match ${EXTRA_GROUP.source})`);
}

export interface BootstrapSecretInput {
  id: string;
  secret: string;
  /** When it stops working (ms); undefined: never. */
  expiresAt?: number;
  description?: string;
  extraGroups?: string[];
}

/** The Secret `edgeplane token create` writes (values as stringData; the API encodes them). */
export function bootstrapSecret(o: BootstrapSecretInput): Record<string, unknown> {
  const stringData: Record<string, string> = { [KEYS.id]: o.id, [KEYS.secret]: o.secret, [KEYS.usageAuthentication]: "true" };
  if (o.expiresAt !== undefined) stringData[KEYS.expiration] = new Date(Math.floor(o.expiresAt / 1000) * 1000).toISOString().replace(".000Z", "Z");
  if (o.description) stringData[KEYS.description] = o.description;
  const groups = o.extraGroups ?? [DEFAULT_EXTRA_GROUP];
  if (groups.length) stringData[KEYS.extraGroups] = groups.join(",");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: bootstrapSecretName(o.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    stringData,
  };
}

/** A Secret's data value as text (data is base64 on the wire and at rest in the API). */
export function secretValue(secret: { data?: Record<string, string> }, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 === undefined) return undefined;
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

/** When the token stops working (ms), null for never, "invalid" for an unparsable expiration (treated as expired, as upstream). */
export function bootstrapExpiry(secret: { data?: Record<string, string> }): number | null | "invalid" {
  const v = secretValue(secret, KEYS.expiration);
  if (v === undefined || v === "") return null;
  // RFC 3339 as Go's time.Parse(time.RFC3339) reads it.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return "invalid";
  const t = Date.parse(v);
  return Number.isNaN(t) ? "invalid" : t;
}

export function isExpired(secret: { data?: Record<string, string> }, nowMs: number): boolean {
  const e = bootstrapExpiry(secret);
  return e === "invalid" || (e !== null && e <= nowMs);
}

/** system:bootstrappers plus the Secret's auth-extra-groups; undefined when one of those is invalid. */
export function bootstrapGroups(secret: { data?: Record<string, string> }): string[] | undefined {
  const extra = (secretValue(secret, KEYS.extraGroups) ?? "").split(",").map((g) => g.trim()).filter(Boolean);
  if (extraGroupProblems(extra).length) return undefined;
  return [...new Set([BOOTSTRAPPERS_GROUP, ...extra])];
}
