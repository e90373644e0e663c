// The token cleaner (pkg/controller/bootstrap/tokencleaner.go), in the kube-system store: a
// bootstrap token Secret is deleted once its expiration has passed; until then its key is
// re-queued for that moment. (The authenticator refuses an expired token on its own: this only
// keeps kube-system tidy.)
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapExpiry } from "../../auth/tokens/bootstrap.js";
import type { Clock } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { joinKey, type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";

export const TOKEN_CLEANER_RECONCILER = "tokencleaner";
const SECRETS = findKind("", "v1", "secrets")!;

type SecretLike = KubeObject & { type?: string; data?: Record<string, string> };

/** Delete now, look again later, or leave alone (no expiration, or one that does not parse). */
export function planTokenCleanup(secret: SecretLike, nowMs: number): { action: "delete" } | { action: "requeue"; afterMs: number } | { action: "none" } {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return { action: "none" };
  const expiry = bootstrapExpiry(secret);
  if (expiry === null || expiry === "invalid") return { action: "none" };
  return expiry <= nowMs ? { action: "delete" } : { action: "requeue", afterMs: expiry - nowMs };
}

export class TokenCleaner implements Reconciler {
  readonly name = TOKEN_CLEANER_RECONCILER;

  constructor(private readonly o: { storeFor: (namespace: string) => GenericStore; now: Clock }) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const store = this.o.storeFor(namespace);
    let secret: SecretLike;
    try {
      secret = store.get(SECRETS, name) as SecretLike;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
    const p = planTokenCleanup(secret, this.o.now());
    if (p.action === "requeue") return { requeueAfterMs: p.afterMs };
    if (p.action !== "delete") return;
    try {
      store.delete(SECRETS, name, { preconditions: { uid: String(secret.metadata.uid ?? "") } });
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    }
  }
}

export function tokenCleanerController(deps: ControllerDeps): Controller {
  return {
    reconciler: new TokenCleaner({ storeFor: deps.storeFor, now: deps.now }),
    keysFor(e, ctx) {
      if (ctx.namespace !== BOOTSTRAP_TOKEN_NAMESPACE || e.resource !== "secrets" || e.type === "DELETED") return [];
      return (e.object as SecretLike).type === BOOTSTRAP_TOKEN_SECRET_TYPE ? [joinKey(ctx.namespace, e.name)] : [];
    },
    resyncKeys(ctx) {
      if (ctx.namespace !== BOOTSTRAP_TOKEN_NAMESPACE) return [];
      return ctx
        .list(SECRETS)
        .filter((s) => (s as SecretLike).type === BOOTSTRAP_TOKEN_SECRET_TYPE)
        .map((s) => joinKey(ctx.namespace, s.metadata.name as string));
    },
  };
}
