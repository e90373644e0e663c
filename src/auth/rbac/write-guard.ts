// Privilege escalation prevention on writes of Roles, ClusterRoles and their bindings (upstream's
// policybased storages in pkg/registry/rbac): unless the user is in system:masters, a role may
// only hold permissions its writer holds (or the writer may `escalate` it), and a binding may only
// grant a role whose permissions the writer holds (or the writer may `bind` it). It runs in the
// Worker, which knows the user, before the write goes to the store: POST and PUT bodies are
// checked as sent; a PATCH is first run as a dry run in the store, its result checked, and then
// sent with the dry run's resourceVersion as a precondition, so nothing can change in between.
import type { ClusterRole } from "../../apis/rbac/v1/clusterrole.js";
import { RBAC_GROUP, type PolicyRule, type RoleRef } from "../../apis/rbac/v1/policy.js";
import { decodeObject } from "../../apis/decode.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { clusterStore, namespaceStore, storeFor } from "../../api/stores.js";
import { hasAggregationRule } from "../../controllers/clusterrole-aggregation/plan.js";
import type { Env } from "../../env.js";
import { StatusError, failure } from "../../lib/status.js";
import type { PatchType, Target, WriteOptions } from "../../registry/requests.js";
import { authorize } from "../authorize.js";
import type { UserInfo } from "../user.js";
import { rbacRulesFor } from "./authorizer.js";
import { AGGREGATION_RULE_FORBIDDEN, FULL_AUTHORITY, escalationAllowed, escalationError } from "./escalation.js";

const ROLE_KINDS = ["Role", "ClusterRole"];
const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"];

const guarded = (def: KindDef): boolean => def.group === RBAC_GROUP && [...ROLE_KINDS, ...BINDING_KINDS].includes(def.kind);

/** apierrors.NewForbidden(rbac.Resource(plural), name, err). */
function forbidden(def: KindDef, name: string, why: string): StatusError {
  const qualified = `${def.plural}.${RBAC_GROUP}`;
  const message = name ? `${qualified} ${JSON.stringify(name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  return new StatusError(failure(403, "Forbidden", message, { name, group: RBAC_GROUP, kind: def.plural }));
}

async function allowed(env: Env, user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
  const a = { user, verb, isResourceRequest: true, path: "", apiGroup: RBAC_GROUP, apiVersion: "*", resource, subresource: "", namespace, name };
  return (await authorize(a, env)).allowed;
}

/** GetRoleReferenceRules through the registry: a missing role is a 404, as upstream's. */
async function roleRefRules(env: Env, ref: RoleRef, namespace: string): Promise<PolicyRule[]> {
  const clusterRole = ref.kind === "ClusterRole";
  const t: Target = { group: RBAC_GROUP, version: "v1", resource: clusterRole ? "clusterroles" : "roles", namespace: clusterRole ? "" : namespace, name: ref.name };
  const got = await (clusterRole ? clusterStore(env) : namespaceStore(env, namespace)).get(t);
  if (!got.ok) throw new StatusError(got.status);
  return ((got.body as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
}

async function confirmNoEscalation(env: Env, user: UserInfo, namespace: string, rules: PolicyRule[]): Promise<string | undefined> {
  const owner = await rbacRulesFor(env, user, namespace);
  return escalationError(user, owner.rules, rules, owner.errors);
}

/** The checks on the object a write would store (`old`: the stored ClusterRole, for its aggregationRule). */
async function check(env: Env, user: UserInfo, def: KindDef, target: Target, obj: KubeObject, old?: KubeObject): Promise<void> {
  const name = (obj.metadata.name as string | undefined) ?? target.name ?? "";
  if (ROLE_KINDS.includes(def.kind)) {
    const why = await confirmNoEscalation(env, user, target.namespace, (obj.rules as PolicyRule[] | undefined) ?? []);
    if (why) throw forbidden(def, name, why);
    // An aggregationRule can gather anything, so setting or changing one needs every permission.
    if (def.kind === "ClusterRole" && (hasAggregationRule(obj as ClusterRole) || hasAggregationRule(old as ClusterRole | undefined))) {
      if (await confirmNoEscalation(env, user, target.namespace, FULL_AUTHORITY)) throw forbidden(def, name, AGGREGATION_RULE_FORBIDDEN);
    }
    return;
  }
  const ref = { ...(obj.roleRef as RoleRef) };
  if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  // Anything else fails validation in the store, with upstream's field errors.
  if (ref.apiGroup !== RBAC_GROUP || !ref.name || !(ref.kind === "ClusterRole" || (ref.kind === "Role" && def.kind === "RoleBinding"))) return;
  if (await allowed(env, user, "bind", ref.kind === "ClusterRole" ? "clusterroles" : "roles", target.namespace, ref.name)) return;
  const why = await confirmNoEscalation(env, user, target.namespace, await roleRefRules(env, ref, target.namespace));
  if (why) throw forbidden(def, name, why);
}

/** May the user skip the role checks (system:masters, or `escalate` on this role)? */
async function mayEscalate(env: Env, user: UserInfo, def: KindDef, target: Target): Promise<boolean> {
  if (escalationAllowed(user)) return true;
  return ROLE_KINDS.includes(def.kind) && allowed(env, user, "escalate", def.plural, target.namespace, target.name ?? "");
}

async function storedClusterRole(env: Env, def: KindDef, target: Target): Promise<KubeObject | undefined> {
  if (def.kind !== "ClusterRole" || !target.name) return undefined;
  const got = await clusterStore(env).get(target);
  return got.ok ? (got.body as KubeObject) : undefined;
}

/** Checks a create or update body (POST, PUT) before it is sent to the store. */
export async function guardRbacWrite(env: Env, user: UserInfo, def: KindDef, target: Target, body: unknown): Promise<void> {
  if (!guarded(def) || (await mayEscalate(env, user, def, target))) return;
  const decoded = decodeObject(def, body);
  // A body that does not decode is refused by the store with upstream's 400.
  if (!decoded.ok) return;
  await check(env, user, def, target, decoded.obj, await storedClusterRole(env, def, target));
}

/** Checks a PATCH by its dry-run result; returns the patch to send, made conditional on what was checked. */
export async function guardRbacPatch(env: Env, user: UserInfo, def: KindDef, target: Target, type: PatchType, patch: unknown, opts: WriteOptions): Promise<unknown> {
  if (!guarded(def) || (await mayEscalate(env, user, def, target))) return patch;
  const old = await storedClusterRole(env, def, target);
  const dry = await storeFor(env, target.namespace).patch(target, type, patch, { ...opts, dryRun: true });
  if (!dry.ok) throw new StatusError(dry.status);
  const result = dry.body as KubeObject;
  await check(env, user, def, target, result, old);
  if (opts.dryRun) return patch;
  return withResourceVersion(type, patch, result.metadata.resourceVersion as string | undefined);
}

/** The patch with a resourceVersion precondition (none for a patch that creates). */
export function withResourceVersion(type: PatchType, patch: unknown, resourceVersion: string | undefined): unknown {
  if (!resourceVersion) return patch;
  if (type === "json") return [...(patch as unknown[]), { op: "add", path: "/metadata/resourceVersion", value: resourceVersion }];
  const p = patch as Record<string, unknown>;
  const meta = p.metadata;
  if (meta !== undefined && (meta === null || typeof meta !== "object" || Array.isArray(meta))) return patch;
  return { ...p, metadata: { ...(meta as object | undefined), resourceVersion } };
}
