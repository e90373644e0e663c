// What the apps/v1 workloads share: a selector that must match the template's labels, a
// template whose pods restart Always, and an immutable selector (upstream apps validation).
import { type FieldError, forbidden, invalid, notSupported, required } from "../../../lib/field-errors.js";
import type { LabelSelector } from "../../meta.js";
import type { PodTemplateSpec } from "../../core/v1/podspec.js";
import { validatePodTemplateSpec } from "../../core/v1/podspec-validation.js";
import { selectorIsEmpty, selectorMatches, validateLabelSelector } from "../../validation.js";

/** Selector rules of ValidateDeploymentSpec / ValidateReplicaSetSpec / …: `kindWord` names the kind in "empty selector is invalid for …". */
export function validateSelector(sel: LabelSelector | undefined, path: string, kindWord: string): FieldError[] {
  if (!sel) return [required(path, "")];
  const errs = validateLabelSelector(sel, path);
  if (selectorIsEmpty(sel)) errs.push(invalid(path, sel, `empty selector is invalid for ${kindWord}`));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (also used by StatefulSet and DaemonSet). */
export function validateTemplateForSelector(template: PodTemplateSpec | undefined, sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!template) return [required(path, "")];
  const errs: FieldError[] = [];
  if (sel && !selectorIsEmpty(sel) && !selectorMatches(sel, template.metadata?.labels)) {
    errs.push(invalid(`${path}.metadata.labels`, template.metadata?.labels ?? {}, "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  if (template.spec.restartPolicy && template.spec.restartPolicy !== "Always") {
    errs.push(notSupported(`${path}.spec.restartPolicy`, template.spec.restartPolicy, ["Always"]));
  }
  if (template.spec.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(`${path}.spec.activeDeadlineSeconds`, "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  return errs;
}

export function validateSelectorImmutable(sel: LabelSelector | undefined, old: LabelSelector | undefined, path: string): FieldError[] {
  return JSON.stringify(sel ?? null) === JSON.stringify(old ?? null) ? [] : [invalid(path, sel, "field is immutable")];
}
