// Why a container cannot be created from its spec as it stands (upstream's
// ErrCreateContainerConfig): a missing ConfigMap, Secret or key, a bad subPath. The pod's
// container waits with reason CreateContainerConfigError and this message until it is fixed.

export class ContainerConfigError extends Error {
  readonly reason = "CreateContainerConfigError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ContainerConfigError";
  }
}

/** The message upstream's kubelet caches give for an object that is not there (`configmap "app" not found`). */
export function notFoundMessage(kind: "configmap" | "secret", name: string): string {
  return `${kind} "${name}" not found`;
}
