// Evaluates a pod (or a pod template) against one level:version, as upstream's checkRegistry
// (policy/registry.go): each check at its newest revision not newer than the version,
// restricted replacing the baseline checks it overrides, baseline checks first then restricted,
// each group in ID order, so messages read the same every time.
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { ObjectMetaLike } from "../../apis/types.js";
import type { Check, CheckPod, CheckResult } from "./check.js";
import { BASELINE_CHECKS } from "./checks-baseline.js";
import { RESTRICTED_CHECKS } from "./checks-restricted.js";
import type { LevelVersion } from "./policy.js";

export interface AggregateResult {
  allowed: boolean;
  results: CheckResult[];
}

function revisionAt(check: Check, version: number): { check: CheckPod; overrides?: string[] } | undefined {
  let found: Check["versions"][number] | undefined;
  for (const v of check.versions) if (v.minimumVersion <= version) found = v;
  return found;
}

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const BASELINE = [...BASELINE_CHECKS].sort(byId);
const RESTRICTED = [...RESTRICTED_CHECKS].sort(byId);

/** The checks of a level at a version, in upstream's order. */
export function checksFor(lv: LevelVersion): CheckPod[] {
  if (lv.level === "privileged") return [];
  const restricted = lv.level === "restricted" ? RESTRICTED.map((c) => revisionAt(c, lv.version)).filter((r) => r !== undefined) : [];
  const overridden = new Set(restricted.flatMap((r) => r.overrides ?? []));
  const baseline = BASELINE.filter((c) => !overridden.has(c.id))
    .map((c) => revisionAt(c, lv.version))
    .filter((r) => r !== undefined);
  return [...baseline, ...restricted].map((r) => r.check);
}

/** Upstream's EvaluatePod + AggregateCheckResults. */
export function evaluatePod(lv: LevelVersion, meta: ObjectMetaLike, spec: PodSpec): AggregateResult {
  const results = checksFor(lv)
    .map((check) => check(meta, spec))
    .filter((r) => r !== undefined);
  return { allowed: results.length === 0, results };
}

/** `host namespaces (hostNetwork=true), privileged (container "c" must …)`. */
export function forbiddenDetail(r: AggregateResult): string {
  return r.results.map((x) => (x.detail ? `${x.reason} (${x.detail})` : x.reason)).join(", ");
}

/** `host namespaces, privileged`. */
export function forbiddenReason(r: AggregateResult): string {
  return r.results.map((x) => x.reason).join(", ");
}
