// Shared metav1/corev1 shapes: ObjectMeta, LabelSelector, ObjectReference and the scalar
// aliases. Fields are optional as Go's omitempty; required-ness is validate()'s concern.
import { z } from "zod";

/**
 * Go type names per schema, only for decode's error wording (`Go struct field
 * DeploymentSpec.spec.replicas of type int32`). A private registry so JSON Schema stays clean.
 */
export const goTypes = z.registry<{ goType: string }>();

/** Tags a schema with its Go type name and returns it. */
export function goType<S extends z.ZodType>(schema: S, name: string): S {
  goTypes.add(schema, { goType: name });
  return schema;
}

/** int32 (default Go type for numbers). */
export const int32 = () => z.int();
/** int64 fields (seconds, generations) so decode errors name the right Go type. */
export const int64 = () => goType(z.int(), "int64");

/** resource.Quantity: "100m", "1Gi" or a bare number. */
/** Upstream's quantity grammar; a mismatch is a decode error (400), as in Go's Quantity.UnmarshalJSON. */
export const QUANTITY_PATTERN = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
export const QuantitySchema = goType(z.union([z.string().regex(QUANTITY_PATTERN), z.number()]).describe("A fixed-point quantity such as 100m or 1Gi."), "resource.Quantity");
/** intstr.IntOrString. */
export const IntOrStringSchema = goType(z.union([z.int(), z.string()]), "intstr.IntOrString");
/** metav1.Time, RFC 3339. */
export const TimeSchema = goType(z.string(), "v1.Time");
/** metav1.MicroTime, RFC 3339 with microseconds. */
export const MicroTimeSchema = goType(z.string(), "v1.MicroTime");

export const StringMap = () => goType(z.record(z.string(), z.string()), "map[string]string");

export const OwnerReferenceSchema = goType(
  z.object({
    // Go's zero value for these non-omitempty strings; validation reports "must not be empty".
    apiVersion: z.string().default("").describe("API version of the referent."),
    kind: z.string().default("").describe("Kind of the referent."),
    name: z.string().default("").describe("Name of the referent."),
    uid: z.string().default("").describe("UID of the referent."),
    controller: z.boolean().optional().describe("If true, this reference points to the managing controller."),
    blockOwnerDeletion: z.boolean().optional().describe("If true, the owner cannot be deleted from storage until this reference is removed."),
  }),
  "OwnerReference",
);

export const ManagedFieldsEntrySchema = goType(z.looseObject({}), "ManagedFieldsEntry");

export const ObjectMetaSchema = goType(
  z.object({
    name: z.string().optional().describe("Name must be unique within a namespace."),
    generateName: z.string().optional().describe("Optional prefix used by the server to generate a unique name when name is not provided."),
    namespace: z.string().optional().describe("Namespace defines the space within which each name must be unique."),
    selfLink: z.string().optional(),
    uid: z.string().optional().describe("UID is the unique in time and space value for this object, set by the server."),
    resourceVersion: z.string().optional().describe("An opaque value that represents the internal version of this object."),
    generation: int64().optional().describe("A sequence number representing a specific generation of the desired state."),
    creationTimestamp: TimeSchema.optional().describe("Time the server created this object."),
    deletionTimestamp: TimeSchema.optional().describe("Time after which this resource will be deleted; set by the server on graceful deletion."),
    deletionGracePeriodSeconds: int64().optional(),
    labels: StringMap().optional().describe("Map of string keys and values used to organize and select objects."),
    annotations: StringMap().optional().describe("Unstructured key value map stored with a resource for arbitrary metadata."),
    ownerReferences: z.array(OwnerReferenceSchema).optional().describe("Objects this object depends on; garbage collected when all owners are gone."),
    finalizers: z.array(z.string()).optional().describe("Must be empty before the object is deleted from the registry."),
    managedFields: z.array(ManagedFieldsEntrySchema).optional().describe("Maps workflow-id and version to the set of fields managed by that workflow."),
  }),
  "ObjectMeta",
);
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

export const LabelSelectorRequirementSchema = goType(
  z.object({
    key: z.string().default("").describe("The label key that the selector applies to."),
    operator: z.string().default("").describe("In, NotIn, Exists or DoesNotExist."),
    values: z.array(z.string()).optional().describe("Values for In and NotIn; empty for Exists and DoesNotExist."),
  }),
  "LabelSelectorRequirement",
);

export const LabelSelectorSchema = goType(
  z.object({
    matchLabels: StringMap().optional().describe("A map of {key,value} pairs; all must match."),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional().describe("A list of label selector requirements, ANDed."),
  }),
  "LabelSelector",
);
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

export const ObjectReferenceSchema = goType(
  z.object({
    kind: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string().optional(),
    uid: z.string().optional(),
    apiVersion: z.string().optional(),
    resourceVersion: z.string().optional(),
    fieldPath: z.string().optional(),
  }),
  "ObjectReference",
);
export type ObjectReference = z.infer<typeof ObjectReferenceSchema>;

export const LocalObjectReferenceSchema = goType(z.object({ name: z.string().optional() }), "LocalObjectReference");

export const ConditionSchema = goType(
  z.object({
    type: z.string().optional(),
    status: z.string().optional(),
    observedGeneration: int64().optional(),
    lastTransitionTime: TimeSchema.optional(),
    lastUpdateTime: TimeSchema.optional(),
    lastProbeTime: TimeSchema.optional(),
    lastHeartbeatTime: TimeSchema.optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
  }),
  "Condition",
);

/** Common top-level fields of every object. metadata is always present after decode (Go's zero value). */
export const typeMeta = {
  apiVersion: z.string().optional().describe("Versioned schema of this representation of an object."),
  kind: z.string().optional().describe("The REST resource this object represents."),
  metadata: ObjectMetaSchema.prefault({}).describe("Standard object metadata."),
};
