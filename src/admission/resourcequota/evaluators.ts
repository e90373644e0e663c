// Upstream's quota evaluators (pkg/quota/v1/evaluator/core and apiserver's generic object count
// evaluator): for one kind, which quota resource names it accounts, which requests it handles,
// an object's usage, the pod constraints, and whether a pod falls in a quota scope.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import { computeQOSClass } from "../../apis/core/v1/podspec.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { count, ZERO } from "../quantity.js";
import { type ResourceList, fromWire } from "../resource-list.js";
import { podLimits, podRequests } from "../pod-resources.js";

export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface Evaluator {
  /** The kind this evaluator accounts. */
  readonly def: KindDef;
  /** Upstream's Handles: does this operation change what the kind uses? */
  handles(operation: "CREATE" | "UPDATE", subresource: string | undefined): boolean;
  /** The names of `input` this evaluator accounts. */
  matchingResources(input: string[]): string[];
  /** What one object uses. */
  usage(obj: KubeObject, now: number): ResourceList;
  /** Upstream's Constraints: an error message when a required resource is not set. */
  constraints(required: string[], obj: KubeObject): string | undefined;
  /** Whether the object falls in one scope selector of a quota. */
  matchesScope(sel: ScopeSelector, obj: KubeObject): boolean;
  /** True when usage is only the object count: the controller may count rows instead of reading them. */
  readonly countOnly: boolean;
}

/** `count/pods`, `count/deployments.apps`: upstream's ObjectCountQuotaResourceNameFor. */
export const objectCountName = (def: Pick<KindDef, "group" | "plural">): string => `count/${def.plural}${def.group ? `.${def.group}` : ""}`;

/** The legacy names that count objects of a core kind (`configmaps` as well as `count/configmaps`). */
const ALIASES: Record<string, string> = {
  configmaps: "configmaps",
  secrets: "secrets",
  replicationcontrollers: "replicationcontrollers",
  resourcequotas: "resourcequotas",
  persistentvolumeclaims: "persistentvolumeclaims",
};

function objectCountEvaluator(def: KindDef): Evaluator {
  const names = [objectCountName(def)];
  const alias = def.group === "" ? ALIASES[def.plural] : undefined;
  if (alias) names.push(alias);
  return {
    def,
    countOnly: true,
    handles: (op) => op === "CREATE",
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, count(1)])),
    constraints: () => undefined,
    matchesScope: () => false,
  };
}

function serviceEvaluator(def: KindDef): Evaluator {
  const names = ["count/services", "services", "services.loadbalancers", "services.nodeports"];
  return {
    def,
    countOnly: false,
    handles: (op) => op === "CREATE" || op === "UPDATE",
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    usage(obj) {
      const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[]; allocateLoadBalancerNodePorts?: boolean };
      const ports = spec.ports?.length ?? 0;
      const out: ResourceList = { "count/services": count(1), services: count(1), "services.loadbalancers": ZERO, "services.nodeports": ZERO };
      if (spec.type === "NodePort") out["services.nodeports"] = count(ports);
      if (spec.type === "LoadBalancer") {
        if (spec.allocateLoadBalancerNodePorts !== false) out["services.nodeports"] = count(ports);
        out["services.loadbalancers"] = count(1);
      }
      return out;
    },
    constraints: () => undefined,
    matchesScope: () => false,
  };
}

// ---- pods ----

const POD_RESOURCES = [
  "count/pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
];
/** Resources that, when quota'd, every container must set (upstream's backward-compatible mistake). */
const VALIDATION_SET = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]);

const isNative = (name: string) => !name.includes("/") || name.includes("kubernetes.io/");
const isExtended = (name: string) => !isNative(name) && !name.startsWith("requests.");

/** Upstream's podComputeUsageHelper. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: count(1) };
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    if (r in requests) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (r in limits) out[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith("hugepages-")) {
      out[r] = q;
      out[`requests.${r}`] = q;
    }
    if (isExtended(r)) out[`requests.${r}`] = q;
  }
  return out;
}

interface PodLike {
  metadata: KubeObject["metadata"];
  spec?: PodSpec;
  status?: { phase?: string; qosClass?: string };
}

/** Upstream's QuotaV1Pod: terminal pods, and pods past their deletion grace period, are not charged. */
export function podCharged(pod: PodLike, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const m = pod.metadata;
  if (m.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined) {
    if (now > Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

function isBestEffort(pod: PodLike): boolean {
  return (pod.status?.qosClass || computeQOSClass(pod.spec ?? ({} as PodSpec))) === "BestEffort";
}

function usesCrossNamespaceAffinity(spec: PodSpec): boolean {
  const aff = (spec.affinity ?? {}) as Record<string, { requiredDuringSchedulingIgnoredDuringExecution?: unknown[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: unknown }> } | undefined>;
  const cross = (t: unknown) => {
    const term = (t ?? {}) as { namespaces?: string[]; namespaceSelector?: unknown };
    return (term.namespaces?.length ?? 0) > 0 || term.namespaceSelector !== undefined;
  };
  for (const k of ["podAffinity", "podAntiAffinity"]) {
    const a = aff[k];
    if (!a) continue;
    if ((a.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(cross)) return true;
    if ((a.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) => cross(w.podAffinityTerm))) return true;
  }
  return false;
}

/** Upstream's podMatchesScopeFunc. */
export function podMatchesScope(sel: ScopeSelector, pod: PodLike): boolean {
  const spec = pod.spec ?? ({} as PodSpec);
  switch (sel.scopeName) {
    case "Terminating":
      return spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds >= 0;
    case "NotTerminating":
      return !(spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds >= 0);
    case "BestEffort":
      return isBestEffort(pod);
    case "NotBestEffort":
      return !isBestEffort(pod);
    case "PriorityClass": {
      const pc = spec.priorityClassName ?? "";
      switch (sel.operator) {
        case "Exists":
          return pc !== "";
        case "DoesNotExist":
          return pc === "";
        case "In":
          return pc !== "" && (sel.values ?? []).includes(pc);
        case "NotIn":
          return pc === "" || !(sel.values ?? []).includes(pc);
        default:
          return false;
      }
    }
    case "CrossNamespacePodAffinity":
      return usesCrossNamespaceAffinity(spec);
    default:
      return false;
  }
}

function podEvaluator(def: KindDef): Evaluator {
  return {
    def,
    countOnly: false,
    handles: (op, sub) => (op === "CREATE" && !sub) || (op === "UPDATE" && sub === "resize"),
    matchingResources(input) {
      return input.filter((n) => POD_RESOURCES.includes(n) || n.startsWith("hugepages-") || n.startsWith("requests.hugepages-") || (!isNative(n) && n.startsWith("requests.")));
    },
    usage(obj, now) {
      const pod = obj as unknown as PodLike;
      const out: ResourceList = { "count/pods": count(1) };
      if (!podCharged(pod, now)) return out;
      const spec = pod.spec ?? ({} as PodSpec);
      return { ...out, ...podComputeUsage(podRequests(spec), podLimits(spec)) };
    },
    constraints(required, obj) {
      const spec = ((obj as unknown as PodLike).spec ?? {}) as PodSpec;
      const requiredSet = required.filter((r) => VALIDATION_SET.has(r));
      if (!requiredSet.length) return undefined;
      const missing = new Map<string, Set<string>>();
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        const has = podComputeUsage(fromWire(c.resources?.requests), fromWire(c.resources?.limits));
        for (const r of requiredSet) {
          if (r in has) continue;
          if (!missing.has(r)) missing.set(r, new Set());
          missing.get(r)!.add(c.name);
        }
      }
      if (!missing.size) return undefined;
      const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
      return `must specify ${parts.join("; ")}`;
    },
    matchesScope: (sel, obj) => podMatchesScope(sel, obj as unknown as PodLike),
  };
}

/** The evaluator for a kind; every namespaced kind is at least counted (upstream adds one on first use). */
export function evaluatorFor(def: KindDef): Evaluator | undefined {
  if (!def.namespaced) return undefined;
  if (def.group === "" && def.plural === "pods") return podEvaluator(def);
  if (def.group === "" && def.plural === "services") return serviceEvaluator(def);
  return objectCountEvaluator(def);
}

/** Upstream's getScopeSelectorsFromQuota: scopes as Exists requirements, then the scope selector's. */
export function scopeSelectorsOf(spec: { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeSelector[] } } | undefined): ScopeSelector[] {
  return [...(spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: "Exists" })), ...(spec?.scopeSelector?.matchExpressions ?? [])];
}
