// The container runtime as the kubelet sees it: a CRI-shaped interface (RuntimeService and
// ImageService of k8s.io/cri-api), so `simulated`, `docker` and `process` runtimes plug in
// without the kubelet knowing which one runs its pods.

/** Labels every sandbox and container carries, as upstream's kubelet sets them (adoption after a restart reads them back). */
export const LABEL_POD_NAME = "io.kubernetes.pod.name";
export const LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
export const LABEL_POD_UID = "io.kubernetes.pod.uid";
export const LABEL_CONTAINER_NAME = "io.kubernetes.container.name";

export interface PodSandboxConfig {
  name: string;
  namespace: string;
  uid: string;
  /** How many sandboxes this pod had before (CRI's attempt). */
  attempt: number;
  hostname: string;
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type SandboxState = "SANDBOX_READY" | "SANDBOX_NOTREADY";

export interface PodSandbox {
  id: string;
  config: PodSandboxConfig;
  state: SandboxState;
  /** Unix milliseconds. */
  createdAt: number;
  /** The pod's address (CRI's PodSandboxNetworkStatus.ip), when it has its own network. */
  ip?: string;
}

export interface ContainerConfig {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  workingDir?: string;
  /**
   * What the container is in its pod. Engines ignore it (the process decides when it exits);
   * the simulated runtime runs `init` containers to completion at once.
   */
  kind: "init" | "sidecar" | "regular";
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type ContainerState = "CONTAINER_CREATED" | "CONTAINER_RUNNING" | "CONTAINER_EXITED" | "CONTAINER_UNKNOWN";

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  image: string;
  /** The image as the runtime resolved it (a digest), for status.containerStatuses[].imageID. */
  imageRef: string;
  state: ContainerState;
  /** Unix milliseconds; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason?: string;
  message?: string;
  labels: Record<string, string>;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** Raised by an operation a runtime does not offer (logs in the simulated runtime). */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotSupportedError";
  }
}

/** Raised for an id the runtime does not know. */
export class RuntimeNotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
    this.name = "RuntimeNotFoundError";
  }
}

export interface ContainerRuntime {
  version(): Promise<RuntimeVersion>;

  // ImageService
  /** Makes the image available and returns its reference (a digest). */
  pullImage(image: string): Promise<string>;

  // RuntimeService: sandboxes
  /** Creates and starts the pod's sandbox (its network); returns its id. */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox at once and tears its network down. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes a stopped sandbox and its containers. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandbox>;
  listPodSandboxes(): Promise<PodSandbox[]>;

  // RuntimeService: containers
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /**
   * Asks the container to stop (SIGTERM) and kills it after `timeoutSeconds` (0: at once).
   * Resolves once it has exited. A second call with a shorter timeout brings the kill forward.
   */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  /** Every container, or those of one sandbox. */
  listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]>;
  /** The container's output, or NotSupportedError. */
  containerLogs(id: string, opts?: { tailLines?: number }): Promise<string>;

  /** Releases what the runtime holds (connections, timers). */
  close(): Promise<void>;
}

/** What the kubelet passes to a runtime when it makes one for a node. */
export interface RuntimeContext {
  nodeName: string;
  /** The node's pod CIDR (e.g. 10.244.3.0/24): runtimes without their own network hand pod IPs out of it. */
  podCIDR: string;
}

/** A runtime the agent can be started with (`--runtime NAME`). */
export interface RuntimeDescriptor {
  name: string;
  description: string;
  /** Whether one process may run many nodes with it (`--nodes N`). */
  multiNode: boolean;
  /** Whether nodes get made-up addresses instead of the machine's. */
  simulatedAddresses: boolean;
  create(ctx: RuntimeContext): ContainerRuntime;
}
