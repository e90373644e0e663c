// apps/v1 ReplicaSet: replicas default 1, template PodSpec defaults, ValidateReplicaSet.
import { z } from "zod";
import { ConditionSchema, LabelSelectorSchema, goType, int32, int64, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PodTemplateSpecSchema, applyPodTemplateDefaults } from "../../core/v1/podspec.js";
import { validateNonnegative } from "../../validation.js";
import { validateSelector, validateSelectorImmutable, validateTemplateForSelector } from "./workload.js";

export const ReplicaSetSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({
        replicas: int32().optional().describe("Number of desired pods. Defaults to 1."),
        minReadySeconds: int32().optional(),
        selector: LabelSelectorSchema.optional().describe("Label query over pods that should match the replica count."),
        template: PodTemplateSpecSchema.prefault({}).describe("Template for pods created when insufficient replicas are detected."),
      }),
      "ReplicaSetSpec",
    ).prefault({}),
    status: goType(
      z.object({
        replicas: int32().optional(),
        fullyLabeledReplicas: int32().optional(),
        readyReplicas: int32().optional(),
        availableReplicas: int32().optional(),
        terminatingReplicas: int32().optional(),
        observedGeneration: int64().optional(),
        conditions: z.array(ConditionSchema).optional(),
      }),
      "ReplicaSetStatus",
    ).optional(),
  }).describe("ReplicaSet ensures that a specified number of pod replicas are running at any given time."),
  "ReplicaSet",
);
export type ReplicaSet = z.infer<typeof ReplicaSetSchema>;

export const replicaSetDef: KindDef<ReplicaSet> = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  listKind: "ReplicaSetList",
  plural: "replicasets",
  singular: "replicaset",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: ReplicaSetSchema,
  applyDefaults(rs) {
    rs.spec.replicas ??= 1;
    applyPodTemplateDefaults(rs.spec.template);
  },
  validate(rs) {
    const s = rs.spec;
    return [
      ...validateNonnegative(s.replicas, "spec.replicas"),
      ...validateNonnegative(s.minReadySeconds, "spec.minReadySeconds"),
      ...validateSelector(s.selector, "spec.selector", "deployment"), // sic: upstream's ReplicaSet message says "deployment"
      ...validateTemplateForSelector(s.template, s.selector, "spec.template"),
    ];
  },
  validateUpdate: (rs, old) => validateSelectorImmutable(rs.spec.selector, old.spec.selector, "spec.selector"),
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
  specKeys: ["spec"],
};
