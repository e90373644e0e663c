// coordination.k8s.io/v1 Lease: leader election and node heartbeats; no status.
import { z } from "zod";
import { type FieldError, invalid } from "../../../lib/field-errors.js";
import { MicroTimeSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { validateNonnegative } from "../../validation.js";

export const LeaseSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({
        holderIdentity: z.string().optional().describe("Identity of the current holder of the lease."),
        leaseDurationSeconds: int32().optional().describe("Seconds candidates wait to force-acquire the lease, from the last renewTime."),
        acquireTime: MicroTimeSchema.optional().describe("When the current lease was acquired."),
        renewTime: MicroTimeSchema.optional().describe("When the current holder last updated the lease."),
        leaseTransitions: int32().optional().describe("Number of transitions of the lease between holders."),
        strategy: z.string().optional(),
        preferredHolder: z.string().optional(),
      }),
      "LeaseSpec",
    ).optional(),
  }).describe("Lease defines a lease concept."),
  "Lease",
);
export type Lease = z.infer<typeof LeaseSchema>;

export const leaseDef: KindDef<Lease> = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  listKind: "LeaseList",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  shortNames: [],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: LeaseSchema,
  validate(l) {
    const errs: FieldError[] = [];
    const d = l.spec?.leaseDurationSeconds;
    if (d !== undefined && d <= 0) errs.push(invalid("spec.leaseDurationSeconds", d, "must be greater than 0"));
    errs.push(...validateNonnegative(l.spec?.leaseTransitions, "spec.leaseTransitions"));
    return errs;
  },
  hasStatus: false,
  allowUnconditionalUpdate: false,
  allowCreateOnUpdate: true,
};
