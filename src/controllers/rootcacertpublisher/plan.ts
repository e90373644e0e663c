// The root CA certificate publisher's decision (pkg/controller/certificates/rootcacertpublisher):
// every namespace holds ConfigMap kube-root-ca.crt with ca.crt = the CA that clients inside the
// cluster should trust for the API, and the description annotation; edits are put back.
import type { KubeObject } from "../../apis/types.js";

export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
export const ROOT_CA_KEY = "ca.crt";
export const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
export const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
  "No other usage is guaranteed across distributions of Kubernetes clusters.";

export type RootCAAction = { action: "none" } | { action: "create"; object: KubeObject } | { action: "update"; object: KubeObject };

/** PEM as published: trimmed, one final newline. */
export function normalizePem(pem: string): string {
  return `${pem.trim()}\n`;
}

export function planRootCA(current: KubeObject | undefined, pem: string): RootCAAction {
  const data = { [ROOT_CA_KEY]: normalizePem(pem) };
  if (!current) {
    return {
      action: "create",
      object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data },
    };
  }
  const cur = current as KubeObject & { data?: Record<string, string> };
  const annotations = (cur.metadata.annotations ?? {}) as Record<string, string>;
  const sameData = JSON.stringify(cur.data ?? {}) === JSON.stringify(data);
  // Upstream keeps any description someone wrote; it only adds one that is missing.
  if (sameData && annotations[DESCRIPTION_ANNOTATION]) return { action: "none" };
  const metadata = { ...cur.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: annotations[DESCRIPTION_ANNOTATION] || DESCRIPTION } };
  return { action: "update", object: { ...cur, metadata, data } };
}
