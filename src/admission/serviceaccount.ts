// Upstream's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) for pod creates,
// as a pure function: the pod's ServiceAccount defaults to "default"; a missing account refuses
// the pod; unless the pod (first) or its account sets automountServiceAccountToken false, every
// container and init container mounts the projected `kube-api-access-xxxxx` volume (token, root
// CA, namespace) at /var/run/secrets/kubernetes.io/serviceaccount; the account's image pull
// secrets fill the pod's when it names none. Mirror pods are left alone.
//
// A missing "default" account does not refuse the pod: the ServiceAccount controller creates it
// asynchronously after the namespace, and upstream waits for it (up to 10 live lookups ~100 ms
// apart) rather than refusing. This admission runs synchronously inside the namespace's write
// transaction and cannot wait, so a pod created right after its namespace is admitted as if the
// default account had upstream's defaults (automount on, no image pull secrets).
import type { PodSpec } from "../apis/core/v1/podspec.js";
import type { ServiceAccount } from "../apis/core/v1/serviceaccount.js";
import { MIRROR_POD_ANNOTATION } from "../apis/core/v1/pod.js";

export const DEFAULT_SERVICE_ACCOUNT = "default";
export const API_TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
export const TOKEN_VOLUME_PREFIX = "kube-api-access-";
/** upstream's serviceaccount.WarnOnlyBoundTokenExpirationSeconds (1 h + 7 s). */
export const TOKEN_EXPIRATION_SECONDS = 3607;

/** The pod as this plugin sees it. */
export interface AdmittedPod {
  metadata: { namespace?: string; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Upstream's names.SimpleNameGenerator: 5 characters from an alphabet without vowels or look-alikes. */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
export function randomSuffix(random: () => number = Math.random): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

/** upstream's TokenVolumeSource: the bound token, the cluster's CA bundle and the pod's namespace. */
export function tokenVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

/** upstream's shouldAutomount: the pod's preference wins, then the account's, else true. */
export function shouldAutomount(sa: Pick<ServiceAccount, "automountServiceAccountToken"> | undefined, spec: PodSpec): boolean {
  if (spec.automountServiceAccountToken !== undefined && spec.automountServiceAccountToken !== null) return spec.automountServiceAccountToken;
  if (sa?.automountServiceAccountToken !== undefined && sa.automountServiceAccountToken !== null) return sa.automountServiceAccountToken;
  return true;
}

export type ServiceAccountDecision = { ok: true; mutated: boolean } | { ok: false; message: string };

/**
 * Admits a pod create: mutates `pod` in place. `lookup` reads the namespace's ServiceAccount
 * (undefined when there is none). Returns the refusal message upstream's 403 carries.
 */
export function admitPodServiceAccount(
  pod: AdmittedPod,
  namespace: string,
  lookup: (name: string) => ServiceAccount | undefined,
  random: () => number = Math.random,
): ServiceAccountDecision {
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { ok: true, mutated: false };
  const spec = pod.spec;
  let mutated = false;
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
    spec.serviceAccount = DEFAULT_SERVICE_ACCOUNT;
    mutated = true;
  }
  const name = spec.serviceAccountName;
  const sa = lookup(name);
  if (!sa && name !== DEFAULT_SERVICE_ACCOUNT) {
    return { ok: false, message: `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found` };
  }
  if (shouldAutomount(sa, spec)) mutated = mountToken(spec, random) || mutated;
  if (!spec.imagePullSecrets?.length && sa?.imagePullSecrets?.length) {
    spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    mutated = true;
  }
  return { ok: true, mutated };
}

/** upstream's mountServiceAccountToken: reuses a kube-api-access-* volume the pod already has. */
function mountToken(spec: PodSpec, random: () => number): boolean {
  const existing = (spec.volumes ?? []).find((v) => v.name?.startsWith(TOKEN_VOLUME_PREFIX));
  const taken = new Set((spec.volumes ?? []).map((v) => v.name));
  let volumeName = existing?.name;
  while (!volumeName || (!existing && taken.has(volumeName))) volumeName = TOKEN_VOLUME_PREFIX + randomSuffix(random);
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === API_TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH }] as typeof c.volumeMounts;
    needsVolume = true;
  }
  if (!existing && needsVolume) spec.volumes = [...(spec.volumes ?? []), tokenVolume(volumeName) as NonNullable<PodSpec["volumes"]>[number]];
  return needsVolume;
}
