// Upstream's patch strategies for the built-in kinds we serve, transcribed from the Go struct
// tags (`patchStrategy:"merge" patchMergeKey:"name"`) in k8s.io/api and k8s.io/apimachinery.
// Strategic merge patch and the OpenAPI x-kubernetes-patch-* extensions both read them here.
// Only fields that carry a strategy, or lead to a type that has one, are listed: every other
// map merges key by key and every other list is replaced whole, as upstream does by default.
import type { FieldPatchMeta, PatchMeta } from "./strategic-merge-patch.js";

/** A field of a named type: the upstream tag's strategy (e.g. "merge", "merge,retainKeys") and/or the type it holds. */
export interface FieldDef {
  patchStrategy?: "merge" | "retainKeys" | "merge,retainKeys" | "replace";
  patchMergeKey?: string;
  /** Named type of the field, or of its elements for a list. */
  type?: TypeName;
}

/** A named type in `types` (checked by the tests: every reference resolves). */
export type TypeName = string;

const merge = (patchMergeKey?: string, type?: TypeName): FieldDef =>
  patchMergeKey ? { patchStrategy: "merge", patchMergeKey, type } : { patchStrategy: "merge", type };
const conditions = merge("type");
const of = (type: TypeName): FieldDef => ({ type });

/** Named Go types and their fields that matter to patching. */
export const types: Record<TypeName, Record<string, FieldDef>> = {
  // meta/v1
  ObjectMeta: {
    finalizers: merge(),
    ownerReferences: merge("uid"),
  },

  // core/v1
  PodTemplateSpec: { metadata: of("ObjectMeta"), spec: of("PodSpec") },
  PodSpec: {
    volumes: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
    initContainers: merge("name", "Container"),
    containers: merge("name", "Container"),
    ephemeralContainers: merge("name", "Container"),
    imagePullSecrets: merge("name"),
    hostAliases: merge("ip"),
    topologySpreadConstraints: merge("topologyKey"),
    resourceClaims: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
    schedulingGates: merge("name"),
    // tolerations, readinessGates: no strategy upstream, replaced whole.
  },
  // EphemeralContainerCommon carries the same tags, so ephemeral containers share this.
  Container: {
    ports: merge("containerPort"),
    env: merge("name"),
    volumeMounts: merge("mountPath"),
    volumeDevices: merge("devicePath"),
    // resizePolicy is +listType=atomic with no patchStrategy upstream: replaced whole.
  },
  PodStatus: {
    conditions,
    podIPs: merge("ip"),
    hostIPs: merge("ip"),
    resourceClaimStatuses: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
    // containerStatuses, initContainerStatuses, ephemeralContainerStatuses: no strategy.
  },
  ServiceSpec: { ports: merge("port") },
  ServiceStatus: { conditions },
  NodeSpec: {
    podCIDRs: merge(),
    // taints: no strategy upstream (Taint.key's tag is on the struct field, not the list).
  },
  NodeStatus: {
    conditions,
    addresses: merge("type"),
    // images, volumesAttached, volumesInUse: no strategy.
  },
  NamespaceStatus: { conditions },

  // apps/v1
  DeploymentSpec: { template: of("PodTemplateSpec"), strategy: { patchStrategy: "retainKeys" } },
  DeploymentStatus: { conditions },
  ReplicaSetSpec: { template: of("PodTemplateSpec") },
  ReplicaSetStatus: { conditions },
  StatefulSetSpec: { template: of("PodTemplateSpec") },
  StatefulSetStatus: { conditions },
  DaemonSetSpec: { template: of("PodTemplateSpec") },
  DaemonSetStatus: { conditions },

  // batch/v1
  JobTemplateSpec: { metadata: of("ObjectMeta"), spec: of("JobSpec") },
  JobSpec: { template: of("PodTemplateSpec") },
  JobStatus: { conditions },
  CronJobSpec: { jobTemplate: of("JobTemplateSpec") },
  // CronJobStatus.active: no strategy.

  // Top-level kinds.
  Pod: { metadata: of("ObjectMeta"), spec: of("PodSpec"), status: of("PodStatus") },
  PodTemplate: { metadata: of("ObjectMeta"), template: of("PodTemplateSpec") },
  Service: { metadata: of("ObjectMeta"), spec: of("ServiceSpec"), status: of("ServiceStatus") },
  Endpoints: { metadata: of("ObjectMeta") }, // subsets and their addresses/ports: no strategy.
  ConfigMap: { metadata: of("ObjectMeta") },
  Secret: { metadata: of("ObjectMeta") },
  ServiceAccount: { metadata: of("ObjectMeta"), secrets: merge("name") }, // imagePullSecrets: none.
  Node: { metadata: of("ObjectMeta"), spec: of("NodeSpec"), status: of("NodeStatus") },
  Namespace: { metadata: of("ObjectMeta"), status: of("NamespaceStatus") }, // spec.finalizers: none.
  Event: { metadata: of("ObjectMeta") },
  Deployment: { metadata: of("ObjectMeta"), spec: of("DeploymentSpec"), status: of("DeploymentStatus") },
  ReplicaSet: { metadata: of("ObjectMeta"), spec: of("ReplicaSetSpec"), status: of("ReplicaSetStatus") },
  StatefulSet: { metadata: of("ObjectMeta"), spec: of("StatefulSetSpec"), status: of("StatefulSetStatus") },
  DaemonSet: { metadata: of("ObjectMeta"), spec: of("DaemonSetSpec"), status: of("DaemonSetStatus") },
  Job: { metadata: of("ObjectMeta"), spec: of("JobSpec"), status: of("JobStatus") },
  CronJob: { metadata: of("ObjectMeta"), spec: of("CronJobSpec") },
  Lease: { metadata: of("ObjectMeta") },
  EndpointSlice: { metadata: of("ObjectMeta") }, // endpoints, ports: atomic lists (replaced whole).
  ResourceQuota: { metadata: of("ObjectMeta") }, // hard, scopes, scopeSelector: no strategy.
  LimitRange: { metadata: of("ObjectMeta") }, // limits: no strategy (replaced whole).
  // rbac.authorization.k8s.io/v1: rules and subjects carry no strategy (replaced whole).
  Role: { metadata: of("ObjectMeta") },
  ClusterRole: { metadata: of("ObjectMeta") },
  RoleBinding: { metadata: of("ObjectMeta") },
  ClusterRoleBinding: { metadata: of("ObjectMeta") },
};

/** Served kinds by "group/Kind" ("" is the core group) → their root type. */
const kinds: Record<string, TypeName> = {
  "/Pod": "Pod",
  "/PodTemplate": "PodTemplate",
  "/Service": "Service",
  "/Endpoints": "Endpoints",
  "/ConfigMap": "ConfigMap",
  "/Secret": "Secret",
  "/ServiceAccount": "ServiceAccount",
  "/Node": "Node",
  "/Namespace": "Namespace",
  "/Event": "Event",
  "/ResourceQuota": "ResourceQuota",
  "/LimitRange": "LimitRange",
  "apps/Deployment": "Deployment",
  "apps/ReplicaSet": "ReplicaSet",
  "apps/StatefulSet": "StatefulSet",
  "apps/DaemonSet": "DaemonSet",
  "batch/Job": "Job",
  "batch/CronJob": "CronJob",
  "coordination.k8s.io/Lease": "Lease",
  "discovery.k8s.io/EndpointSlice": "EndpointSlice",
  "events.k8s.io/Event": "Event",
  "rbac.authorization.k8s.io/Role": "Role",
  "rbac.authorization.k8s.io/ClusterRole": "ClusterRole",
  "rbac.authorization.k8s.io/RoleBinding": "RoleBinding",
  "rbac.authorization.k8s.io/ClusterRoleBinding": "ClusterRoleBinding",
};

function fieldsOf(type: TypeName): Record<string, FieldDef> | undefined {
  return Object.prototype.hasOwnProperty.call(types, type) ? types[type] : undefined;
}

/** The patch metadata rooted at a named type. */
export function patchMetaForType(root: TypeName): PatchMeta {
  return {
    lookup(path: readonly string[]): FieldPatchMeta {
      let fields: Record<string, FieldDef> | undefined = fieldsOf(root);
      let def: FieldDef | undefined;
      for (const key of path) {
        def = fields && Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
        if (!def) return {};
        fields = def.type ? fieldsOf(def.type) : undefined;
      }
      return def ? toFieldPatchMeta(def) : {};
    },
  };
}

function toFieldPatchMeta(def: FieldDef): FieldPatchMeta {
  const out: FieldPatchMeta = {};
  const strategies = (def.patchStrategy ?? "").split(",");
  if (strategies.includes("merge")) out.patchStrategy = "merge";
  else if (strategies.includes("replace")) out.patchStrategy = "replace";
  if (strategies.includes("retainKeys")) out.retainKeys = true;
  if (def.patchMergeKey) out.patchMergeKey = def.patchMergeKey;
  return out;
}

/**
 * Patch metadata for a served built-in kind, or undefined for kinds without one (custom
 * resources), for which upstream refuses strategic merge patch with 415.
 */
export function patchMetaFor(group: string, kind: string): PatchMeta | undefined {
  const root = kinds[`${group}/${kind}`];
  return root ? patchMetaForType(root) : undefined;
}

export interface MergeKeyEntry {
  /** Dotted field path from the object's root, list indices omitted: `spec.template.spec.containers.env`. */
  path: string;
  /** The upstream tag value: "merge", "retainKeys", "merge,retainKeys" or "replace". */
  strategy: string;
  mergeKey?: string;
}

/** Every field of a kind that carries a patch strategy, for x-kubernetes-patch-strategy/merge-key. */
export function mergeKeys(group: string, kind: string): MergeKeyEntry[] {
  const root = kinds[`${group}/${kind}`];
  if (!root) return [];
  const out: MergeKeyEntry[] = [];
  const walk = (type: TypeName, prefix: string, seen: readonly TypeName[]) => {
    if (seen.includes(type)) return; // no recursive types today; guard anyway
    for (const [name, def] of Object.entries(fieldsOf(type) ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (def.patchStrategy) {
        const entry: MergeKeyEntry = { path, strategy: def.patchStrategy };
        if (def.patchMergeKey) entry.mergeKey = def.patchMergeKey;
        out.push(entry);
      }
      if (def.type) walk(def.type, path, [...seen, type]);
    }
  };
  walk(root, "", []);
  return out;
}

/** The kinds that have patch metadata, as [group, kind] pairs. */
export function patchMetaKinds(): Array<[group: string, kind: string]> {
  return Object.keys(kinds).map((k) => {
    const slash = k.lastIndexOf("/");
    return [k.slice(0, slash), k.slice(slash + 1)];
  });
}
