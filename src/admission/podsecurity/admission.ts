// Upstream's PodSecurity admission (k8s.io/pod-security-admission/admission/admission.go), pure:
// a pod is checked against its namespace's enforce level (refused), audit level (an audit
// annotation) and warn level (a warning); workload templates only against audit and warn; a
// namespace's own pod-security labels must be valid.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { KubeObject, ObjectMetaLike } from "../../apis/types.js";
import { type FieldError, fieldErrorMessage } from "../../lib/field-errors.js";
import { evaluatePod, forbiddenDetail, type AggregateResult } from "./evaluate.js";
import {
  AUDIT_VIOLATIONS_ANNOTATION,
  ENFORCED_POLICY_ANNOTATION,
  LABEL_PREFIX,
  type LevelVersion,
  levelVersionString,
  policyToEvaluate,
} from "./policy.js";

export interface PodSecurityDecision {
  /** The refusal, `violates PodSecurity "restricted:latest": …`, when enforce refuses. */
  forbidden?: string;
  /** The namespace's labels could not be read (upstream answers 500 for pods). */
  lookupFailed?: boolean;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

const ALLOW: PodSecurityDecision = { warnings: [], auditAnnotations: {} };
const ERROR_ANNOTATION = `${LABEL_PREFIX}error`;

/** Pod subresources that cannot change what PodSecurity checks. */
const IGNORED_POD_SUBRESOURCES = new Set(["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"]);

interface PodLike {
  metadata: ObjectMetaLike;
  spec?: PodSpec;
}

type Containerish = { name?: string; image?: string };
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

/** Upstream's isSignificantPodUpdate: only image, seccomp annotation and ephemeral container changes matter. */
export function isSignificantPodUpdate(pod: PodLike, old: PodLike): boolean {
  const a = pod.metadata.annotations ?? {};
  const oa = old.metadata.annotations ?? {};
  if (a[SECCOMP_POD_ANNOTATION] !== oa[SECCOMP_POD_ANNOTATION]) return true;
  const containerChanged = (c: Containerish, oc: Containerish) => c.image !== oc.image || a[SECCOMP_CONTAINER_PREFIX + c.name] !== oa[SECCOMP_CONTAINER_PREFIX + oc.name];
  for (const k of ["containers", "initContainers"] as const) {
    const cs = pod.spec?.[k] ?? [];
    const ocs = old.spec?.[k] ?? [];
    if (cs.length !== ocs.length) return true;
    if (cs.some((c, i) => containerChanged(c, ocs[i]))) return true;
  }
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    const oc = (old.spec?.ephemeralContainers ?? []).find((o) => o.name === c.name);
    if (!oc || containerChanged(c, oc)) return true;
  }
  return false;
}

const aggregateErrors = (errs: FieldError[]) => (errs.length === 1 ? fieldErrorMessage(errs[0]) : `[${errs.map(fieldErrorMessage).join(", ")}]`);

/** Upstream's EvaluatePod: enforce (when asked), audit and warn, sharing evaluations of the same level:version. */
function evaluate(labels: Record<string, string> | undefined, meta: ObjectMetaLike, spec: PodSpec, enforce: boolean): PodSecurityDecision {
  const { policy, errors } = policyToEvaluate(labels);
  const out: PodSecurityDecision = { warnings: [], auditAnnotations: {} };
  if (errors.length) out.auditAnnotations[ERROR_ANNOTATION] = `Failed to parse policy: ${aggregateErrors(errors)}`;
  const cache = new Map<string, AggregateResult>();
  const run = (lv: LevelVersion) => {
    const key = levelVersionString(lv);
    let r = cache.get(key);
    if (!r) cache.set(key, (r = evaluatePod(lv, meta, spec)));
    return r;
  };
  if (enforce) {
    out.auditAnnotations[ENFORCED_POLICY_ANNOTATION] = levelVersionString(policy.enforce);
    const r = run(policy.enforce);
    if (!r.allowed) out.forbidden = `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(r)}`;
  }
  const audit = run(policy.audit);
  if (!audit.allowed) out.auditAnnotations[AUDIT_VIOLATIONS_ANNOTATION] = `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(audit)}`;
  // No warnings on a request that is refused anyway.
  if (!out.forbidden) {
    const warn = run(policy.warn);
    if (!warn.allowed) out.warnings.push(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warn)}`);
  }
  return out;
}

function allPrivileged(labels: Record<string, string> | undefined, modes: Array<"enforce" | "audit" | "warn">): boolean {
  const { policy, errors } = policyToEvaluate(labels);
  return errors.length === 0 && modes.every((m) => policy[m].level === "privileged");
}

/**
 * Upstream's ValidatePod. `labels` are the namespace's labels; undefined when they could not be
 * read. `old` is the stored pod of an update.
 */
export function validatePod(labels: Record<string, string> | undefined, pod: PodLike, old: PodLike | undefined, subresource: string | undefined): PodSecurityDecision {
  if (subresource && IGNORED_POD_SUBRESOURCES.has(subresource)) return ALLOW;
  // Before the namespace lookup (upstream looks first): an insignificant update is allowed either way.
  if (old && !isSignificantPodUpdate(pod, old)) return ALLOW;
  if (labels === undefined) return { ...ALLOW, lookupFailed: true };
  if (allPrivileged(labels, ["enforce", "audit", "warn"])) return ALLOW;
  return evaluate(labels, pod.metadata, pod.spec ?? ({} as PodSpec), true);
}

/** Upstream's ValidatePodController: a workload's pod template, for audit and warn only. */
export function validatePodController(labels: Record<string, string> | undefined, template: { metadata?: ObjectMetaLike; spec?: PodSpec } | undefined, subresource: string | undefined): PodSecurityDecision {
  if (subresource) return ALLOW;
  if (labels === undefined) return { warnings: [], auditAnnotations: { [ERROR_ANNOTATION]: "failed to lookup namespace" } };
  if (allPrivileged(labels, ["audit", "warn"])) return ALLOW;
  if (!template) return ALLOW;
  return evaluate(labels, template.metadata ?? {}, template.spec ?? ({} as PodSpec), false);
}

/** Upstream's ValidateNamespace: the pod-security labels must parse (on update, unless they were already bad the same way). */
export function validateNamespaceLabels(ns: KubeObject, old: KubeObject | undefined): FieldError[] {
  const { errors } = policyToEvaluate(ns.metadata.labels);
  if (!errors.length) return [];
  if (old) {
    const before = policyToEvaluate(old.metadata.labels).errors;
    if (before.length && JSON.stringify(before) === JSON.stringify(errors)) return [];
  }
  return errors;
}

/** The pod template of a workload kind (upstream's DefaultPodSpecExtractor), or undefined. */
export function podTemplateOf(def: { group: string; kind: string }, obj: KubeObject): { metadata?: ObjectMetaLike; spec?: PodSpec } | undefined | null {
  const spec = obj.spec as { template?: unknown; jobTemplate?: { spec?: { template?: unknown } } } | undefined;
  const key = `${def.group}/${def.kind}`;
  switch (key) {
    case "/PodTemplate":
      return (obj as { template?: { metadata?: ObjectMetaLike; spec?: PodSpec } }).template;
    case "/ReplicationController":
    case "apps/ReplicaSet":
    case "apps/Deployment":
    case "apps/DaemonSet":
    case "apps/StatefulSet":
    case "batch/Job":
      return spec?.template as { metadata?: ObjectMetaLike; spec?: PodSpec } | undefined;
    case "batch/CronJob":
      return spec?.jobTemplate?.spec?.template as { metadata?: ObjectMetaLike; spec?: PodSpec } | undefined;
    default:
      return null;
  }
}

/** Kinds PodSecurity looks at: pods, workloads with a pod template, and namespaces (their labels). */
export function podSecurityApplies(def: { group: string; kind: string }): boolean {
  if (def.group === "" && (def.kind === "Pod" || def.kind === "Namespace")) return true;
  return podTemplateOf(def, { metadata: {} }) !== null;
}
