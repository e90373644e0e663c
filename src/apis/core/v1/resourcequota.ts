// core/v1 ResourceQuota: hard limits per named resource of one namespace, optionally only for
// pods in some scopes; status.hard/used are written by admission and the quota controller.
// Validation is upstream's ValidateResourceQuota; quantities are stored in canonical form.
import { z } from "zod";
import { canonical, milliValue, toQuantity } from "../../../admission/quantity.js";
import { type FieldError, invalid, required } from "../../../lib/field-errors.js";
import { QuantitySchema, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isQualifiedName } from "../../validation.js";

const ResourceList = () => goType(z.record(z.string(), QuantitySchema), "v1.ResourceList");

export const ScopedResourceSelectorRequirementSchema = goType(
  z.object({
    scopeName: z.string().default("").describe("The name of the scope that the selector applies to."),
    operator: z.string().default("").describe("In, NotIn, Exists or DoesNotExist."),
    values: z.array(z.string()).optional().describe("Values for In and NotIn; empty for Exists and DoesNotExist."),
  }),
  "ScopedResourceSelectorRequirement",
);

export const ScopeSelectorSchema = goType(
  z.object({ matchExpressions: z.array(ScopedResourceSelectorRequirementSchema).optional().describe("A list of scope selector requirements by scope of the resources.") }),
  "ScopeSelector",
);

export const ResourceQuotaSpecSchema = goType(
  z.object({
    hard: ResourceList().optional().describe("The set of desired hard limits for each named resource."),
    scopes: z.array(z.string()).optional().describe("Filters that must match each object tracked by a quota; all objects when empty."),
    scopeSelector: ScopeSelectorSchema.optional().describe("Also a collection of filters like scopes that must match each object tracked by a quota."),
  }),
  "ResourceQuotaSpec",
);

export const ResourceQuotaStatusSchema = goType(
  z.object({
    hard: ResourceList().optional().describe("The set of enforced hard limits for each named resource."),
    used: ResourceList().optional().describe("The current observed total usage of the resource in the namespace."),
  }),
  "ResourceQuotaStatus",
);

export const ResourceQuotaSchema = goType(
  z.object({
    ...typeMeta,
    spec: ResourceQuotaSpecSchema.optional().describe("Spec defines the desired quota."),
    status: ResourceQuotaStatusSchema.optional().describe("Status defines the actual enforced quota and its current usage."),
  }).describe("ResourceQuota sets aggregate quota restrictions enforced per namespace"),
  "ResourceQuota",
);
export type ResourceQuota = z.infer<typeof ResourceQuotaSchema>;

/** Upstream's standard quota resource names (helper.IsStandardQuotaResourceName). */
export const STANDARD_QUOTA_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
]);
export const isStandardQuotaResource = (name: string): boolean =>
  STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");

const INTEGER_QUOTA_RESOURCES = new Set(["pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers"]);

export const QUOTA_SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];
const POD_COMPUTE = new Set(["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"]);

/** Upstream's IsResourceQuotaScopeValidForResource. */
function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === "BestEffort") return resource === "pods";
  if (QUOTA_SCOPES.includes(scope)) return resource === "pods" || POD_COMPUTE.has(resource);
  return true;
}
const CONFLICTING = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

function quotaResourceNameErrors(name: string, path: string): FieldError[] {
  const qualified = isQualifiedName(name);
  if (qualified.length) return qualified.map((m) => invalid(path, name, m));
  if (!name.includes("/") && !isStandardQuotaResource(name)) return [invalid(path, name, "must be a standard resource for quota")];
  return [];
}

function validateQuotaList(list: Record<string, string | number> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const p = `${path}[${k}]`;
    errs.push(...quotaResourceNameErrors(k, p));
    const q = toQuantity(v);
    if (q.nanos < 0n) errs.push(invalid(p, String(v), "must be greater than or equal to 0"));
    if (INTEGER_QUOTA_RESOURCES.has(k) && milliValue(q) % 1000n !== 0n) errs.push(invalid(p, String(v), "must be an integer"));
  }
  return errs;
}

function validateScopes(spec: NonNullable<ResourceQuota["spec"]>): FieldError[] {
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  const conflicts = (set: Set<string>, path: string, value: unknown) => {
    for (const [a, b] of CONFLICTING) if (set.has(a) && set.has(b)) errs.push(invalid(path, value, "conflicting scopes"));
  };
  if (spec.scopes?.length) {
    const set = new Set<string>();
    for (const scope of spec.scopes) {
      if (!QUOTA_SCOPES.includes(scope)) errs.push(invalid("spec.scopes", spec.scopes, "unsupported scope"));
      for (const k of hard) if (isStandardQuotaResource(k) && !scopeValidFor(scope, k)) errs.push(invalid("spec.scopes", spec.scopes, "unsupported scope applied to resource"));
      set.add(scope);
    }
    conflicts(set, "spec.scopes", spec.scopes);
  }
  const exprs = spec.scopeSelector?.matchExpressions;
  if (spec.scopeSelector && !exprs?.length) errs.push(required("spec.scopeSelector.matchExpressions", "must have at least one scope selector requirement"));
  if (exprs?.length) {
    const path = "spec.scopeSelector.matchExpressions";
    const set = new Set<string>();
    for (const req of exprs) {
      if (!QUOTA_SCOPES.includes(req.scopeName)) errs.push(invalid(`${path}.scopeName`, req.scopeName, "unsupported scope"));
      for (const k of hard) if (isStandardQuotaResource(k) && !scopeValidFor(req.scopeName, k)) errs.push(invalid(path, spec.scopeSelector, "unsupported scope applied to resource"));
      if (req.scopeName !== "PriorityClass" && QUOTA_SCOPES.includes(req.scopeName) && req.operator !== "Exists") {
        errs.push(
          invalid(
            `${path}.operator`,
            req.operator,
            "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
          ),
        );
      }
      if (req.operator === "In" || req.operator === "NotIn") {
        if (!req.values?.length) errs.push(required(`${path}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (req.operator === "Exists" || req.operator === "DoesNotExist") {
        if (req.values?.length) errs.push(invalid(`${path}.values`, req.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else {
        errs.push(invalid(`${path}.operator`, req.operator, "not a valid selector operator"));
      }
      set.add(req.scopeName);
    }
    conflicts(set, path, spec.scopeSelector);
  }
  return errs;
}

/** Upstream's ValidateResourceQuota (spec and status). */
export function validateResourceQuota(q: ResourceQuota): FieldError[] {
  const spec = q.spec ?? {};
  return [
    ...validateQuotaList(spec.hard, "spec.hard"),
    ...validateScopes(spec),
    ...validateQuotaList(q.status?.hard, "status.hard"),
    ...validateQuotaList(q.status?.used, "status.used"),
  ];
}

function canonicalList(list: Record<string, string | number> | undefined): Record<string, string | number> | undefined {
  if (!list) return list;
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, canonical(v)]));
}

export const resourceQuotaDef: KindDef<ResourceQuota> = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  listKind: "ResourceQuotaList",
  plural: "resourcequotas",
  singular: "resourcequota",
  namespaced: true,
  shortNames: ["quota"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: ResourceQuotaSchema,
  applyDefaults(q) {
    // Quantities are stored as upstream serializes them.
    if (q.spec?.hard) q.spec.hard = canonicalList(q.spec.hard);
    if (q.status?.hard) q.status.hard = canonicalList(q.status.hard);
    if (q.status?.used) q.status.used = canonicalList(q.status.used);
  },
  validate: validateResourceQuota,
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  specKeys: ["spec"],
};
