// What the pods bound to a node let that node read (upstream's node authorizer graph, computed
// per request from one namespace's pods): the Secrets, ConfigMaps, PersistentVolumeClaims and
// ServiceAccounts its pods reference, and the pods themselves. The visitors are upstream's
// VisitPodSecretNames and VisitPodConfigmapNames over every container; NodeRestriction uses
// them too, on request bodies, so they read a pod's spec loosely.
import type { Pod } from "../../../apis/core/v1/pod.js";

export interface NodeReferences {
  pods: string[];
  secrets: string[];
  configmaps: string[];
  persistentvolumeclaims: string[];
  serviceaccounts: string[];
}

type Loose = Record<string, any> | undefined;

const arr = (v: unknown): Loose[] => (Array.isArray(v) ? v : []);
const containersOf = (spec: Loose): Loose[] => [...arr(spec?.initContainers), ...arr(spec?.containers), ...arr(spec?.ephemeralContainers)];
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** Every Secret name a pod spec references: pull secrets, env, envFrom, and the volumes' secret references. */
export function podSecretNames(spec: Loose): string[] {
  const out: Array<string | undefined> = [];
  for (const s of arr(spec?.imagePullSecrets)) out.push(str(s?.name));
  for (const c of containersOf(spec)) {
    for (const e of arr(c?.envFrom)) out.push(str(e?.secretRef?.name));
    for (const e of arr(c?.env)) out.push(str(e?.valueFrom?.secretKeyRef?.name));
  }
  for (const v of arr(spec?.volumes)) {
    out.push(str(v?.secret?.secretName), str(v?.azureFile?.secretName), str(v?.csi?.nodePublishSecretRef?.name));
    for (const k of ["cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos"]) out.push(str(v?.[k]?.secretRef?.name));
    for (const src of arr(v?.projected?.sources)) out.push(str(src?.secret?.name));
  }
  return out.filter((n): n is string => n !== undefined);
}

/** Every ConfigMap name a pod spec references: env, envFrom, configMap volumes and projections. */
export function podConfigMapNames(spec: Loose): string[] {
  const out: Array<string | undefined> = [];
  for (const c of containersOf(spec)) {
    for (const e of arr(c?.envFrom)) out.push(str(e?.configMapRef?.name));
    for (const e of arr(c?.env)) out.push(str(e?.valueFrom?.configMapKeyRef?.name));
  }
  for (const v of arr(spec?.volumes)) {
    out.push(str(v?.configMap?.name));
    for (const src of arr(v?.projected?.sources)) out.push(str(src?.configMap?.name));
  }
  return out.filter((n): n is string => n !== undefined);
}

/** The references of the pods of `pods` bound to `node` (spec.nodeName). */
export function nodeReferences(pods: readonly Pod[], node: string): NodeReferences {
  const sets = { pods: new Set<string>(), secrets: new Set<string>(), configmaps: new Set<string>(), persistentvolumeclaims: new Set<string>(), serviceaccounts: new Set<string>() };
  const add = (kind: keyof typeof sets, name: string | undefined) => {
    if (name) sets[kind].add(name);
  };
  for (const pod of pods) {
    const spec = pod.spec;
    if (!spec || spec.nodeName !== node) continue;
    add("pods", pod.metadata.name);
    add("serviceaccounts", spec.serviceAccountName ?? "default");
    for (const name of podSecretNames(spec)) add("secrets", name);
    for (const name of podConfigMapNames(spec)) add("configmaps", name);
    for (const v of spec.volumes ?? []) add("persistentvolumeclaims", v.persistentVolumeClaim?.claimName);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    pods: sorted(sets.pods),
    secrets: sorted(sets.secrets),
    configmaps: sorted(sets.configmaps),
    persistentvolumeclaims: sorted(sets.persistentvolumeclaims),
    serviceaccounts: sorted(sets.serviceaccounts),
  };
}
