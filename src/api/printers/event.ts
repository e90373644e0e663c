// Events as upstream's printEvent. events.k8s.io/v1 Events are served by the same storage
// upstream and printed by the same function after conversion to the internal core Event, so
// both API shapes print identically here.
import { parseTime, since } from "./duration.js";
import { col, int, nameCol, rec, recOrNil, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const eventColumns = [
  col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
  col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
  col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col("Object", "string", "The object that this event is about."),
  col(
    "Subobject",
    "string",
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
    1,
  ),
  col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
  col("Message", "string", "A human-readable description of the status of this operation."),
  col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
  col("Count", "string", "The number of times this event has occurred.", 1),
  { ...nameCol(), priority: 1 },
];

/** The fields printEvent reads, from either API shape. */
interface EventFields {
  name: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series?: Json;
  involvedObject: Json;
  source: Json;
  reportingController: string;
  reportingInstance: string;
  type: string;
  reason: string;
  message: string;
}

function coreEventFields(e: Json): EventFields {
  return {
    name: str(rec(e.metadata).name),
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    count: int(e.count),
    series: recOrNil(e.series),
    involvedObject: rec(e.involvedObject),
    source: rec(e.source),
    reportingController: str(e.reportingComponent),
    reportingInstance: str(e.reportingInstance),
    type: str(e.type),
    reason: str(e.reason),
    message: str(e.message),
  };
}

/** events.k8s.io/v1 → the internal (core) Event, as upstream's conversion. */
function eventsV1Fields(e: Json): EventFields {
  return {
    name: str(rec(e.metadata).name),
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    count: int(e.deprecatedCount),
    series: recOrNil(e.series),
    involvedObject: rec(e.regarding),
    source: rec(e.deprecatedSource),
    reportingController: str(e.reportingController),
    reportingInstance: str(e.reportingInstance),
    type: str(e.type),
    reason: str(e.reason),
    message: str(e.note),
  };
}

/** formatEventSource: component (or reportingController), then ", host" (or reportingInstance). */
function formatEventSource(source: Json, reportingController: string, reportingInstance: string): string {
  const component = str(source.component) || reportingController;
  const instance = str(source.host) || reportingInstance;
  return instance.length === 0 ? component : `${component}, ${instance}`;
}

function printEventFields(e: EventFields, now: number): PrintedRow {
  const firstTimestamp = parseTime(e.firstTimestamp) === undefined ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  let lastTimestamp = parseTime(e.lastTimestamp) === undefined ? firstTimestamp : since(e.lastTimestamp, now);

  let count = e.count;
  if (e.series) {
    lastTimestamp = since(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }

  const kind = str(e.involvedObject.kind).toLowerCase();
  const name = str(e.involvedObject.name);
  const target = name.length > 0 ? `${kind}/${name}` : kind;

  return {
    cells: [
      lastTimestamp,
      e.type,
      e.reason,
      target,
      str(e.involvedObject.fieldPath),
      formatEventSource(e.source, e.reportingController, e.reportingInstance),
      e.message.trim(),
      firstTimestamp,
      count,
      e.name,
    ],
  };
}

export function printCoreEvent(obj: Json, { now }: PrintContext): PrintedRow {
  return printEventFields(coreEventFields(obj), now);
}

export function printEventsV1Event(obj: Json, { now }: PrintContext): PrintedRow {
  return printEventFields(eventsV1Fields(obj), now);
}

export const coreEventPrinter: Printer = { columns: eventColumns, print: printCoreEvent };
export const eventsV1EventPrinter: Printer = { columns: eventColumns, print: printEventsV1Event };
