// Admin routes of encryption at rest (docs/security.md, "Data at rest"): `edgeplane secrets
// rotate` asks each namespace's store to re-encrypt its Secrets under the first key of
// ENCRYPTION_KEYS. Only system:masters may call them, whatever RBAC grants on non-resource
// paths: rewriting every Secret of the cluster is the cluster owner's act.
import { Hono } from "hono";
import { pathAttributes } from "../auth/attributes.js";
import { forbiddenError } from "../auth/authorize.js";
import { SYSTEM_MASTERS } from "../auth/user.js";
import type { Env } from "../env.js";
import { StatusError, internalError } from "../lib/status.js";
import type { RotationReport, RotationTally } from "../storage/encryption/backend.js";
import { noKeyError, sumTallies } from "../storage/encryption/backend.js";
import { parseEncryptionKeys } from "../storage/encryption/keys.js";
import type { AppEnv } from "./context.js";
import { namespaceNames } from "./fan-in.js";
import { clusterStore, namespaceStore, unwrap } from "./stores.js";

export interface NamespaceRotation extends RotationReport {
  namespace: string;
}

export const encryptionRoutes = new Hono<AppEnv>();

encryptionRoutes.use("*", async (c, next) => {
  const user = c.get("user");
  if (!user.groups.includes(SYSTEM_MASTERS)) {
    throw forbiddenError(pathAttributes(user, c.req.method, new URL(c.req.url).pathname), "only system:masters may rotate the encryption of stored data");
  }
  const keys = parseEncryptionKeys(c.env.ENCRYPTION_KEYS);
  if (keys.problem) throw internalError(keys.problem);
  if (!keys.primary) throw noKeyError();
  await next();
});

/** One namespace's store: its Secrets and watch-log rows, re-encrypted under the first key. */
encryptionRoutes.post("/rotate/namespaces/:namespace", async (c) => c.json(await rotateNamespace(c.env, c.req.param("namespace"))));

/** Every namespace's store, a few at a time; the answer sums them up. */
encryptionRoutes.post("/rotate", async (c) => {
  const names = await namespaceNames(c.env);
  const namespaces: NamespaceRotation[] = [];
  for (let i = 0; i < names.length; i += 8) {
    namespaces.push(...(await Promise.all(names.slice(i, i + 8).map((ns) => rotateNamespace(c.env, ns)))));
  }
  return c.json({ keyName: parseEncryptionKeys(c.env.ENCRYPTION_KEYS).primary!.name, namespaces, total: sumRotations(namespaces) });
});

async function rotateNamespace(env: Env, namespace: string): Promise<NamespaceRotation> {
  // The namespace must exist (which also keeps unchecked names from becoming store ids).
  unwrap(await clusterStore(env).get({ group: "", version: "v1", resource: "namespaces", namespace: "", name: namespace }));
  const out = await namespaceStore(env, namespace).rotateEncryption();
  if (!out.ok) throw new StatusError(out.status);
  return { namespace, ...out.report };
}

/** The tallies of several rotations added up. */
export function sumRotations(rs: RotationReport[]): { objects: RotationTally; watchLog: RotationTally } {
  return { objects: sumTallies(rs.map((r) => r.objects)), watchLog: sumTallies(rs.map((r) => r.watchLog)) };
}
