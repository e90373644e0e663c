// batch/v1 as upstream's printJob (STATUS, COMPLETIONS, DURATION since 1.28+) and printCronJob
// (TIMEZONE since 1.27+).
import { humanDuration, parseTime, since } from "./duration.js";
import {
  ageCol,
  arr,
  col,
  formatLabelSelector,
  int,
  intOrNil,
  layoutContainerCells,
  nameCol,
  rec,
  recOrNil,
  str,
  templateCols,
  templateContainers,
  type Json,
} from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

const jobSelectorDescription =
  "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";

export const jobColumns = [
  nameCol(),
  col("Status", "string", "Status of the job."),
  col(
    "Completions",
    "string",
    "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
  ),
  col("Duration", "string", "Time required to complete the job."),
  ageCol(),
  ...templateCols(jobSelectorDescription),
];

/** hasJobCondition: the first condition of that type decides. */
function hasJobCondition(status: Json, type: string): boolean {
  for (const c of arr(status.conditions).map(rec)) {
    if (c.type === type) return c.status === "True";
  }
  return false;
}

export function printJob(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const succeeded = int(status.succeeded);

  let completions: string;
  const specCompletions = intOrNil(spec.completions);
  if (specCompletions !== undefined) {
    completions = `${succeeded}/${specCompletions}`;
  } else {
    const parallelism = intOrNil(spec.parallelism) ?? 0;
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }

  let jobDuration = "";
  const start = parseTime(status.startTime);
  const completion = parseTime(status.completionTime);
  if (start !== undefined) jobDuration = humanDuration((completion ?? now) - start);

  let jobStatus: string;
  if (hasJobCondition(status, "Complete")) jobStatus = "Complete";
  else if (hasJobCondition(status, "Failed")) jobStatus = "Failed";
  else if (str(meta.deletionTimestamp) !== "") jobStatus = "Terminating";
  else if (hasJobCondition(status, "Suspended")) jobStatus = "Suspended";
  else if (hasJobCondition(status, "FailureTarget")) jobStatus = "FailureTarget";
  else jobStatus = "Running";

  const [names, images] = layoutContainerCells(templateContainers(spec));
  return {
    cells: [str(meta.name), jobStatus, completions, jobDuration, since(meta.creationTimestamp, now), names, images, formatLabelSelector(spec.selector)],
  };
}

export const cronJobColumns = [
  nameCol(),
  col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
  col(
    "Timezone",
    "string",
    "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
  ),
  col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
  col("Active", "integer", "A list of pointers to currently running jobs."),
  col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
  ageCol(),
  ...templateCols(jobSelectorDescription),
];

/** printBoolPtr: "True", "False", or "<unset>" for a nil pointer (the cell is a string). */
function boolPtr(v: unknown): string {
  if (typeof v !== "boolean") return "<unset>";
  return v ? "True" : "False";
}

export function printCronJob(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const lastSchedule = status.lastScheduleTime != null ? since(status.lastScheduleTime, now) : "<none>";
  const timeZone = typeof spec.timeZone === "string" ? spec.timeZone : "<none>";
  const jobSpec = rec(rec(spec.jobTemplate).spec);
  const [names, images] = layoutContainerCells(templateContainers(jobSpec));
  return {
    cells: [
      str(meta.name),
      str(spec.schedule),
      timeZone,
      boolPtr(spec.suspend),
      arr(status.active).length,
      lastSchedule,
      since(meta.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(recOrNil(jobSpec.selector)),
    ],
  };
}

export const jobPrinter: Printer = { columns: jobColumns, print: printJob };
export const cronJobPrinter: Printer = { columns: cronJobColumns, print: printCronJob };
