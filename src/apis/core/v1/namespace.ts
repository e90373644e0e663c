// core/v1 Namespace: the "kubernetes" finalizer, phase Active and the immutable
// kubernetes.io/metadata.name label, as upstream's defaults and namespace strategy.
import { z } from "zod";
import { type FieldError, invalid } from "../../../lib/field-errors.js";
import { ConditionSchema, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { isQualifiedName } from "../../validation.js";

export const NamespaceSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({ finalizers: z.array(z.string()).optional().describe("Must be empty before the namespace is removed from storage.") }),
      "NamespaceSpec",
    ).optional(),
    status: goType(
      z.object({
        phase: z.string().optional().describe("Active or Terminating."),
        conditions: z.array(ConditionSchema).optional(),
      }),
      "NamespaceStatus",
    ).optional(),
  }).describe("Namespace provides a scope for Names. Use of multiple namespaces is optional."),
  "Namespace",
);
export type Namespace = z.infer<typeof NamespaceSchema>;

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export const namespaceDef: KindDef<Namespace> = {
  group: "",
  version: "v1",
  kind: "Namespace",
  listKind: "NamespaceList",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  categories: [],
  nameRule: "dns1123Label",
  schema: NamespaceSchema,
  applyDefaults(ns) {
    ns.status ??= {};
    ns.status.phase ||= "Active";
    if (ns.metadata.name) ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name };
  },
  // Upstream's namespace strategy PrepareForCreate: create-only, so /finalize can empty the list later.
  prepareForCreate(ns) {
    ns.spec ??= {};
    const f = (ns.spec.finalizers ??= []);
    if (!f.includes("kubernetes")) f.push("kubernetes");
    ns.status = { phase: "Active" };
  },
  validate(ns) {
    const errs: FieldError[] = [];
    for (const f of ns.spec?.finalizers ?? []) {
      for (const m of isQualifiedName(f)) errs.push(invalid("spec.finalizers", f, m));
      if (!f.includes("/") && !standardFinalizers.has(f)) {
        errs.push(invalid("spec.finalizers", f, "name is neither a standard finalizer name nor is it fully qualified"));
      }
    }
    return errs;
  },
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  selectableFields: { "status.phase": (ns) => ns.status?.phase ?? "" },
  extraSubresources: ["finalize"],
  specKeys: ["spec"],
};
