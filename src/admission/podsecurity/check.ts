// What a Pod Security Standards check is (k8s.io/pod-security-admission/policy/checks.go): an
// ID, a level, versioned pod checks; plus the helpers the checks share to word their findings
// exactly as upstream (`containers "a", "b" must …`).
import type { PodSpec } from "../../apis/core/v1/podspec.js";
import type { ObjectMetaLike } from "../../apis/types.js";
import type { Level, Version } from "./policy.js";

export interface CheckResult {
  /** Succinct, always shown: `host namespaces`. */
  reason: string;
  /** Specific values, shown for one object: `hostNetwork=true`. */
  detail: string;
}

/** undefined when the pod is allowed. */
export type CheckPod = (meta: ObjectMetaLike, spec: PodSpec) => CheckResult | undefined;

export interface VersionedCheck {
  /** The first policy version (v1 minor) this revision applies to. */
  minimumVersion: Version;
  check: CheckPod;
  /** Baseline checks this restricted check replaces. */
  overrides?: string[];
}

export interface Check {
  id: string;
  level: Exclude<Level, "privileged">;
  versions: VersionedCheck[];
}

/** The security context fields the checks read. */
export interface SecurityContextLike {
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  appArmorProfile?: { type?: string };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: Array<{ name?: string }>;
}

export interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: Array<{ hostPort?: number }>;
  livenessProbe?: ProbeLike;
  readinessProbe?: ProbeLike;
  startupProbe?: ProbeLike;
  lifecycle?: { postStart?: ProbeLike; preStop?: ProbeLike };
}

interface ProbeLike {
  httpGet?: { host?: string };
  tcpSocket?: { host?: string };
}

/** Init containers, containers, then ephemeral containers (upstream's visitContainers). */
export function containersOf(spec: PodSpec): ContainerLike[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as unknown as ContainerLike[];
}

export const podSecurityContext = (spec: PodSpec): SecurityContextLike | undefined => spec.securityContext as SecurityContextLike | undefined;

export function joinQuote(items: string[]): string {
  return items.length ? `"${items.join('", "')}"` : "";
}

export const pluralize = (singular: string, plural: string, n: number): string => (n === 1 ? singular : plural);

/** `container "a"` / `containers "a", "b"`. */
export const containersPhrase = (names: string[]): string => `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;

/** sets.NewString(...).List(): unique, sorted. */
export const sortedSet = (items: Iterable<string>): string[] => [...new Set(items)].sort();

export const isWindows = (spec: PodSpec): boolean => spec.os?.name === "windows";
