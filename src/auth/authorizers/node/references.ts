// What the pods bound to a node let that node read (upstream's node authorizer graph, computed
// per request from one namespace's pods): the Secrets, ConfigMaps, PersistentVolumeClaims and
// ServiceAccounts its pods reference, and the pods themselves.
import type { Pod } from "../../../apis/core/v1/pod.js";

export interface NodeReferences {
  pods: string[];
  secrets: string[];
  configmaps: string[];
  persistentvolumeclaims: string[];
  serviceaccounts: string[];
}

type Spec = NonNullable<Pod["spec"]>;
type Container = NonNullable<Spec["containers"]>[number];

function fromContainers(containers: readonly Container[] | undefined, add: (kind: "secrets" | "configmaps", name: string | undefined) => void): void {
  for (const c of containers ?? []) {
    for (const e of c.env ?? []) {
      add("secrets", e.valueFrom?.secretKeyRef?.name);
      add("configmaps", e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add("secrets", e.secretRef?.name);
      add("configmaps", e.configMapRef?.name);
    }
  }
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
    for (const s of spec.imagePullSecrets ?? []) add("secrets", s.name);
    fromContainers(spec.initContainers, add);
    fromContainers(spec.containers, add);
    fromContainers(spec.ephemeralContainers as Container[] | undefined, add);
    for (const v of spec.volumes ?? []) {
      add("secrets", v.secret?.secretName);
      add("configmaps", v.configMap?.name);
      add("persistentvolumeclaims", v.persistentVolumeClaim?.claimName);
      for (const src of (v.projected?.sources ?? []) as Array<{ secret?: { name?: string }; configMap?: { name?: string } }>) {
        add("secrets", src.secret?.name);
        add("configmaps", src.configMap?.name);
      }
    }
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
