// Mirror pods (upstream's kubelet/pod/mirror_client.go): the API's read-only copy of a static
// pod, so that kubectl shows what the node runs. It is the static pod with the config.mirror
// annotation (the static pod's hash) and, as upstream ≥ 1.20 requires, a controller owner
// reference to the Node; the API gives it its own uid. A node may create and delete only these
// (NodeRestriction), and deleting one never stops the static pod: the kubelet makes it again.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../../client/api-client.js";
import { ApiError } from "../../client/errors.js";
import { MIRROR_POD_ANNOTATION } from "../../../src/apis/core/v1/pod.js";
import { CONFIG_HASH_ANNOTATION } from "./static-pod.js";

type PodStatus = NonNullable<Pod["status"]>;

const podsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
const podPath = (ns: string, name: string) => `${podsPath(ns)}/${encodeURIComponent(name)}`;

/** upstream's IsMirrorPod: the annotation is there. */
export function isMirrorPod(pod: Pick<Pod, "metadata">): boolean {
  return pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

/** upstream's IsMirrorPodOf: same name, and the mirror carries the static pod's current hash. */
export function isMirrorPodOf(mirror: Pick<Pod, "metadata">, pod: Pick<Pod, "metadata">): boolean {
  if (mirror.metadata.name !== pod.metadata.name || mirror.metadata.namespace !== pod.metadata.namespace) return false;
  const hash = mirror.metadata.annotations?.[MIRROR_POD_ANNOTATION];
  return hash !== undefined && hash === pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION];
}

/** The mirror pod of a static pod running on the node `node`. */
export function mirrorPodOf(pod: Pod, node: { name: string; uid: string }): Pod {
  const { uid: _uid, resourceVersion: _rv, ...metadata } = pod.metadata;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...metadata,
      annotations: { ...pod.metadata.annotations, [MIRROR_POD_ANNOTATION]: pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? "" },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid, controller: true }],
    },
    spec: pod.spec,
  };
}

export class MirrorClient {
  constructor(private readonly client: ApiClient) {}

  /**
   * The pod of this name, if there is one the node may see. A node is refused (403) a pod that is
   * not bound to it as much as one that does not exist; for a mirror pod both mean "none here".
   */
  async get(namespace: string, name: string): Promise<Pod | undefined> {
    try {
      return await this.client.get<Pod>(podPath(namespace, name));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return undefined;
      throw err;
    }
  }

  /** Creates the mirror pod; the created pod, or undefined when one of that name exists already (409). */
  async create(pod: Pod, node: { name: string; uid: string }): Promise<Pod | undefined> {
    const mirror = mirrorPodOf(pod, node);
    try {
      return await this.client.post<Pod>(podsPath(mirror.metadata.namespace ?? "default"), mirror);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return undefined;
      throw err;
    }
  }

  /** Deletes a mirror pod at once (grace 0), only if it is still the one seen (uid precondition). */
  async delete(mirror: Pod): Promise<void> {
    try {
      await this.client.delete(podPath(mirror.metadata.namespace ?? "", mirror.metadata.name ?? ""), {
        apiVersion: "v1",
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: mirror.metadata.uid },
      });
    } catch (err) {
      // Gone already, or replaced by another pod of that name: nothing of ours to delete.
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) return;
      throw err;
    }
  }

  /** Writes the static pod's status to its mirror pod; false when that mirror is gone or replaced. */
  async patchStatus(mirror: { namespace: string; name: string; uid: string }, status: PodStatus): Promise<boolean> {
    try {
      await this.client.mergePatch(`${podPath(mirror.namespace, mirror.name)}/status`, { metadata: { uid: mirror.uid }, status });
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409 || err.status === 403)) return false;
      throw err;
    }
  }
}
