// Definitions that have no zod schema in src/apis (the server builds these objects itself):
// the meta/v1 scalars and API objects (ListMeta, Status, DeleteOptions, Patch) and autoscaling/v1
// Scale, written in upstream's v3 form with upstream's names and shorter descriptions.
import type { Json } from "./definitions.js";

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const REF_V3 = "#/components/schemas/";
export const metaRef = (t: string): Json => ({ $ref: `${REF_V3}${META}.${t}` });

const str = (description: string): Json => ({ description, type: "string" });
const int32 = (description: string): Json => ({ description, format: "int32", type: "integer" });
const int64 = (description: string): Json => ({ description, format: "int64", type: "integer" });
const typeMetaProps = {
  apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
  kind: str("Kind is a string value representing the REST resource this object represents."),
};

export const STATIC_DEFS: Record<string, Json> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {
    description: "Quantity is a fixed-point representation of a number, serialized as a string such as 100m, 1Gi or 0.5.",
    oneOf: [{ type: "string" }, { type: "number" }],
  },
  // As kube-openapi writes it for v3 (oneOf integer/string); kubectl explain prints <IntOrString>.
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
    description: "IntOrString is a type that can hold an int32 or a string.",
    format: "int-or-string",
    oneOf: [{ type: "integer" }, { type: "string" }],
  },
  [`${META}.Time`]: { description: "Time is a wrapper around time.Time, serialized in RFC 3339 form.", format: "date-time", type: "string" },
  [`${META}.MicroTime`]: { description: "MicroTime is version of Time with microsecond level precision.", format: "date-time", type: "string" },
  [`${META}.ListMeta`]: {
    description: "ListMeta describes metadata that synthetic resources must have, including lists.",
    properties: {
      continue: str("Set when the list was truncated by a limit; pass it back to fetch the next page."),
      remainingItemCount: int64("The number of subsequent items in the list which are not included in this response."),
      resourceVersion: str("The version of the list, usable to watch from."),
      selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
    },
    type: "object",
  },
  [`${META}.StatusCause`]: {
    description: "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
    properties: {
      field: str("The field of the resource that has caused this error, as named by its JSON serialization."),
      message: str("A human-readable description of the cause of the error."),
      reason: str("A machine-readable description of the cause of the error."),
    },
    type: "object",
  },
  [`${META}.StatusDetails`]: {
    description: "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
    properties: {
      causes: { description: "The Causes array includes more details associated with the StatusReason failure.", items: metaRef("StatusCause"), type: "array", "x-kubernetes-list-type": "atomic" },
      group: str("The group attribute of the resource associated with the status StatusReason."),
      kind: str("The kind attribute of the resource associated with the status StatusReason."),
      name: str("The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)."),
      retryAfterSeconds: int32("If specified, the time in seconds before the operation should be retried."),
      uid: str("UID of the resource."),
    },
    type: "object",
  },
  [`${META}.Status`]: {
    description: "Status is a return value for calls that don't return other objects.",
    properties: {
      ...typeMetaProps,
      code: int32("Suggested HTTP return code for this status, 0 if not set."),
      details: { allOf: [metaRef("StatusDetails")], description: "Extended data associated with the reason." },
      message: str("A human-readable description of the status of this operation."),
      metadata: { allOf: [metaRef("ListMeta")], default: {}, description: "Standard list metadata." },
      reason: str("A machine-readable description of why this operation is in the Failure status."),
      status: str('Status of the operation. One of: "Success" or "Failure".'),
    },
    type: "object",
    "x-kubernetes-group-version-kind": [{ group: "", kind: "Status", version: "v1" }],
  },
  [`${META}.Preconditions`]: {
    description: "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
    properties: { resourceVersion: str("Specifies the target ResourceVersion"), uid: str("Specifies the target UID.") },
    type: "object",
  },
  [`${META}.DeleteOptions`]: {
    description: "DeleteOptions may be provided when deleting an API object.",
    properties: {
      ...typeMetaProps,
      dryRun: { description: "When present, indicates that modifications should not be persisted. Valid value: All.", items: { default: "", type: "string" }, type: "array", "x-kubernetes-list-type": "atomic" },
      gracePeriodSeconds: int64("The duration in seconds before the object should be deleted."),
      orphanDependents: { description: "Deprecated: please use the PropagationPolicy.", type: "boolean" },
      preconditions: { allOf: [metaRef("Preconditions")], description: "Must be fulfilled before a deletion is carried out." },
      propagationPolicy: str("Whether and how garbage collection will be performed: Orphan, Background or Foreground."),
    },
    type: "object",
    "x-kubernetes-group-version-kind": [{ group: "", kind: "DeleteOptions", version: "v1" }],
  },
  [`${META}.Patch`]: { description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", type: "object" },
  "io.k8s.api.autoscaling.v1.ScaleSpec": {
    description: "ScaleSpec describes the attributes of a scale subresource.",
    properties: { replicas: int32("replicas is the desired number of instances for the scaled object.") },
    type: "object",
  },
  "io.k8s.api.autoscaling.v1.ScaleStatus": {
    description: "ScaleStatus represents the current status of a scale subresource.",
    properties: {
      replicas: { ...int32("replicas is the actual number of observed instances of the scaled object."), default: 0 },
      selector: str("selector is the label query over pods that should match the replicas count, in label-selector string form."),
    },
    required: ["replicas"],
    type: "object",
  },
  "io.k8s.api.autoscaling.v1.Scale": {
    description: "Scale represents a scaling request for a resource.",
    properties: {
      ...typeMetaProps,
      metadata: { allOf: [metaRef("ObjectMeta")], default: {}, description: "Standard object metadata." },
      spec: { allOf: [{ $ref: `${REF_V3}io.k8s.api.autoscaling.v1.ScaleSpec` }], default: {}, description: "spec defines the behavior of the scale." },
      status: { allOf: [{ $ref: `${REF_V3}io.k8s.api.autoscaling.v1.ScaleStatus` }], default: {}, description: "status is the current status of the scale." },
    },
    type: "object",
    "x-kubernetes-group-version-kind": [{ group: "autoscaling", kind: "Scale", version: "v1" }],
  },
};
