// Bootstrap tokens (plugin/pkg/auth/authenticator/token/bootstrap): `<id>.<secret>` matched
// against Secret kube-system/bootstrap-token-<id>. A recognised token is user
// system:bootstrap:<id> in system:bootstrappers and the Secret's auth-extra-groups; one that is
// expired, deleted, not for authentication or simply wrong is not recognised (401).
import type { Env } from "../../env.js";
import { namespaceStore } from "../../api/stores.js";
import { StatusError } from "../../lib/status.js";
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  KEYS,
  bootstrapGroups,
  bootstrapSecretName,
  isExpired,
  parseBootstrapToken,
  secretValue,
} from "../tokens/bootstrap.js";
import { constantTimeEqual } from "../constant-time.js";
import type { UserInfo } from "../user.js";

interface SecretLike {
  metadata: { deletionTimestamp?: string };
  type?: string;
  data?: Record<string, string>;
}

export async function bootstrapToken(token: string, env: Env): Promise<UserInfo | undefined> {
  const t = parseBootstrapToken(token);
  if (!t) return undefined;
  const name = bootstrapSecretName(t.id);
  const got = await namespaceStore(env, BOOTSTRAP_TOKEN_NAMESPACE).get({ group: "", version: "v1", resource: "secrets", namespace: BOOTSTRAP_TOKEN_NAMESPACE, name });
  if (!got.ok) {
    if (got.status.code === 404) return undefined;
    throw new StatusError(got.status);
  }
  const secret = got.body as SecretLike;
  if (secret.metadata.deletionTimestamp) return undefined;
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data) return undefined;
  if (!constantTimeEqual(secretValue(secret, KEYS.secret) ?? "", t.secret)) return undefined;
  if (secretValue(secret, KEYS.id) !== t.id) return undefined;
  if (isExpired(secret, Date.now())) return undefined;
  if (secretValue(secret, KEYS.usageAuthentication) !== "true") return undefined;
  const groups = bootstrapGroups(secret);
  if (!groups) return undefined;
  return { username: BOOTSTRAP_USER_PREFIX + t.id, groups };
}
