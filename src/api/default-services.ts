// The Services every cluster has: `kubernetes` in default at the service range's first address
// (kube-apiserver's own), and `kube-dns` in kube-system at its tenth (kubeadm's cluster DNS
// address). Each node agent serves both: its service proxy forwards the `kubernetes` Service to
// the control plane it uses, and it answers DNS on the kube-dns address itself, so neither has
// endpoints the controllers manage.
import type { Env } from "../env.js";
import { StatusError } from "../lib/status.js";
import { nthClusterIP, serviceRanges } from "../registry/service-addresses/ranges.js";
import type { Target } from "../registry/requests.js";
import { createService } from "./service-writes.js";
import { namespaceStore } from "./stores.js";

export const CLUSTER_DNS_SERVICE = { namespace: "kube-system", name: "kube-dns" };

function defaults(env: Env): Array<{ namespace: string; body: Record<string, unknown> }> {
  const ranges = serviceRanges(env);
  return [
    {
      namespace: "default",
      body: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
        spec: { type: "ClusterIP", clusterIP: nthClusterIP(ranges, 1), sessionAffinity: "None", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
      },
    },
    {
      namespace: CLUSTER_DNS_SERVICE.namespace,
      body: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: CLUSTER_DNS_SERVICE.name, labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" } },
        spec: {
          type: "ClusterIP",
          clusterIP: nthClusterIP(ranges, 10),
          ports: [
            { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
            { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          ],
        },
      },
    },
  ];
}

/**
 * Creates the default Services that are missing (a bootstrap step; idempotent). One that cannot be
 * made (its address taken by a Service created by hand) is reported, not fatal: the API serves on.
 */
export async function ensureDefaultServices(env: Env): Promise<void> {
  for (const { namespace, body } of defaults(env)) {
    const store = namespaceStore(env, namespace);
    const target: Target = { group: "", version: "v1", resource: "services", namespace };
    const name = (body.metadata as { name: string }).name;
    const got = await store.get({ ...target, name });
    if (got.ok) continue;
    if (got.status.code !== 404) throw new StatusError(got.status);
    const o = await createService(env, store, target, body, { fieldManager: "kube-apiserver" });
    if (!o.ok && o.status.code !== 409) console.warn(`bootstrap: could not create Service ${namespace}/${name}: ${o.status.message}`);
  }
}
