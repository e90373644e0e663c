// apps/v1 StatefulSet: upstream's defaults (OrderedReady, RollingUpdate partition 0, PVC
// retention Retain/Retain, history 10) and ValidateStatefulSet with its update rule.
import { z } from "zod";
import { type FieldError, forbidden, notSupported } from "../../../lib/field-errors.js";
import { ConditionSchema, IntOrStringSchema, LabelSelectorSchema, goType, int32, int64, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PodTemplateSpecSchema, applyPodTemplateDefaults } from "../../core/v1/podspec.js";
import { validateNonnegative } from "../../validation.js";
import { validateSelector, validateTemplateForSelector } from "./workload.js";

export const StatefulSetSpecSchema = goType(
  z.object({
    replicas: int32().optional().describe("Desired number of replicas. Defaults to 1."),
    selector: LabelSelectorSchema.optional().describe("Label query over pods; must match the template's labels."),
    template: PodTemplateSpecSchema.prefault({}).describe("Template for the pods of this set."),
    volumeClaimTemplates: z.array(z.looseObject({})).optional().describe("Claims that pods are allowed to reference."),
    serviceName: z.string().optional().describe("Name of the governing headless service."),
    podManagementPolicy: z.string().optional().describe("OrderedReady or Parallel. Defaults to OrderedReady."),
    updateStrategy: goType(
      z.object({
        type: z.string().optional().describe("RollingUpdate or OnDelete. Defaults to RollingUpdate."),
        rollingUpdate: goType(
          z.object({ partition: int32().optional(), maxUnavailable: IntOrStringSchema.optional() }),
          "RollingUpdateStatefulSetStrategy",
        ).optional(),
      }),
      "StatefulSetUpdateStrategy",
    ).prefault({}),
    revisionHistoryLimit: int32().optional(),
    minReadySeconds: int32().optional(),
    persistentVolumeClaimRetentionPolicy: goType(
      z.object({ whenDeleted: z.string().optional(), whenScaled: z.string().optional() }),
      "StatefulSetPersistentVolumeClaimRetentionPolicy",
    ).optional(),
    ordinals: goType(z.object({ start: int32().optional() }), "StatefulSetOrdinals").optional(),
  }),
  "StatefulSetSpec",
);

export const StatefulSetSchema = goType(
  z.object({
    ...typeMeta,
    spec: StatefulSetSpecSchema.prefault({}),
    status: goType(
      z.object({
        observedGeneration: int64().optional(),
        replicas: int32().optional(),
        readyReplicas: int32().optional(),
        currentReplicas: int32().optional(),
        updatedReplicas: int32().optional(),
        currentRevision: z.string().optional(),
        updateRevision: z.string().optional(),
        collisionCount: int32().optional(),
        conditions: z.array(ConditionSchema).optional(),
        availableReplicas: int32().optional(),
      }),
      "StatefulSetStatus",
    ).optional(),
  }).describe("StatefulSet represents a set of pods with consistent identities. Identities are defined as: - Network: A single stable DNS and hostname. - Storage: As many VolumeClaims as requested. The StatefulSet guarantees that a given network identity will always map to the same storage identity."),
  "StatefulSet",
);
export type StatefulSet = z.infer<typeof StatefulSetSchema>;

export function applyStatefulSetDefaults(ss: StatefulSet): void {
  const s = ss.spec;
  s.podManagementPolicy ||= "OrderedReady";
  if (!s.updateStrategy.type) {
    s.updateStrategy.type = "RollingUpdate";
    s.updateStrategy.rollingUpdate ??= {};
  }
  if (s.updateStrategy.type === "RollingUpdate" && s.updateStrategy.rollingUpdate) s.updateStrategy.rollingUpdate.partition ??= 0;
  s.persistentVolumeClaimRetentionPolicy ??= {};
  s.persistentVolumeClaimRetentionPolicy.whenDeleted ||= "Retain";
  s.persistentVolumeClaimRetentionPolicy.whenScaled ||= "Retain";
  s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  applyPodTemplateDefaults(s.template);
}

const mutableSpecKeys = new Set(["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]);

export const statefulSetDef: KindDef<StatefulSet> = {
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  listKind: "StatefulSetList",
  plural: "statefulsets",
  singular: "statefulset",
  namespaced: true,
  shortNames: ["sts"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: StatefulSetSchema,
  applyDefaults: applyStatefulSetDefaults,
  validate(ss) {
    const s = ss.spec;
    const errs: FieldError[] = [
      ...validateNonnegative(s.replicas, "spec.replicas"),
      ...validateNonnegative(s.minReadySeconds, "spec.minReadySeconds"),
      ...validateNonnegative(s.revisionHistoryLimit, "spec.revisionHistoryLimit"),
      ...validateSelector(s.selector, "spec.selector", "statefulset"),
      ...validateTemplateForSelector(s.template, s.selector, "spec.template"),
    ];
    if (s.podManagementPolicy && !["OrderedReady", "Parallel"].includes(s.podManagementPolicy)) {
      errs.push(notSupported("spec.podManagementPolicy", s.podManagementPolicy, ["OrderedReady", "Parallel"]));
    }
    const us = s.updateStrategy;
    if (us.type && !["OnDelete", "RollingUpdate"].includes(us.type)) errs.push(notSupported("spec.updateStrategy.type", us.type, ["OnDelete", "RollingUpdate"]));
    if (us.type === "OnDelete" && us.rollingUpdate) errs.push(forbidden("spec.updateStrategy.rollingUpdate", "only allowed for updateStrategy 'RollingUpdate'"));
    errs.push(...validateNonnegative(us.rollingUpdate?.partition, "spec.updateStrategy.rollingUpdate.partition"));
    const pvc = s.persistentVolumeClaimRetentionPolicy;
    for (const k of ["whenDeleted", "whenScaled"] as const) {
      const v = pvc?.[k];
      if (v && !["Retain", "Delete"].includes(v)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, ["Retain", "Delete"]));
    }
    return errs;
  },
  validateUpdate(ss, old) {
    const frozen = (x: StatefulSet["spec"]) =>
      JSON.stringify(Object.fromEntries(Object.entries(x).filter(([k]) => !mutableSpecKeys.has(k)).sort(([a], [b]) => a.localeCompare(b))));
    if (frozen(ss.spec) === frozen(old.spec)) return [];
    return [
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  },
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
  specKeys: ["spec"],
};
