// One store's RBAC data in memory, for evaluating requests where the data lives (upstream's RBAC
// informers and rule resolver, split by store): the rules of its Roles or ClusterRoles by name, its
// bindings, and an index from user name and group to the bindings that name them, so a request
// costs O(bindings of its user), not O(bindings). Built by one scan the first time it is used, then
// kept current from the store's writes, like the garbage collector's dependency index.
import type { PolicyRule, RoleRef, Subject } from "../../apis/rbac/v1/policy.js";
import type { KubeObject } from "../../apis/types.js";
import type { Storage, StoredEvent } from "../../storage/interface.js";
import { ruleAllows, type RuleAttributes } from "./rule-matching.js";
import { describeBinding, firstApplyingSubject, subjectUsername } from "./subjects.js";

const ROLE_RESOURCES = ["roles", "clusterroles"] as const;
const BINDING_RESOURCES = ["rolebindings", "clusterrolebindings"] as const;
type BindingResource = (typeof BINDING_RESOURCES)[number];

export interface RbacUser {
  username: string;
  groups: string[];
}

/** A ClusterRole a RoleBinding grants in its namespace, resolved in the cluster store. */
export interface ClusterRoleGrant {
  name: string;
  /** How upstream describes the binding ("RoleBinding "x/ns" of ClusterRole "view" to User "u""). */
  source: string;
}

export interface RbacQuery {
  user: RbacUser;
  /** "namespace": this store's RoleBindings in `namespace`; "cluster": its ClusterRoleBindings and `grants`. */
  scope: "namespace" | "cluster";
  namespace: string;
  /** When given, stop at the first rule that allows it and answer the decision only. */
  attributes?: RuleAttributes;
  /** Cluster scope: ClusterRoles that RoleBindings grant (from the namespace store's answer). */
  grants?: ClusterRoleGrant[];
}

export interface RbacAnswer {
  /** The binding whose rule allowed `attributes`. */
  allowedBy?: string;
  /** Without `attributes`: every rule that applies. */
  rules: PolicyRule[];
  /** Namespace scope: ClusterRoles the user's RoleBindings reference, for the cluster store to resolve. */
  grants: ClusterRoleGrant[];
  /** Resolution errors of the bindings (a role that does not exist), as upstream words them. */
  errors: string[];
  /** Cluster scope: resolution errors of `grants`, kept apart so they can follow the namespace's. */
  grantErrors: string[];
}

interface IndexedBinding {
  kind: "RoleBinding" | "ClusterRoleBinding";
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

const bindingKind = (resource: BindingResource) => (resource === "rolebindings" ? "RoleBinding" : "ClusterRoleBinding");
const isRoleResource = (r: string): r is (typeof ROLE_RESOURCES)[number] => (ROLE_RESOURCES as readonly string[]).includes(r);
const isBindingResource = (r: string): r is BindingResource => (BINDING_RESOURCES as readonly string[]).includes(r);

/** lister NotFound errors as the RBAC authorizer reports them (singular resource names). */
export const roleNotFound = (kind: string, name: string): string => `${kind.toLowerCase()}.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;

export class RbacIndex {
  /** `<resource>/<name>` → rules, for roles and clusterroles. */
  private readonly roles = new Map<string, PolicyRule[]>();
  /** `<resource>/<name>` → binding. */
  private readonly bindings = new Map<string, IndexedBinding>();
  /** `<resource>|u|<username>` and `<resource>|g|<group>` → binding keys. */
  private readonly byKey = new Map<string, Set<string>>();
  private readonly keysOf = new Map<string, string[]>();

  constructor(storage: Storage) {
    // Scan and subscribe in one synchronous step: no write can fall between them.
    for (const resource of [...ROLE_RESOURCES, ...BINDING_RESOURCES]) {
      for (const obj of storage.list(resource).items) this.observe(resource, obj.metadata.name as string, obj);
    }
    storage.subscribe((e: StoredEvent) => this.observe(e.resource, e.name, e.type === "DELETED" ? undefined : e.object));
  }

  /** A write of an object (undefined: deleted). */
  observe(resource: string, name: string, obj: KubeObject | undefined): void {
    const key = `${resource}/${name}`;
    if (isRoleResource(resource)) {
      if (obj) this.roles.set(key, (obj.rules as PolicyRule[] | undefined) ?? []);
      else this.roles.delete(key);
      return;
    }
    if (!isBindingResource(resource)) return;
    for (const k of this.keysOf.get(key) ?? []) {
      const set = this.byKey.get(k);
      set?.delete(key);
      if (set?.size === 0) this.byKey.delete(k);
    }
    this.keysOf.delete(key);
    this.bindings.delete(key);
    if (!obj) return;
    const b: IndexedBinding = {
      kind: bindingKind(resource),
      name,
      namespace: resource === "rolebindings" ? ((obj.metadata.namespace as string | undefined) ?? "") : "",
      roleRef: obj.roleRef as RoleRef,
      subjects: (obj.subjects as Subject[] | undefined) ?? [],
    };
    this.bindings.set(key, b);
    const keys = new Set<string>();
    for (const s of b.subjects) {
      if (s.kind === "Group") keys.add(`${resource}|g|${s.name}`);
      const username = subjectUsername(s, b.namespace);
      if (username !== undefined) keys.add(`${resource}|u|${username}`);
    }
    this.keysOf.set(key, [...keys]);
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(key);
    }
  }

  /** The bindings of `resource` that may name the user, by name. */
  private candidates(resource: BindingResource, user: RbacUser): IndexedBinding[] {
    const keys = new Set<string>(this.byKey.get(`${resource}|u|${user.username}`) ?? []);
    for (const g of user.groups) for (const k of this.byKey.get(`${resource}|g|${g}`) ?? []) keys.add(k);
    return [...keys].sort().map((k) => this.bindings.get(k)!);
  }

  /** Upstream's VisitRulesFor for the part of the data this store holds. */
  evaluate(q: RbacQuery): RbacAnswer {
    const out: RbacAnswer = { rules: [], grants: [], errors: [], grantErrors: [] };
    /** Visits one rule set; true when it allowed the request (stop). */
    const visit = (rules: PolicyRule[], source: () => string): boolean => {
      if (!q.attributes) {
        out.rules.push(...rules);
        return false;
      }
      if (!rules.some((r) => ruleAllows(q.attributes!, r))) return false;
      out.allowedBy = source();
      return true;
    };
    const resource: BindingResource = q.scope === "cluster" ? "clusterrolebindings" : "rolebindings";
    for (const b of this.candidates(resource, q.user)) {
      if (b.kind === "RoleBinding" && b.namespace !== q.namespace) continue;
      const subject = firstApplyingSubject(q.user, b.subjects, b.namespace);
      if (!subject) continue;
      const source = () => describeBinding(b, subject);
      const ref = b.roleRef;
      if (ref.kind === "ClusterRole" && b.kind === "RoleBinding") {
        out.grants.push({ name: ref.name, source: source() });
        continue;
      }
      const rules = ref.kind === "Role" && b.kind === "RoleBinding" ? this.roles.get(`roles/${ref.name}`) : ref.kind === "ClusterRole" ? this.roles.get(`clusterroles/${ref.name}`) : undefined;
      if (rules === undefined) {
        out.errors.push(ref.kind === "Role" || ref.kind === "ClusterRole" ? roleNotFound(ref.kind, ref.name) : `unsupported role reference kind: ${JSON.stringify(ref.kind)}`);
        continue;
      }
      if (visit(rules, source)) return out;
    }
    if (q.scope === "cluster") {
      for (const g of q.grants ?? []) {
        const rules = this.roles.get(`clusterroles/${g.name}`);
        if (rules === undefined) {
          out.grantErrors.push(roleNotFound("ClusterRole", g.name));
          continue;
        }
        if (visit(rules, () => g.source)) return out;
      }
    }
    return out;
  }
}
