// core/v1 Pod: the shared PodSpec plus PodStatus, pod-only defaults (service links, requests
// from limits, the ServiceAccount admission default), QoS class and upstream's update rules.
import { z } from "zod";
import { type FieldError, forbidden } from "../../../lib/field-errors.js";
import { ConditionSchema, TimeSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PodSpecSchema, applyPodOnlyDefaults, applyPodSpecDefaults, computeQOSClass } from "./podspec.js";
import { validatePodSpec } from "./podspec-validation.js";
import { canonicalJson } from "../../../lib/canonical-json.js";

/** Marks a mirror pod: the API's reflection of a static pod a kubelet runs from a file (its value is the static pod's hash). */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

const ContainerStateSchema = goType(
  z.object({
    waiting: goType(z.object({ reason: z.string().optional(), message: z.string().optional() }), "ContainerStateWaiting").optional(),
    running: goType(z.object({ startedAt: TimeSchema.optional() }), "ContainerStateRunning").optional(),
    terminated: goType(
      z.object({
        exitCode: int32().default(0),
        signal: int32().optional(),
        reason: z.string().optional(),
        message: z.string().optional(),
        startedAt: TimeSchema.optional(),
        finishedAt: TimeSchema.optional(),
        containerID: z.string().optional(),
      }),
      "ContainerStateTerminated",
    ).optional(),
  }),
  "ContainerState",
);

export const ContainerStatusSchema = goType(
  z.object({
    name: z.string().default(""),
    state: ContainerStateSchema.optional().describe("Details about the container's current condition."),
    lastState: ContainerStateSchema.optional().describe("Details about the container's last termination condition."),
    ready: z.boolean().default(false).describe("Whether the container passed its readiness probe."),
    restartCount: int32().default(0),
    image: z.string().default(""),
    imageID: z.string().default(""),
    containerID: z.string().optional(),
    started: z.boolean().optional(),
    allocatedResources: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    resources: z.looseObject({}).optional(),
    volumeMounts: z.array(z.looseObject({})).optional(),
    user: z.looseObject({}).optional(),
    allocatedResourcesStatus: z.array(z.looseObject({})).optional(),
    stopSignal: z.string().optional(),
  }),
  "ContainerStatus",
);

const PodIPSchema = goType(z.object({ ip: z.string().default("") }), "PodIP");

export const PodStatusSchema = goType(
  z.object({
    observedGeneration: z.int().optional(),
    phase: z.string().optional().describe("Pending, Running, Succeeded, Failed or Unknown."),
    conditions: z.array(ConditionSchema).optional().describe("Current service state of the pod."),
    message: z.string().optional(),
    reason: z.string().optional(),
    nominatedNodeName: z.string().optional().describe("Node the scheduler nominated when this pod preempted others."),
    hostIP: z.string().optional().describe("IP address of the host the pod is assigned to."),
    hostIPs: z.array(PodIPSchema).optional(),
    podIP: z.string().optional().describe("IP address allocated to the pod."),
    podIPs: z.array(PodIPSchema).optional(),
    startTime: TimeSchema.optional(),
    initContainerStatuses: z.array(ContainerStatusSchema).optional(),
    containerStatuses: z.array(ContainerStatusSchema).optional().describe("One entry per container in the manifest."),
    ephemeralContainerStatuses: z.array(ContainerStatusSchema).optional(),
    qosClass: z.string().optional().describe("BestEffort, Burstable or Guaranteed, computed from resource requirements."),
    resize: z.string().optional(),
    resourceClaimStatuses: z.array(z.looseObject({})).optional(),
  }),
  "PodStatus",
);

export const PodSchema = goType(
  z.object({
    ...typeMeta,
    spec: PodSpecSchema.prefault({}).describe("Specification of the desired behavior of the pod."),
    status: PodStatusSchema.optional().describe("Most recently observed status of the pod."),
  }).describe("Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts."),
  "Pod",
);
export type Pod = z.infer<typeof PodSchema>;

/** Fields of a running pod's spec that an update may change (upstream ValidatePodUpdate). */
function mutableSpecView(spec: Pod["spec"]): unknown {
  const strip = (cs: Array<{ image?: string }> | undefined) => cs?.map((c) => ({ ...c, image: undefined }));
  return {
    ...spec,
    containers: strip(spec.containers),
    initContainers: strip(spec.initContainers),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
    ephemeralContainers: undefined,
    schedulingGates: undefined,
  };
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  if (canonicalJson(mutableSpecView(pod.spec), { dropEmpty: true }) === canonicalJson(mutableSpecView(old.spec), { dropEmpty: true })) return [];
  return [
    forbidden(
      "spec",
      "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ),
  ];
}

/** Create-time only: upstream's ServiceAccount admission and the pod strategy's PrepareForCreate (Pending, QoS class). */
export function preparePodForCreate(pod: Pod): void {
  if (!pod.spec.serviceAccountName) pod.spec.serviceAccountName = "default";
  pod.spec.serviceAccount = pod.spec.serviceAccountName;
  pod.status = { phase: "Pending", qosClass: computeQOSClass(pod.spec) };
}

export const podDef: KindDef<Pod> = {
  group: "",
  version: "v1",
  kind: "Pod",
  listKind: "PodList",
  plural: "pods",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: PodSchema,
  applyDefaults(pod) {
    applyPodSpecDefaults(pod.spec);
    applyPodOnlyDefaults(pod.spec);
    // The v1 conversion fills the plural IP lists from the singular fields.
    const st = pod.status as { podIP?: string; podIPs?: Array<{ ip: string }>; hostIP?: string; hostIPs?: Array<{ ip: string }> } | undefined;
    if (st?.podIP && !st.podIPs?.length) st.podIPs = [{ ip: st.podIP }];
    if (st?.hostIP && !st.hostIPs?.length) st.hostIPs = [{ ip: st.hostIP }];
  },
  prepareForCreate: preparePodForCreate,
  validate: (pod) => validatePodSpec(pod.spec, "spec"),
  validateUpdate: validatePodUpdate,
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  selectableFields: {
    "spec.nodeName": (p) => p.spec.nodeName ?? "",
    "spec.restartPolicy": (p) => p.spec.restartPolicy,
    "spec.schedulerName": (p) => p.spec.schedulerName,
    "spec.serviceAccountName": (p) => p.spec.serviceAccountName ?? "",
    "spec.hostNetwork": (p) => String(p.spec.hostNetwork ?? false),
    "status.phase": (p) => p.status?.phase ?? "",
    "status.podIP": (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? "",
    "status.nominatedNodeName": (p) => p.status?.nominatedNodeName ?? "",
  },
  extraSubresources: ["log", "binding", "eviction", "exec", "attach", "portforward", "proxy", "ephemeralcontainers"],
  specKeys: ["spec"],
};
