// apps/v1 Deployment: upstream's defaults (replicas, RollingUpdate 25%/25%, history, progress
// deadline, template PodSpec) and ValidateDeployment.
import { z } from "zod";
import { type FieldError, forbidden, invalid, notSupported } from "../../../lib/field-errors.js";
import { ConditionSchema, IntOrStringSchema, LabelSelectorSchema, goType, int32, int64, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PodTemplateSpecSchema, applyPodTemplateDefaults } from "../../core/v1/podspec.js";
import { percentValue, validateNonnegative, validatePositiveIntOrPercent } from "../../validation.js";
import { validateSelector, validateSelectorImmutable, validateTemplateForSelector } from "./workload.js";

export const DeploymentStrategySchema = goType(
  z.object({
    type: z.string().optional().describe("Recreate or RollingUpdate. Defaults to RollingUpdate."),
    rollingUpdate: goType(
      z.object({
        maxUnavailable: IntOrStringSchema.optional().describe("Maximum number of pods that can be unavailable during the update. Defaults to 25%."),
        maxSurge: IntOrStringSchema.optional().describe("Maximum number of pods that can be scheduled above the desired number. Defaults to 25%."),
      }),
      "RollingUpdateDeployment",
    ).optional(),
  }),
  "DeploymentStrategy",
);

export const DeploymentSpecSchema = goType(
  z.object({
    replicas: int32().optional().describe("Number of desired pods. Defaults to 1."),
    selector: LabelSelectorSchema.optional().describe("Label selector for pods; must match the template's labels."),
    template: PodTemplateSpecSchema.prefault({}).describe("Template describing the pods that will be created."),
    strategy: DeploymentStrategySchema.prefault({}).describe("The deployment strategy used to replace existing pods with new ones."),
    minReadySeconds: int32().optional(),
    revisionHistoryLimit: int32().optional().describe("Number of old ReplicaSets to retain for rollback. Defaults to 10."),
    paused: z.boolean().optional(),
    progressDeadlineSeconds: int32().optional().describe("Seconds for the deployment to make progress before it is considered failed. Defaults to 600."),
  }),
  "DeploymentSpec",
);

export const DeploymentStatusSchema = goType(
  z.object({
    observedGeneration: int64().optional(),
    replicas: int32().optional(),
    updatedReplicas: int32().optional(),
    readyReplicas: int32().optional(),
    availableReplicas: int32().optional(),
    unavailableReplicas: int32().optional(),
    terminatingReplicas: int32().optional(),
    conditions: z.array(ConditionSchema).optional(),
    collisionCount: int32().optional(),
  }),
  "DeploymentStatus",
);

export const DeploymentSchema = goType(
  z.object({
    ...typeMeta,
    spec: DeploymentSpecSchema.prefault({}).describe("Specification of the desired behavior of the Deployment."),
    status: DeploymentStatusSchema.optional().describe("Most recently observed status of the Deployment."),
  }).describe("Deployment enables declarative updates for Pods and ReplicaSets."),
  "Deployment",
);
export type Deployment = z.infer<typeof DeploymentSchema>;

export function applyDeploymentDefaults(d: Deployment): void {
  const s = d.spec;
  s.replicas ??= 1;
  if (!s.strategy.type) s.strategy.type = "RollingUpdate";
  if (s.strategy.type === "RollingUpdate") {
    s.strategy.rollingUpdate ??= {};
    s.strategy.rollingUpdate.maxUnavailable ??= "25%";
    s.strategy.rollingUpdate.maxSurge ??= "25%";
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  applyPodTemplateDefaults(s.template);
}

function isZero(v: number | string | undefined): boolean {
  return v === 0 || percentValue(v) === 0;
}

export function validateDeploymentSpec(s: Deployment["spec"], path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.replicas, `${path}.replicas`));
  errs.push(...validateSelector(s.selector, `${path}.selector`, "deployment"));
  errs.push(...validateTemplateForSelector(s.template, s.selector, `${path}.template`));
  const st = s.strategy;
  const sp = `${path}.strategy`;
  if (st.type !== "Recreate" && st.type !== "RollingUpdate") errs.push(notSupported(`${sp}.type`, st.type ?? "", ["Recreate", "RollingUpdate"]));
  if (st.type === "Recreate" && st.rollingUpdate) errs.push(forbidden(`${sp}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  if (st.type === "RollingUpdate" && st.rollingUpdate) {
    const ru = st.rollingUpdate;
    const rp = `${sp}.rollingUpdate`;
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${rp}.maxUnavailable`));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${rp}.maxSurge`));
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) errs.push(invalid(`${rp}.maxUnavailable`, ru.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    if ((percentValue(ru.maxUnavailable) ?? 0) > 100) errs.push(invalid(`${rp}.maxUnavailable`, ru.maxUnavailable, "must not be greater than 100%"));
  }
  errs.push(...validateNonnegative(s.minReadySeconds, `${path}.minReadySeconds`));
  errs.push(...validateNonnegative(s.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  if (s.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(s.progressDeadlineSeconds, `${path}.progressDeadlineSeconds`));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(invalid(`${path}.progressDeadlineSeconds`, s.progressDeadlineSeconds, "must be greater than minReadySeconds"));
    }
  }
  return errs;
}

export const deploymentDef: KindDef<Deployment> = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  listKind: "DeploymentList",
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: DeploymentSchema,
  applyDefaults: applyDeploymentDefaults,
  validate: (d) => validateDeploymentSpec(d.spec, "spec"),
  validateUpdate: (d, old) => validateSelectorImmutable(d.spec.selector, old.spec.selector, "spec.selector"),
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
  extraSubresources: [],
  specKeys: ["spec"],
};
