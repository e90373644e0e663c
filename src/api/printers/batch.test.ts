import { describe, expect, it } from "vitest";
import { H, M, S, ago, cell, kubectlHeaders, one, rowByHeader } from "./test-helpers.js";

type Obj = Record<string, unknown>;

const podTemplate = { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } };
const job = (spec: Obj, status: Obj, metadata: Obj = {}): Obj => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "pi", namespace: "default", creationTimestamp: ago(10 * M), ...metadata },
  spec: { selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "abc" } }, template: podTemplate, ...spec },
  status,
});
const cond = (type: string, status = "True") => ({ type, status });

describe("jobs", () => {
  it("have kubectl's (1.28+) headers", () => {
    const t = one("batch", "Job", job({ completions: 1 }, {}));
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
  });

  it("print a complete job", () => {
    const j = job(
      { completions: 1, parallelism: 1 },
      { succeeded: 1, startTime: ago(10 * M), completionTime: ago(10 * M - 35 * S), conditions: [cond("SuccessCriteriaMet"), cond("Complete")] },
    );
    expect(one("batch", "Job", j).rows[0].cells).toEqual(["pi", "Complete", "1/1", "35s", "10m", "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=abc"]);
  });

  it("print a running job's duration so far", () => {
    const r = rowByHeader(one("batch", "Job", job({ completions: 5, parallelism: 2 }, { active: 2, succeeded: 2, startTime: ago(3 * M + 20 * S) })));
    expect(r).toMatchObject({ STATUS: "Running", COMPLETIONS: "2/5", DURATION: "3m20s" });
  });

  it("print completions for work queues (no completions)", () => {
    expect(cell("batch", "Job", job({ parallelism: 3 }, { succeeded: 1 }), "COMPLETIONS")).toBe("1/1 of 3");
    expect(cell("batch", "Job", job({ parallelism: 1 }, {}), "COMPLETIONS")).toBe("0/1");
  });

  it("print no duration before the job started", () => {
    expect(cell("batch", "Job", job({ completions: 1 }, {}), "DURATION")).toBe("");
  });

  it("print each status in upstream's order of precedence", () => {
    const st = (status: Obj, metadata: Obj = {}) => cell("batch", "Job", job({ completions: 1 }, status, metadata), "STATUS");
    expect(st({ conditions: [cond("FailureTarget"), cond("Failed")] })).toBe("Failed");
    expect(st({ conditions: [cond("Suspended")] })).toBe("Suspended");
    expect(st({ conditions: [cond("Suspended", "False")] })).toBe("Running");
    expect(st({ conditions: [cond("FailureTarget")] })).toBe("FailureTarget");
    expect(st({ conditions: [cond("Suspended")] }, { deletionTimestamp: ago(1 * S) })).toBe("Terminating");
    expect(st({ conditions: [cond("Complete")] }, { deletionTimestamp: ago(1 * S) })).toBe("Complete");
    expect(st({})).toBe("Running");
  });
});

describe("cronjobs", () => {
  const cj = (spec: Obj, status: Obj): Obj => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "hello", namespace: "default", creationTimestamp: ago(2 * H) },
    spec: { schedule: "*/5 * * * *", suspend: false, jobTemplate: { spec: { template: podTemplate } }, ...spec },
    status,
  });

  it("have kubectl's headers", () => {
    const t = one("batch", "CronJob", cj({}, {}));
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual([
      "NAME",
      "SCHEDULE",
      "TIMEZONE",
      "SUSPEND",
      "ACTIVE",
      "LAST SCHEDULE",
      "AGE",
      "CONTAINERS",
      "IMAGES",
      "SELECTOR",
    ]);
    expect(t.columnDefinitions.find((c) => c.name === "Suspend")?.type).toBe("boolean");
  });

  it("print a cronjob that has run", () => {
    const c = cj({ timeZone: "Etc/UTC" }, { active: [{ kind: "Job", name: "hello-1" }], lastScheduleTime: ago(45 * S) });
    expect(one("batch", "CronJob", c).rows[0].cells).toEqual(["hello", "*/5 * * * *", "Etc/UTC", "False", 1, "45s", "120m", "pi", "perl:5.34", "<none>"]);
  });

  it("print <none> for no time zone or last schedule, True/<unset> for suspend", () => {
    expect(rowByHeader(one("batch", "CronJob", cj({ suspend: true }, {})))).toMatchObject({ TIMEZONE: "<none>", SUSPEND: "True", ACTIVE: 0, "LAST SCHEDULE": "<none>" });
    expect(cell("batch", "CronJob", cj({ suspend: undefined }, {}), "SUSPEND")).toBe("<unset>");
  });
});
