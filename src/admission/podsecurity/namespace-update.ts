// Upstream's ValidateNamespace on update, the part that needs the namespace's pods: when a label
// change makes the enforce level stricter, the existing pods are checked against it and the
// answer carries warnings (`existing pods in namespace "x" violate the new PodSecurity enforce
// level …`), which `kubectl label ns` prints. The Worker runs it: the pods live in the
// namespace's own store.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { KindDef, KubeObject } from "../../apis/types.js";
import { clusterStore, namespaceStore } from "../../api/stores.js";
import type { Env } from "../../env.js";
import type { Outcome, Target } from "../../registry/requests.js";
import { evaluatePod, forbiddenReason } from "./evaluate.js";
import { compareLevels, type LevelVersion, levelVersionString, policyToEvaluate, sameLevelVersion } from "./policy.js";

/** Upstream's namespaceMaxPodsToCheck. */
const MAX_PODS_TO_CHECK = 3000;

/** The enforce level to check the pods against, when the labels' change calls for it. */
export function tightenedEnforce(oldLabels: Record<string, string> | undefined, newLabels: Record<string, string> | undefined): LevelVersion | undefined {
  const before = policyToEvaluate(oldLabels);
  const after = policyToEvaluate(newLabels);
  if (after.errors.length) return undefined;
  const [o, n] = [before.policy.enforce, after.policy.enforce];
  if (sameLevelVersion(o, n) || n.level === "privileged") return undefined;
  if (n.version === o.version && compareLevels(n.level, o.level) < 1) return undefined;
  return n;
}

interface PodLike {
  metadata: KubeObject["metadata"];
  spec?: PodSpec;
}

/** One pod per controller first, then the others (upstream's prioritizePods). */
function prioritize(pods: PodLike[]): PodLike[] {
  const first: PodLike[] = [];
  const rest: PodLike[] = [];
  const seen = new Set<string>();
  for (const p of pods) {
    const owner = p.metadata.ownerReferences?.find((r) => r.controller);
    if (!owner) first.push(p);
    else if (seen.has(owner.uid)) rest.push(p);
    else {
      seen.add(owner.uid);
      first.push(p);
    }
  }
  return [...first, ...rest];
}

/** Upstream's EvaluatePodsInNamespace: one warning per distinct set of reasons, naming the first pod. */
export function existingPodWarnings(namespace: string, enforce: LevelVersion, pods: PodLike[]): string[] {
  const ordered = prioritize(pods);
  const checked = ordered.slice(0, MAX_PODS_TO_CHECK);
  const byReason = new Map<string, { pod: string; count: number }>();
  for (const p of checked) {
    const r = evaluatePod(enforce, p.metadata, p.spec ?? ({} as PodSpec));
    if (r.allowed) continue;
    const reason = forbiddenReason(r);
    const seen = byReason.get(reason);
    const name = p.metadata.name ?? "";
    if (!seen) byReason.set(reason, { pod: name, count: 1 });
    else {
      seen.count++;
      if (name < seen.pod) seen.pod = name;
    }
  }
  const out: string[] = [];
  if (checked.length < ordered.length) out.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${ordered.length} existing pods`);
  if (byReason.size) out.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
  const podWarnings = [...byReason.entries()].map(([reason, { pod, count }]) => {
    if (count === 1) return `${pod}: ${reason}`;
    if (count === 2) return `${pod} (and 1 other pod): ${reason}`;
    return `${pod} (and ${count - 1} other pods): ${reason}`;
  });
  return [...out, ...podWarnings.sort()];
}

const NAMESPACES: Target = { group: "", version: "v1", resource: "namespaces", namespace: "" };

/** Before a namespace update: the namespace as it is (undefined for every other request). */
export async function namespaceBeforeUpdate(env: Env, def: KindDef, target: Target): Promise<KubeObject | undefined> {
  if (!(def.group === "" && def.kind === "Namespace") || target.subresource || !target.name) return undefined;
  const got = await clusterStore(env).get({ ...NAMESPACES, name: target.name });
  return got.ok ? (got.body as KubeObject) : undefined;
}

/** After it: the update's answer with warnings for the existing pods, when the enforce level got stricter. */
export async function withExistingPodWarnings(env: Env, before: KubeObject | undefined, o: Outcome): Promise<Outcome> {
  if (!before || !o.ok) return o;
  const after = o.body as KubeObject;
  const enforce = tightenedEnforce(before.metadata.labels, after.metadata.labels);
  const name = after.metadata.name;
  if (!enforce || !name) return o;
  const listed = await namespaceStore(env, name).list({ group: "", version: "v1", resource: "pods", namespace: name }, {});
  const warnings = listed.ok
    ? existingPodWarnings(name, enforce, (listed.body as { items: PodLike[] }).items)
    : ["failed to list pods while checking new PodSecurity enforce level"];
  return warnings.length ? { ...o, warnings: [...(o.warnings ?? []), ...warnings] } : o;
}
