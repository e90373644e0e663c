// batch/v1 CronJob: upstream's defaults (Allow, not suspended, history 3/1) and a schedule
// parser that accepts what robfig/cron's ParseStandard accepts, with its error wording.
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { ObjectMetaSchema, ObjectReferenceSchema, TimeSchema, goType, int32, int64, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { validateNonnegative, validateTemplateMeta } from "../../validation.js";
import { JobSpecSchema, applyJobSpecDefaults, validateJobSpec } from "./job.js";

export const JobTemplateSpecSchema = goType(
  z.object({
    metadata: ObjectMetaSchema.optional(),
    spec: JobSpecSchema.prefault({}).describe("Specification of the job created from this template."),
  }),
  "JobTemplateSpec",
);

export const CronJobSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({
        schedule: z.string().default("").describe("The schedule in Cron format, e.g. */5 * * * * or @hourly."),
        timeZone: z.string().optional().describe("Time zone name for the schedule, e.g. Etc/UTC."),
        startingDeadlineSeconds: int64().optional(),
        concurrencyPolicy: z.string().default("Allow").describe("Allow, Forbid or Replace. Defaults to Allow."),
        suspend: z.boolean().default(false).describe("Suspend subsequent executions. Defaults to false."),
        jobTemplate: JobTemplateSpecSchema.prefault({}).describe("The job that will be created when executing a CronJob."),
        successfulJobsHistoryLimit: int32().default(3).describe("Successful finished jobs to retain. Defaults to 3."),
        failedJobsHistoryLimit: int32().default(1).describe("Failed finished jobs to retain. Defaults to 1."),
      }),
      "CronJobSpec",
    ).prefault({}),
    status: goType(
      z.object({
        active: z.array(ObjectReferenceSchema).optional(),
        lastScheduleTime: TimeSchema.optional(),
        lastSuccessfulTime: TimeSchema.optional(),
      }),
      "CronJobStatus",
    ).optional(),
  }).describe("CronJob represents the configuration of a single cron job."),
  "CronJob",
);
export type CronJob = z.infer<typeof CronJobSchema>;

const descriptors = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const fieldBounds: Array<{ min: number; max: number; names?: string[] }> = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

function parseIntOrName(expr: string, b: (typeof fieldBounds)[number]): number {
  if (b.names) {
    const i = b.names.indexOf(expr.toLowerCase());
    if (i >= 0) return i + b.min;
  }
  if (!/^-?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function checkRange(expr: string, b: (typeof fieldBounds)[number]): void {
  const [rangeAndStep, ...more] = expr.split("/");
  if (more.length > 1) throw new Error(`too many slashes: ${expr}`);
  const lowAndHigh = rangeAndStep.split("-");
  if (lowAndHigh.length > 2) throw new Error(`too many hyphens: ${expr}`);
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    end = lowAndHigh.length === 2 ? parseIntOrName(lowAndHigh[1], b) : start;
  }
  if (more.length === 1) {
    const step = Number(more[0]);
    if (!/^[0-9]+$/.test(more[0])) throw new Error(`failed to parse int from ${more[0]}: strconv.Atoi: parsing ${JSON.stringify(more[0])}: invalid syntax`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
}

/** Validates a schedule as robfig/cron's standard parser; returns the parser's error text or undefined. */
export function parseCronSchedule(schedule: string): string | undefined {
  const spec = schedule.trim();
  if (spec.startsWith("@")) {
    if (descriptors.has(spec)) return undefined;
    if (spec.startsWith("@every ")) {
      return /^@every\s+([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(spec) ? undefined : `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(spec.slice(7).trim())}`;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`;
  try {
    fields.forEach((f, i) => f.split(",").forEach((part) => checkRange(part, fieldBounds[i])));
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

export const cronJobDef: KindDef<CronJob> = {
  group: "batch",
  version: "v1",
  kind: "CronJob",
  listKind: "CronJobList",
  plural: "cronjobs",
  singular: "cronjob",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  nameRule: "dns1123Subdomain",
  schema: CronJobSchema,
  applyDefaults(cj) {
    applyJobSpecDefaults(cj.spec.jobTemplate.spec);
  },
  validate(cj) {
    const s = cj.spec;
    const errs: FieldError[] = [];
    if (!s.schedule) errs.push(required("spec.schedule", ""));
    else if (/TZ=/.test(s.schedule)) errs.push(invalid("spec.schedule", s.schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    else {
      const err = parseCronSchedule(s.schedule);
      if (err) errs.push(invalid("spec.schedule", s.schedule, err));
    }
    if (!["Allow", "Forbid", "Replace"].includes(s.concurrencyPolicy)) errs.push(notSupported("spec.concurrencyPolicy", s.concurrencyPolicy, ["Allow", "Forbid", "Replace"]));
    errs.push(...validateNonnegative(s.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
    errs.push(...validateNonnegative(s.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
    errs.push(...validateNonnegative(s.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
    errs.push(...validateTemplateMeta(s.jobTemplate.metadata, "spec.jobTemplate.metadata"));
    errs.push(...validateJobSpec(s.jobTemplate.spec, "spec.jobTemplate.spec"));
    // Upstream: a CronJob's name leaves room for the 11-character job suffix.
    if ((cj.metadata.name ?? "").length > 52) errs.push(invalid("metadata.name", cj.metadata.name, "must be no more than 52 characters"));
    return errs;
  },
  hasStatus: true,
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  specKeys: ["spec"],
};
