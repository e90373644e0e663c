// The Pod Security Admission policy of a namespace (k8s.io/pod-security-admission/api): its
// `pod-security.kubernetes.io/{enforce,audit,warn}[-version]` labels parsed into a level and a
// version per mode, as upstream's PolicyToEvaluate (bad values: restricted:latest for enforce,
// privileged for audit and warn, plus field errors).
import { type FieldError, invalid } from "../../lib/field-errors.js";

export type Level = "privileged" | "baseline" | "restricted";
export const LEVELS: Level[] = ["privileged", "baseline", "restricted"];

/** A policy version: a minor of v1, or latest (Infinity). */
export type Version = number;
export const LATEST: Version = Number.POSITIVE_INFINITY;

export interface LevelVersion {
  level: Level;
  version: Version;
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export const LABEL_PREFIX = "pod-security.kubernetes.io/";
export const ENFORCE_LABEL = `${LABEL_PREFIX}enforce`;
export const AUDIT_LABEL = `${LABEL_PREFIX}audit`;
export const WARN_LABEL = `${LABEL_PREFIX}warn`;

/** Audit annotations PSA adds, as upstream names them (the audit log prefixes the plugin's name). */
export const ENFORCED_POLICY_ANNOTATION = `${LABEL_PREFIX}enforce-policy`;
export const AUDIT_VIOLATIONS_ANNOTATION = `${LABEL_PREFIX}audit-violations`;
export const EXEMPT_ANNOTATION = `${LABEL_PREFIX}exempt`;

/** The default when a namespace has no labels: privileged:latest for every mode (upstream's default config). */
export const DEFAULT_POLICY: Policy = {
  enforce: { level: "privileged", version: LATEST },
  audit: { level: "privileged", version: LATEST },
  warn: { level: "privileged", version: LATEST },
};

export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version === LATEST ? "latest" : `v1.${lv.version}`}`;
}

function parseLevel(v: string): Level | undefined {
  return (LEVELS as string[]).includes(v) ? (v as Level) : undefined;
}

function parseVersion(v: string): Version | undefined {
  if (v === "latest") return LATEST;
  const m = /^v1\.([0-9]|[1-9][0-9]*)$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

const path = (label: string) => `metadata.labels[${label}]`;

/** Upstream's PolicyToEvaluate. */
export function policyToEvaluate(labels: Record<string, string> | undefined, defaults: Policy = DEFAULT_POLICY): { policy: Policy; errors: FieldError[] } {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  if (!labels) return { policy, errors };
  for (const mode of ["enforce", "audit", "warn"] as const) {
    const levelLabel = `${LABEL_PREFIX}${mode}`;
    const versionLabel = `${levelLabel}-version`;
    const level = labels[levelLabel];
    if (level !== undefined) {
      const parsed = parseLevel(level);
      if (parsed) policy[mode].level = parsed;
      else {
        // enforce fails closed; audit and warn fail open.
        policy[mode].level = mode === "enforce" ? "restricted" : "privileged";
        errors.push(invalid(path(levelLabel), level, `must be one of ${LEVELS.join(", ")}`));
      }
    }
    const version = labels[versionLabel];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      policy[mode].version = parsed ?? LATEST;
      if (parsed === undefined) errors.push(invalid(path(versionLabel), version, `must be "latest" or "v1.x"`));
    }
  }
  return { policy, errors };
}

const rank = (l: Level) => LEVELS.indexOf(l);
/** Upstream's CompareLevels: -1 when a is less strict than b. */
export const compareLevels = (a: Level, b: Level): number => Math.sign(rank(a) - rank(b));

export const sameLevelVersion = (a: LevelVersion, b: LevelVersion): boolean => a.level === b.level && a.version === b.version;
