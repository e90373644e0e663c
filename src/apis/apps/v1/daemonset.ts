// apps/v1 DaemonSet: RollingUpdate maxUnavailable 1 / maxSurge 0, history 10, ValidateDaemonSet.
import { z } from "zod";
import { type FieldError, forbidden, invalid, notSupported } from "../../../lib/field-errors.js";
import { ConditionSchema, IntOrStringSchema, LabelSelectorSchema, goType, int32, int64, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { PodTemplateSpecSchema, applyPodTemplateDefaults } from "../../core/v1/podspec.js";
import { percentValue, validateNonnegative, validatePositiveIntOrPercent } from "../../validation.js";
import { validateSelector, validateSelectorImmutable, validateTemplateForSelector } from "./workload.js";

export const DaemonSetSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({
        selector: LabelSelectorSchema.optional().describe("Label query over pods managed by the daemon set; must match the template's labels."),
        template: PodTemplateSpecSchema.prefault({}).describe("Template for the pods run on every eligible node."),
        updateStrategy: goType(
          z.object({
            type: z.string().optional().describe("RollingUpdate or OnDelete. Defaults to RollingUpdate."),
            rollingUpdate: goType(
              z.object({ maxUnavailable: IntOrStringSchema.optional(), maxSurge: IntOrStringSchema.optional() }),
              "RollingUpdateDaemonSet",
            ).optional(),
          }),
          "DaemonSetUpdateStrategy",
        ).prefault({}),
        minReadySeconds: int32().optional(),
        revisionHistoryLimit: int32().optional(),
      }),
      "DaemonSetSpec",
    ).prefault({}),
    status: goType(
      z.object({
        currentNumberScheduled: int32().default(0),
        numberMisscheduled: int32().default(0),
        desiredNumberScheduled: int32().default(0),
        numberReady: int32().default(0),
        observedGeneration: int64().optional(),
        updatedNumberScheduled: int32().optional(),
        numberAvailable: int32().optional(),
        numberUnavailable: int32().optional(),
        collisionCount: int32().optional(),
        conditions: z.array(ConditionSchema).optional(),
      }),
      "DaemonSetStatus",
    ).optional(),
  }).describe("DaemonSet represents the configuration of a daemon set."),
  "DaemonSet",
);
export type DaemonSet = z.infer<typeof DaemonSetSchema>;

export function applyDaemonSetDefaults(ds: DaemonSet): void {
  const us = ds.spec.updateStrategy;
  us.type ||= "RollingUpdate";
  if (us.type === "RollingUpdate") {
    us.rollingUpdate ??= {};
    us.rollingUpdate.maxUnavailable ??= 1;
    us.rollingUpdate.maxSurge ??= 0;
  }
  ds.spec.revisionHistoryLimit ??= 10;
  applyPodTemplateDefaults(ds.spec.template);
}

const isZero = (v: number | string | undefined) => v === undefined || v === 0 || percentValue(v) === 0;

export const daemonSetDef: KindDef<DaemonSet> = {
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  listKind: "DaemonSetList",
  plural: "daemonsets",
  singular: "daemonset",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: DaemonSetSchema,
  applyDefaults: applyDaemonSetDefaults,
  validate(ds) {
    const s = ds.spec;
    const errs: FieldError[] = [
      ...validateSelector(s.selector, "spec.selector", "daemonset"),
      ...validateTemplateForSelector(s.template, s.selector, "spec.template"),
      ...validateNonnegative(s.minReadySeconds, "spec.minReadySeconds"),
      ...validateNonnegative(s.revisionHistoryLimit, "spec.revisionHistoryLimit"),
    ];
    const us = s.updateStrategy;
    if (!["OnDelete", "RollingUpdate"].includes(us.type ?? "")) errs.push(notSupported("spec.updateStrategy.type", us.type ?? "", ["OnDelete", "RollingUpdate"]));
    if (us.type === "OnDelete" && us.rollingUpdate) errs.push(forbidden("spec.updateStrategy.rollingUpdate", "may not be specified when strategy `type` is 'OnDelete'"));
    if (us.type === "RollingUpdate" && us.rollingUpdate) {
      const rp = "spec.updateStrategy.rollingUpdate";
      errs.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxUnavailable, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxSurge, `${rp}.maxSurge`));
      if (isZero(us.rollingUpdate.maxUnavailable) && isZero(us.rollingUpdate.maxSurge)) {
        errs.push(invalid(`${rp}.maxUnavailable`, us.rollingUpdate.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
      }
    }
    return errs;
  },
  validateUpdate: (ds, old) => validateSelectorImmutable(ds.spec.selector, old.spec.selector, "spec.selector"),
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  specKeys: ["spec"],
};
