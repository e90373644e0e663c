// The one PodSpec: Pod and every pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet,
// Job, CronJob) share this schema and applyPodSpecDefaults (validatePodSpec lives in podspec-validation.ts), as upstream shares
// SetDefaults_PodSpec and ValidatePodSpec.
import { z } from "zod";
import {
  IntOrStringSchema,
  LocalObjectReferenceSchema,
  ObjectMetaSchema,
  QuantitySchema,
  StringMap,
  goType,
  int32,
  int64,
} from "../../meta.js";

const loose = (name: string) => goType(z.looseObject({}), name);
const ResourceList = () => goType(z.record(z.string(), QuantitySchema), "v1.ResourceList");

// ---- container pieces ----

export const ContainerPortSchema = goType(
  z.object({
    name: z.string().optional().describe("An IANA_SVC_NAME, unique within the pod."),
    hostPort: int32().optional().describe("Port number to expose on the host."),
    containerPort: int32().optional().describe("Port number to expose on the pod's IP address."),
    protocol: z.string().default("TCP").describe("UDP, TCP or SCTP. Defaults to TCP."),
    hostIP: z.string().optional(),
  }),
  "ContainerPort",
);

const KeySelector = (name: string) =>
  goType(z.object({ name: z.string().optional(), key: z.string().default(""), optional: z.boolean().optional() }), name);

export const EnvVarSourceSchema = goType(
  z.object({
    fieldRef: goType(z.object({ apiVersion: z.string().default("v1"), fieldPath: z.string().default("") }), "ObjectFieldSelector").optional(),
    resourceFieldRef: goType(
      z.object({ containerName: z.string().optional(), resource: z.string().default(""), divisor: QuantitySchema.optional() }),
      "ResourceFieldSelector",
    ).optional(),
    configMapKeyRef: KeySelector("ConfigMapKeySelector").optional(),
    secretKeyRef: KeySelector("SecretKeySelector").optional(),
    fileKeyRef: loose("FileKeySelector").optional(),
  }),
  "EnvVarSource",
);

export const EnvVarSchema = goType(
  z.object({
    name: z.string().default("").describe("Name of the environment variable."),
    value: z.string().optional().describe("Variable value; $(VAR) references are expanded."),
    valueFrom: EnvVarSourceSchema.optional().describe("Source for the variable's value. Cannot be used if value is not empty."),
  }),
  "EnvVar",
);

const RefSource = (name: string) => goType(z.object({ name: z.string().optional(), optional: z.boolean().optional() }), name);
export const EnvFromSourceSchema = goType(
  z.object({
    prefix: z.string().optional(),
    configMapRef: RefSource("ConfigMapEnvSource").optional(),
    secretRef: RefSource("SecretEnvSource").optional(),
  }),
  "EnvFromSource",
);

export const ResourceRequirementsSchema = goType(
  z.object({
    limits: ResourceList().optional().describe("Maximum amount of compute resources allowed."),
    requests: ResourceList().optional().describe("Minimum amount of compute resources required."),
    claims: z.array(loose("ResourceClaim")).optional(),
  }),
  "ResourceRequirements",
);

export const VolumeMountSchema = goType(
  z.object({
    name: z.string().default("").describe("Must match the name of a volume."),
    readOnly: z.boolean().optional(),
    recursiveReadOnly: z.string().optional(),
    mountPath: z.string().default("").describe("Path within the container at which the volume should be mounted."),
    subPath: z.string().optional(),
    mountPropagation: z.string().optional(),
    subPathExpr: z.string().optional(),
  }),
  "VolumeMount",
);

const ExecActionSchema = goType(z.object({ command: z.array(z.string()).optional() }), "ExecAction");
const HTTPGetActionSchema = goType(
  z.object({
    path: z.string().default("/"),
    port: IntOrStringSchema.optional(),
    host: z.string().optional(),
    scheme: z.string().default("HTTP"),
    httpHeaders: z.array(goType(z.object({ name: z.string().default(""), value: z.string().default("") }), "HTTPHeader")).optional(),
  }),
  "HTTPGetAction",
);
const TCPSocketActionSchema = goType(z.object({ port: IntOrStringSchema.optional(), host: z.string().optional() }), "TCPSocketAction");
const GRPCActionSchema = goType(z.object({ port: int32().optional(), service: z.string().optional() }), "GRPCAction");

export const ProbeSchema = goType(
  z.object({
    exec: ExecActionSchema.optional(),
    httpGet: HTTPGetActionSchema.optional(),
    tcpSocket: TCPSocketActionSchema.optional(),
    grpc: GRPCActionSchema.optional(),
    initialDelaySeconds: int32().optional(),
    timeoutSeconds: int32().default(1).describe("Seconds after which the probe times out. Defaults to 1."),
    periodSeconds: int32().default(10).describe("How often (in seconds) to perform the probe. Defaults to 10."),
    successThreshold: int32().default(1),
    failureThreshold: int32().default(3),
    terminationGracePeriodSeconds: int64().optional(),
  }),
  "Probe",
);

const LifecycleHandlerSchema = goType(
  z.object({
    exec: ExecActionSchema.optional(),
    httpGet: HTTPGetActionSchema.optional(),
    tcpSocket: TCPSocketActionSchema.optional(),
    sleep: goType(z.object({ seconds: int64().optional() }), "SleepAction").optional(),
  }),
  "LifecycleHandler",
);
export const LifecycleSchema = goType(
  z.object({ postStart: LifecycleHandlerSchema.optional(), preStop: LifecycleHandlerSchema.optional(), stopSignal: z.string().optional() }),
  "Lifecycle",
);

const containerFields = {
  name: z.string().default("").describe("Name of the container, a DNS_LABEL unique within the pod."),
  image: z.string().optional().describe("Container image name."),
  command: z.array(z.string()).optional().describe("Entrypoint array; the image's ENTRYPOINT if not provided."),
  args: z.array(z.string()).optional().describe("Arguments to the entrypoint; the image's CMD if not provided."),
  workingDir: z.string().optional(),
  ports: z.array(ContainerPortSchema).optional().describe("Ports to expose from the container."),
  envFrom: z.array(EnvFromSourceSchema).optional(),
  env: z.array(EnvVarSchema).optional().describe("Environment variables to set in the container."),
  resources: ResourceRequirementsSchema.optional().describe("Compute resources required by this container."),
  resizePolicy: z.array(loose("ContainerResizePolicy")).optional(),
  restartPolicy: z.string().optional(),
  volumeMounts: z.array(VolumeMountSchema).optional().describe("Pod volumes to mount into the container's filesystem."),
  volumeDevices: z.array(loose("VolumeDevice")).optional(),
  livenessProbe: ProbeSchema.optional().describe("Periodic probe of container liveness; the container restarts if it fails."),
  readinessProbe: ProbeSchema.optional().describe("Periodic probe of container service readiness."),
  startupProbe: ProbeSchema.optional().describe("Probe that the pod has successfully initialized."),
  lifecycle: LifecycleSchema.optional(),
  terminationMessagePath: z.string().default("/dev/termination-log"),
  terminationMessagePolicy: z.string().default("File").describe("File or FallbackToLogsOnError."),
  imagePullPolicy: z.string().optional().describe("Always, Never or IfNotPresent. Always if :latest tag is specified, IfNotPresent otherwise."),
  securityContext: loose("SecurityContext").optional(),
  stdin: z.boolean().optional(),
  stdinOnce: z.boolean().optional(),
  tty: z.boolean().optional(),
};

export const ContainerSchema = goType(z.object(containerFields), "Container");
export type Container = z.infer<typeof ContainerSchema>;

export const EphemeralContainerSchema = goType(
  z.object({ ...containerFields, targetContainerName: z.string().optional() }),
  "EphemeralContainer",
);

// ---- volumes ----

const KeyToPath = goType(z.object({ key: z.string().default(""), path: z.string().default(""), mode: int32().optional() }), "KeyToPath");

export const VolumeSchema = goType(
  z.object({
    name: z.string().default("").describe("Volume's name, a DNS_LABEL unique within the pod."),
    emptyDir: goType(z.object({ medium: z.string().optional(), sizeLimit: QuantitySchema.optional() }), "EmptyDirVolumeSource").optional(),
    configMap: goType(
      z.object({ name: z.string().optional(), items: z.array(KeyToPath).optional(), defaultMode: int32().default(420), optional: z.boolean().optional() }),
      "ConfigMapVolumeSource",
    ).optional(),
    secret: goType(
      z.object({ secretName: z.string().optional(), items: z.array(KeyToPath).optional(), defaultMode: int32().default(420), optional: z.boolean().optional() }),
      "SecretVolumeSource",
    ).optional(),
    hostPath: goType(z.object({ path: z.string().default(""), type: z.string().default("") }), "HostPathVolumeSource").optional(),
    persistentVolumeClaim: goType(z.object({ claimName: z.string().default(""), readOnly: z.boolean().optional() }), "PersistentVolumeClaimVolumeSource").optional(),
    projected: goType(z.object({ sources: z.array(loose("VolumeProjection")).optional(), defaultMode: int32().default(420) }), "ProjectedVolumeSource").optional(),
    downwardAPI: goType(
      z.object({ items: z.array(loose("DownwardAPIVolumeFile")).optional(), defaultMode: int32().default(420) }),
      "DownwardAPIVolumeSource",
    ).optional(),
    nfs: loose("NFSVolumeSource").optional(),
    csi: loose("CSIVolumeSource").optional(),
    ephemeral: loose("EphemeralVolumeSource").optional(),
    image: loose("ImageVolumeSource").optional(),
    iscsi: loose("ISCSIVolumeSource").optional(),
    gitRepo: loose("GitRepoVolumeSource").optional(),
    gcePersistentDisk: loose("GCEPersistentDiskVolumeSource").optional(),
    awsElasticBlockStore: loose("AWSElasticBlockStoreVolumeSource").optional(),
    azureDisk: loose("AzureDiskVolumeSource").optional(),
    azureFile: loose("AzureFileVolumeSource").optional(),
    cephfs: loose("CephFSVolumeSource").optional(),
    cinder: loose("CinderVolumeSource").optional(),
    fc: loose("FCVolumeSource").optional(),
    flexVolume: loose("FlexVolumeSource").optional(),
    flocker: loose("FlockerVolumeSource").optional(),
    glusterfs: loose("GlusterfsVolumeSource").optional(),
    rbd: loose("RBDVolumeSource").optional(),
    vsphereVolume: loose("VsphereVirtualDiskVolumeSource").optional(),
    portworxVolume: loose("PortworxVolumeSource").optional(),
    quobyte: loose("QuobyteVolumeSource").optional(),
    scaleIO: loose("ScaleIOVolumeSource").optional(),
    storageos: loose("StorageOSVolumeSource").optional(),
    photonPersistentDisk: loose("PhotonPersistentDiskVolumeSource").optional(),
  }),
  "Volume",
);
export type Volume = z.infer<typeof VolumeSchema>;
export const volumeSourceKeys = Object.keys(VolumeSchema.shape).filter((k) => k !== "name");

export const TolerationSchema = goType(
  z.object({
    key: z.string().optional(),
    operator: z.string().optional().describe("Exists or Equal. Defaults to Equal."),
    value: z.string().optional(),
    effect: z.string().optional().describe("NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
    tolerationSeconds: int64().optional(),
  }),
  "Toleration",
);

// ---- PodSpec ----

export const PodSpecSchema = goType(
  z.object({
    volumes: z.array(VolumeSchema).optional().describe("Volumes that can be mounted by containers of this pod."),
    initContainers: z.array(ContainerSchema).optional().describe("Containers run in order before the app containers start."),
    containers: z.array(ContainerSchema).optional().describe("Containers belonging to the pod. At least one is required."),
    ephemeralContainers: z.array(EphemeralContainerSchema).optional().describe("Ephemeral containers run in this pod for debugging."),
    restartPolicy: z.string().default("Always").describe("Always, OnFailure or Never. Defaults to Always."),
    terminationGracePeriodSeconds: int64().default(30).describe("Seconds the pod needs to terminate gracefully. Defaults to 30."),
    activeDeadlineSeconds: int64().optional().describe("Seconds the pod may be active before the system actively tries to terminate it."),
    dnsPolicy: z.string().default("ClusterFirst").describe("ClusterFirst, ClusterFirstWithHostNet, Default or None. Defaults to ClusterFirst."),
    nodeSelector: StringMap().optional().describe("Labels a node must have for the pod to fit on it."),
    serviceAccountName: z.string().optional().describe("Name of the ServiceAccount used to run this pod."),
    serviceAccount: z.string().optional().describe("Deprecated alias for serviceAccountName."),
    automountServiceAccountToken: z.boolean().optional(),
    nodeName: z.string().optional().describe("The node this pod is bound to; set by the scheduler."),
    hostNetwork: z.boolean().optional().describe("Use the host's network namespace."),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
    shareProcessNamespace: z.boolean().optional(),
    securityContext: loose("PodSecurityContext").default({}).describe("Pod-level security attributes."),
    imagePullSecrets: z.array(LocalObjectReferenceSchema).optional(),
    hostname: z.string().optional(),
    subdomain: z.string().optional(),
    affinity: loose("Affinity").optional().describe("The pod's scheduling constraints."),
    schedulerName: z.string().default("default-scheduler").describe("The scheduler that dispatches this pod."),
    tolerations: z.array(TolerationSchema).optional().describe("The pod's tolerations."),
    hostAliases: z.array(loose("HostAlias")).optional(),
    priorityClassName: z.string().optional(),
    priority: int32().optional().describe("Priority value, resolved from priorityClassName by admission."),
    dnsConfig: loose("PodDNSConfig").optional(),
    readinessGates: z.array(goType(z.object({ conditionType: z.string().default("") }), "PodReadinessGate")).optional(),
    runtimeClassName: z.string().optional(),
    enableServiceLinks: z.boolean().optional().describe("Inject service environment variables. Defaults to true for pods."),
    preemptionPolicy: z.string().optional(),
    overhead: ResourceList().optional(),
    topologySpreadConstraints: z.array(loose("TopologySpreadConstraint")).optional(),
    setHostnameAsFQDN: z.boolean().optional(),
    os: goType(z.object({ name: z.string().default("") }), "PodOS").optional(),
    hostUsers: z.boolean().optional(),
    schedulingGates: z.array(goType(z.object({ name: z.string().default("") }), "PodSchedulingGate")).optional(),
    resourceClaims: z.array(loose("PodResourceClaim")).optional(),
    resources: ResourceRequirementsSchema.optional(),
  }),
  "PodSpec",
);
export type PodSpec = z.infer<typeof PodSpecSchema>;

export const PodTemplateSpecSchema = goType(
  z.object({
    metadata: ObjectMetaSchema.optional().describe("Metadata of the pods created from this template."),
    spec: PodSpecSchema.prefault({}).describe("Specification of the desired behavior of the pod."),
  }),
  "PodTemplateSpec",
);
export type PodTemplateSpec = z.infer<typeof PodTemplateSpecSchema>;

// ---- defaults ----

/** Upstream's parsers.ParseImageName, reduced to what defaulting needs: the tag, or "latest" when neither tag nor digest is given. */
export function imageTag(image: string): string {
  const at = image.indexOf("@");
  const hasDigest = at >= 0;
  const named = hasDigest ? image.slice(0, at) : image;
  const lastSlash = named.lastIndexOf("/");
  const colon = named.indexOf(":", lastSlash + 1);
  const tag = colon >= 0 ? named.slice(colon + 1) : "";
  if (!tag && !hasDigest && image) return "latest";
  return tag;
}

/** SetDefaults_Container's imagePullPolicy: Always for :latest (or no tag and no digest), else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): string {
  return imageTag(image ?? "") === "latest" ? "Always" : "IfNotPresent";
}

type AnyContainer = Container & { targetContainerName?: string };

function allContainers(spec: PodSpec): AnyContainer[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** SetDefaults_PodSpec and friends for what a static zod default cannot say. Mutates. */
export function applyPodSpecDefaults(spec: PodSpec): void {
  // v1 conversion: the deprecated serviceAccount feeds serviceAccountName, and mirrors it back.
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of allContainers(spec)) {
    if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  }
  for (const v of spec.volumes ?? []) {
    const rec = v as Record<string, unknown>;
    if (!volumeSourceKeys.some((k) => rec[k] !== undefined)) v.emptyDir = {};
  }
}

/** SetDefaults_Pod: pod-only defaults (templates do not get these). Mutates. */
export function applyPodOnlyDefaults(spec: PodSpec): void {
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    // Limits without requests: requests default to limits.
    const limits = c.resources?.limits;
    if (limits && Object.keys(limits).length) {
      c.resources!.requests ??= {};
      for (const [k, v] of Object.entries(limits)) if (c.resources!.requests[k] === undefined) c.resources!.requests[k] = v;
    }
    if (spec.hostNetwork) for (const p of c.ports ?? []) if (!p.hostPort && p.containerPort) p.hostPort = p.containerPort;
  }
}

// ---- quantities and QoS ----

const binarySuffix: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffix: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Quantity as a float (enough to compare); NaN when it does not parse. */
export function parseQuantity(q: string | number | undefined): number {
  if (typeof q === "number") return q;
  if (q === undefined) return NaN;
  const m = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|[A-Za-z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const suf = m[2];
  if (/^[eE]/.test(suf)) return n * 10 ** Number(suf.slice(1));
  if (suf in binarySuffix) return n * binarySuffix[suf];
  if (suf in decimalSuffix) return n * decimalSuffix[suf];
  return NaN;
}

/** Upstream's ComputePodQOS over cpu and memory. Expects pod-only defaults (requests from limits) applied. */
export function computeQOSClass(spec: PodSpec): "BestEffort" | "Burstable" | "Guaranteed" {
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  let guaranteed = true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const r of ["cpu", "memory"]) {
      const req = parseQuantity(c.resources?.requests?.[r]);
      if (req > 0) requests[r] = (requests[r] ?? 0) + req;
      const lim = parseQuantity(c.resources?.limits?.[r]);
      if (lim > 0) limits[r] = (limits[r] ?? 0) + lim;
    }
    const l = c.resources?.limits ?? {};
    if (!(parseQuantity(l.cpu) > 0 && parseQuantity(l.memory) > 0)) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return "BestEffort";
  if (guaranteed && Object.keys(requests).length === Object.keys(limits).length) {
    for (const [k, v] of Object.entries(requests)) if (limits[k] !== v) guaranteed = false;
    if (guaranteed) return "Guaranteed";
  }
  return "Burstable";
}

/** Applies template defaults (applyPodSpecDefaults on template.spec). */
export function applyPodTemplateDefaults(t: PodTemplateSpec | undefined): void {
  if (t?.spec) applyPodSpecDefaults(t.spec);
}
