// core/v1 Event: what kubectl describe reads. Stored as-is; events.k8s.io/v1 Event is a
// separate schema over the same idea (see apis/events/v1/event.ts).
import { z } from "zod";
import { type FieldError, notSupported, required } from "../../../lib/field-errors.js";
import { MicroTimeSchema, ObjectReferenceSchema, TimeSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";

export const EventSourceSchema = goType(z.object({ component: z.string().optional(), host: z.string().optional() }), "EventSource");

export const CoreEventSchema = goType(
  z.object({
    ...typeMeta,
    involvedObject: ObjectReferenceSchema.prefault({}).describe("The object this event is about."),
    reason: z.string().optional().describe("Short, machine-understandable reason for the transition."),
    message: z.string().optional().describe("Human-readable description of the status of this operation."),
    source: EventSourceSchema.optional().describe("The component reporting this event."),
    firstTimestamp: TimeSchema.optional().describe("Time at which the event was first recorded."),
    lastTimestamp: TimeSchema.optional().describe("Time of the most recent occurrence."),
    count: int32().optional().describe("Number of times this event has occurred."),
    type: z.string().optional().describe("Normal or Warning."),
    eventTime: MicroTimeSchema.optional(),
    series: goType(z.object({ count: int32().optional(), lastObservedTime: MicroTimeSchema.optional() }), "EventSeries").optional(),
    action: z.string().optional(),
    related: ObjectReferenceSchema.optional(),
    reportingComponent: z.string().optional(),
    reportingInstance: z.string().optional(),
  }).describe("Event is a report of an event somewhere in the cluster. Events have a limited retention time and triggers and messages may evolve with time. Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason. Events should be treated as informative, best-effort, supplemental data."),
  "Event",
);
export type CoreEvent = z.infer<typeof CoreEventSchema>;

export function validateCoreEvent(e: CoreEvent): FieldError[] {
  const errs: FieldError[] = [];
  if (e.type && !["Normal", "Warning"].includes(e.type)) errs.push(notSupported("type", e.type, ["Normal", "Warning"]));
  if (!e.involvedObject.name && !e.involvedObject.kind) errs.push(required("involvedObject", ""));
  return errs;
}

export const coreEventDef: KindDef<CoreEvent> = {
  group: "",
  version: "v1",
  kind: "Event",
  listKind: "EventList",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: CoreEventSchema,
  validate: validateCoreEvent,
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
  selectableFields: {
    "involvedObject.kind": (e) => e.involvedObject.kind ?? "",
    "involvedObject.namespace": (e) => e.involvedObject.namespace ?? "",
    "involvedObject.name": (e) => e.involvedObject.name ?? "",
    "involvedObject.uid": (e) => e.involvedObject.uid ?? "",
    "involvedObject.apiVersion": (e) => e.involvedObject.apiVersion ?? "",
    "involvedObject.resourceVersion": (e) => e.involvedObject.resourceVersion ?? "",
    "involvedObject.fieldPath": (e) => e.involvedObject.fieldPath ?? "",
    reason: (e) => e.reason ?? "",
    reportingComponent: (e) => e.reportingComponent ?? "",
    source: (e) => e.source?.component ?? "",
    type: (e) => e.type ?? "",
  },
};
