// core/v1 ServiceAccount: names, secrets and image pull secrets; no spec/status split.
import { z } from "zod";
import { LocalObjectReferenceSchema, ObjectReferenceSchema, goType, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";

export const ServiceAccountSchema = goType(
  z.object({
    ...typeMeta,
    secrets: z.array(ObjectReferenceSchema).optional().describe("Secrets in the same namespace that pods running with this account may use."),
    imagePullSecrets: z.array(LocalObjectReferenceSchema).optional().describe("Secrets used to pull images for pods that reference this account."),
    automountServiceAccountToken: z.boolean().optional(),
  }).describe("ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets"),
  "ServiceAccount",
);
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

export const serviceAccountDef: KindDef<ServiceAccount> = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  listKind: "ServiceAccountList",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: ServiceAccountSchema,
    hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  extraSubresources: ["token"],
};
