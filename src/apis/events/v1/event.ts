// events.k8s.io/v1 Event: the structured event API (regarding/note/reportingController),
// its own schema over the same stored idea as core/v1 Event.
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { MicroTimeSchema, ObjectReferenceSchema, TimeSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { eventFromStorage, eventToStorage } from "./conversion.js";

export const EventSchema = goType(
  z.object({
    ...typeMeta,
    eventTime: MicroTimeSchema.optional().describe("Time when this event was first observed. Required."),
    series: goType(
      z.object({ count: int32().default(0), lastObservedTime: MicroTimeSchema.default("") }),
      "EventSeries",
    ).optional().describe("Data about the event series this event represents."),
    reportingController: z.string().optional().describe("Name of the controller that emitted this event, e.g. kubernetes.io/kubelet."),
    reportingInstance: z.string().optional().describe("ID of the controller instance, e.g. kubelet-xyzf."),
    action: z.string().optional().describe("What action was taken or failed regarding the regarding object."),
    reason: z.string().optional().describe("Why the action was taken."),
    regarding: ObjectReferenceSchema.optional().describe("The object this event is about."),
    related: ObjectReferenceSchema.optional(),
    note: z.string().optional().describe("Human-readable description of the status of this operation."),
    type: z.string().optional().describe("Normal or Warning."),
    deprecatedSource: goType(z.object({ component: z.string().optional(), host: z.string().optional() }), "EventSource").optional(),
    deprecatedFirstTimestamp: TimeSchema.optional(),
    deprecatedLastTimestamp: TimeSchema.optional(),
    deprecatedCount: int32().optional(),
  }).describe("Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time. Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason. Events should be treated as informative, best-effort, supplemental data."),
  "Event",
);
export type Event = z.infer<typeof EventSchema>;

const NOTE_MAX = 1024;

export function validateEvent(e: Event): FieldError[] {
  const errs: FieldError[] = [];
  if (!e.eventTime) errs.push(required("eventTime", ""));
  if (e.type && !["Normal", "Warning"].includes(e.type)) errs.push(notSupported("type", e.type, ["Normal", "Warning"]));
  if (!e.reportingController) errs.push(required("reportingController", ""));
  if (!e.reportingInstance) errs.push(required("reportingInstance", ""));
  if (!e.action) errs.push(required("action", ""));
  if (!e.reason) errs.push(required("reason", ""));
  if (e.note && e.note.length > NOTE_MAX) errs.push(invalid("note", "", `can have at most ${NOTE_MAX} characters`));
  if (e.series && e.series.count < 2) errs.push(invalid("series.count", "", "should be at least 2"));
  return errs;
}

export const eventDef: KindDef<Event> = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  listKind: "EventList",
  plural: "events",
  // Stored as core/v1 Events, so both APIs serve the same objects (as upstream).
  storageConversion: { toStorage: eventToStorage, fromStorage: eventFromStorage },
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: EventSchema,
  validate: validateEvent,
  hasStatus: false,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
  selectableFields: {
    "regarding.kind": (e) => e.regarding?.kind ?? "",
    "regarding.namespace": (e) => e.regarding?.namespace ?? "",
    "regarding.name": (e) => e.regarding?.name ?? "",
    "regarding.uid": (e) => e.regarding?.uid ?? "",
    reason: (e) => e.reason ?? "",
    reportingController: (e) => e.reportingController ?? "",
    type: (e) => e.type ?? "",
  },
};
