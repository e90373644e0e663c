// The container runtime as the kubelet sees it: a CRI-shaped interface (RuntimeService and
// ImageService of k8s.io/cri-api), so `simulated`, `docker` and `process` runtimes plug in
// without the kubelet knowing which one runs its pods.

import type { Readable } from "node:stream";

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
  /** Ports published on the node (containerPort/hostPort of the pod's containers that set hostPort). */
  portMappings?: PortMapping[];
  /** DNS the pod's containers get (resolv.conf); runtimes without their own may ignore it. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
}

export interface PortMapping {
  protocol: "TCP" | "UDP" | "SCTP";
  containerPort: number;
  hostPort: number;
  /** Host address to bind; empty: all. */
  hostIP?: string;
}

/** A host file or directory made visible in the container (volumes, the service account token, /etc/hosts). */
export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** Resources passed to the runtime (from the container's limits and requests). */
export interface ContainerResources {
  /** CPU limit in millicores (limits.cpu); absent: no quota. */
  cpuLimitMillis?: number;
  /** CPU request in millicores (requests.cpu), for shares. */
  cpuRequestMillis?: number;
  /** Memory limit in bytes (limits.memory); absent: unlimited. */
  memoryLimitBytes?: number;
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
  mounts?: Mount[];
  resources?: ContainerResources;
  /** Where the container's termination message is read from when it exits (terminationMessagePath). */
  terminationMessagePath?: string;
  /** runAsUser/runAsGroup, when the pod's securityContext sets them. */
  user?: { uid?: number; gid?: number };
  /** securityContext.readOnlyRootFilesystem. */
  readOnlyRootfs?: boolean;
  /** securityContext.allowPrivilegeEscalation: false — the process and its children may not gain privileges (no_new_privs). */
  noNewPrivileges?: boolean;
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

/** Raised when an image cannot be made available (ErrImagePull); `message` says why. */
export class ImagePullError extends Error {
  constructor(
    readonly image: string,
    message: string,
  ) {
    super(message);
    this.name = "ImagePullError";
  }
}

export interface LogOptions {
  /** Keep the stream open and send new output as it comes, until the container exits or the signal aborts. */
  follow?: boolean;
  /** Only the last N lines. */
  tailLines?: number;
  /** Only output written at or after this time (unix milliseconds). */
  sinceTime?: number;
  /** Prefix every line with its RFC 3339 (nanosecond) timestamp and a space, as kubectl logs --timestamps. */
  timestamps?: boolean;
  /** Stop after this many bytes. */
  limitBytes?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /** stdout and stderr, interleaved, truncated to a few KiB. */
  output: string;
  timedOut: boolean;
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
  /** The image's reference (a digest) when the runtime already has it, else undefined. */
  imageStatus(image: string): Promise<string | undefined>;
  /** Makes the image available and returns its reference (a digest); ImagePullError when it cannot. */
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
  /**
   * The container's output (stdout and stderr, in order) as a byte stream; it also works for an exited
   * container (that is how `--previous` is served). NotSupportedError for a runtime without logs.
   */
  containerLogs(id: string, opts?: LogOptions): Promise<Readable>;
  /** Runs a command inside a running container (exec probes, preStop hooks); kills it after `timeoutSeconds`. */
  exec(id: string, command: string[], timeoutSeconds: number): Promise<ExecResult>;

  /** Releases what the runtime holds (connections, timers). */
  close(): Promise<void>;
}

/** What the kubelet passes to a runtime when it makes one for a node. */
export interface RuntimeContext {
  nodeName: string;
  /** The node's pod CIDR (e.g. 10.244.3.0/24): runtimes without their own network hand pod IPs out of it. */
  podCIDR: string;
  /** The node's address (pods of runtimes without their own network have it). */
  hostIP?: string;
  /** `--runtime-endpoint`: the engine's socket (docker: unix:///var/run/docker.sock). */
  endpoint?: string;
  /** A directory the runtime may keep its files in (the process runtime's logs and working dirs). */
  stateDir?: string;
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
  /** Whether this machine can use the runtime (`edgeplane up` picks the first that can); a reason when not. */
  detect?(endpoint?: string): Promise<{ ok: true; detail: string } | { ok: false; reason: string }>;
}
