import { describe, expect, it } from "vitest";
import { tableFor } from "./index.js";
import { D, H, M, NOW, S, ago, kubectlHeaders, one, rowByHeader } from "./test-helpers.js";
import type { KubeObject } from "../../apis/types.js";

type Obj = Record<string, unknown>;

function pod(opts: {
  name?: string;
  containers?: string[];
  initContainers?: Array<string | { name: string; restartPolicy?: string }>;
  status?: Obj;
  spec?: Obj;
  metadata?: Obj;
}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: opts.name ?? "web-1", namespace: "default", creationTimestamp: ago(3 * H + 2 * M), ...opts.metadata },
    spec: {
      containers: (opts.containers ?? ["app"]).map((n) => ({ name: n, image: `${n}:1` })),
      ...(opts.initContainers
        ? { initContainers: opts.initContainers.map((c) => (typeof c === "string" ? { name: c, image: "init:1" } : { image: "init:1", ...c })) }
        : {}),
      ...opts.spec,
    },
    status: opts.status ?? {},
  };
}

const running = (name: string, restartCount = 0, extra: Obj = {}): Obj => ({
  name,
  ready: true,
  started: true,
  restartCount,
  state: { running: { startedAt: ago(1 * H) } },
  ...extra,
});
const waiting = (name: string, reason: string, restartCount = 0, extra: Obj = {}): Obj => ({
  name,
  ready: false,
  restartCount,
  state: { waiting: { reason } },
  ...extra,
});
const terminated = (name: string, t: Obj, restartCount = 0, extra: Obj = {}): Obj => ({
  name,
  ready: false,
  restartCount,
  state: { terminated: { finishedAt: ago(1 * M), ...t } },
  ...extra,
});
const readyCondition = { type: "Ready", status: "True" };
const initializedCondition = { type: "Initialized", status: "True" };

const row = (p: Obj) => rowByHeader(one("", "Pod", p));
const status = (p: Obj) => row(p).STATUS;

describe("pod columns", () => {
  it("are kubectl get pods' default and wide headers", () => {
    const t = one("", "Pod", pod({}));
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual([
      "NAME",
      "READY",
      "STATUS",
      "RESTARTS",
      "AGE",
      "IP",
      "NODE",
      "NOMINATED NODE",
      "READINESS GATES",
    ]);
  });
  it("have upstream's types, formats and priorities", () => {
    const t = one("", "Pod", pod({}));
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ["Name", "string", "name", 0],
      ["Ready", "string", "", 0],
      ["Status", "string", "", 0],
      ["Restarts", "string", "", 0],
      ["Age", "string", "", 0],
      ["IP", "string", "", 1],
      ["Node", "string", "", 1],
      ["Nominated Node", "string", "", 1],
      ["Readiness Gates", "string", "", 1],
    ]);
  });
});

describe("pod row", () => {
  it("prints a running pod", () => {
    const p = pod({
      spec: { nodeName: "node-a" },
      status: {
        phase: "Running",
        podIP: "10.244.0.5",
        podIPs: [{ ip: "10.244.0.5" }],
        conditions: [initializedCondition, readyCondition],
        containerStatuses: [running("app")],
      },
    });
    const t = one("", "Pod", p);
    expect(t.rows[0].cells).toEqual(["web-1", "1/1", "Running", "0", "3h2m", "10.244.0.5", "node-a", "<none>", "<none>"]);
    expect(t.rows[0].conditions).toBeUndefined();
  });

  it("counts ready containers out of all containers", () => {
    const p = pod({
      containers: ["app", "sidecar"],
      status: { phase: "Running", containerStatuses: [running("app"), { ...running("sidecar"), ready: false }] },
    });
    expect(row(p).READY).toBe("1/2");
    expect(status(p)).toBe("Running");
  });

  it("is Pending with no container statuses yet, wide cells <none>", () => {
    const r = row(pod({ status: { phase: "Pending" } }));
    expect(r).toMatchObject({ READY: "0/1", STATUS: "Pending", RESTARTS: "0", IP: "<none>", NODE: "<none>", "NOMINATED NODE": "<none>" });
  });

  it("shows the nominated node and the podIPs[0] fallback", () => {
    const r = row(pod({ status: { phase: "Pending", nominatedNodeName: "node-b", podIPs: [{ ip: "fd00::5" }, { ip: "10.0.0.5" }] } }));
    expect(r["NOMINATED NODE"]).toBe("node-b");
    expect(r.IP).toBe("fd00::5");
  });

  it.each(["ContainerCreating", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "CreateContainerConfigError"])(
    "shows the waiting reason %s",
    (reason) => {
      expect(status(pod({ status: { phase: reason === "ContainerCreating" ? "Pending" : "Running", containerStatuses: [waiting("app", reason)] } }))).toBe(
        reason,
      );
    },
  );

  it.each([
    ["Completed", 0, "Succeeded"],
    ["Error", 1, "Failed"],
    ["OOMKilled", 137, "Failed"],
  ])("shows the terminated reason %s", (reason, exitCode, phase) => {
    expect(status(pod({ status: { phase, containerStatuses: [terminated("app", { reason, exitCode })] } }))).toBe(reason);
  });

  it("shows Signal:N or ExitCode:N for a terminated container without a reason", () => {
    expect(status(pod({ status: { phase: "Failed", containerStatuses: [terminated("app", { exitCode: 137, signal: 9 })] } }))).toBe("Signal:9");
    expect(status(pod({ status: { phase: "Failed", containerStatuses: [terminated("app", { exitCode: 2 })] } }))).toBe("ExitCode:2");
  });

  it("lets the first container's state win (statuses are walked from last to first)", () => {
    const p = pod({
      containers: ["a", "b"],
      status: { phase: "Running", containerStatuses: [waiting("a", "CrashLoopBackOff"), waiting("b", "ErrImagePull")] },
    });
    expect(status(p)).toBe("CrashLoopBackOff");
  });

  it("marks completed pods with a Completed row condition", () => {
    const ok = one("", "Pod", pod({ status: { phase: "Succeeded", containerStatuses: [terminated("app", { reason: "Completed", exitCode: 0 })] } }));
    expect(ok.rows[0].conditions).toEqual([{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }]);
    const failed = one("", "Pod", pod({ status: { phase: "Failed", containerStatuses: [terminated("app", { reason: "Error", exitCode: 1 })] } }));
    expect(failed.rows[0].conditions).toEqual([{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }]);
  });

  it("uses status.reason (Evicted) over the phase", () => {
    expect(status(pod({ status: { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." } }))).toBe("Evicted");
  });

  it("shows SchedulingGated", () => {
    const p = pod({ status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] } });
    expect(status(p)).toBe("SchedulingGated");
  });

  it("is Terminating while being deleted, Unknown for NodeLost, unchanged once terminal", () => {
    const deleting = { deletionTimestamp: ago(10 * S) };
    expect(status(pod({ metadata: deleting, status: { phase: "Running", containerStatuses: [running("app")] } }))).toBe("Terminating");
    expect(status(pod({ metadata: deleting, status: { phase: "Running", reason: "NodeLost", containerStatuses: [running("app")] } }))).toBe("Unknown");
    expect(
      status(pod({ metadata: deleting, status: { phase: "Succeeded", containerStatuses: [terminated("app", { reason: "Completed", exitCode: 0 })] } })),
    ).toBe("Completed");
    expect(status(pod({ metadata: deleting, status: { phase: "Failed", containerStatuses: [terminated("app", { reason: "Error", exitCode: 1 })] } }))).toBe(
      "Error",
    );
  });

  it("goes back to Running or NotReady when one container completed but another still runs", () => {
    const statuses = [running("app"), terminated("job", { reason: "Completed", exitCode: 0 })];
    const p = (conditions: Obj[]) => pod({ containers: ["app", "job"], status: { phase: "Running", conditions, containerStatuses: statuses } });
    expect(status(p([readyCondition]))).toBe("Running");
    expect(status(p([{ type: "Ready", status: "False" }]))).toBe("NotReady");
    expect(row(p([])).READY).toBe("1/2");
  });

  describe("restarts", () => {
    it("sums container restarts and says when the last one was", () => {
      const p = pod({
        containers: ["app", "log"],
        status: {
          phase: "Running",
          containerStatuses: [
            running("app", 3, { lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(20 * M) } } }),
            running("log", 2, { lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(5 * M) } } }),
          ],
        },
      });
      expect(row(p).RESTARTS).toBe("5 (5m ago)");
    });

    it("is a bare count when no last termination time is known", () => {
      expect(row(pod({ status: { phase: "Running", containerStatuses: [running("app", 4)] } })).RESTARTS).toBe("4");
    });

    it("shows CrashLoopBackOff with its restarts", () => {
      const p = pod({
        status: {
          phase: "Running",
          containerStatuses: [waiting("app", "CrashLoopBackOff", 7, { lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M + 10 * S) } } })],
        },
      });
      expect(row(p)).toMatchObject({ READY: "0/1", STATUS: "CrashLoopBackOff", RESTARTS: "7 (2m10s ago)" });
    });
  });

  describe("init containers", () => {
    const two = ["init-db", "init-cache"];
    it("shows Init:0/2 while the first runs and Init:1/2 once it succeeded", () => {
      const statuses0 = [running("init-db", 0, { ready: false }), waiting("init-cache", "PodInitializing")];
      expect(status(pod({ initContainers: two, status: { phase: "Pending", initContainerStatuses: statuses0, containerStatuses: [waiting("app", "PodInitializing")] } }))).toBe(
        "Init:0/2",
      );
      const statuses1 = [terminated("init-db", { reason: "Completed", exitCode: 0 }), running("init-cache", 0, { ready: false })];
      expect(status(pod({ initContainers: two, status: { phase: "Pending", initContainerStatuses: statuses1 } }))).toBe("Init:1/2");
    });

    it("shows Init:0/1 for an init container waiting on PodInitializing", () => {
      expect(status(pod({ initContainers: ["init"], status: { phase: "Pending", initContainerStatuses: [waiting("init", "PodInitializing")] } }))).toBe(
        "Init:0/1",
      );
    });

    it("shows Init:<waiting reason> with the init restarts", () => {
      const p = pod({
        initContainers: ["init"],
        status: {
          phase: "Pending",
          initContainerStatuses: [waiting("init", "CrashLoopBackOff", 3, { lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * S) } } })],
          containerStatuses: [waiting("app", "PodInitializing")],
        },
      });
      expect(row(p)).toMatchObject({ READY: "0/1", STATUS: "Init:CrashLoopBackOff", RESTARTS: "3 (30s ago)" });
    });

    it("shows Init:<terminated reason>, Init:Signal:N, Init:ExitCode:N for a failed init container", () => {
      const failed = (t: Obj) => status(pod({ initContainers: ["init"], status: { phase: "Pending", initContainerStatuses: [terminated("init", t)] } }));
      expect(failed({ reason: "Error", exitCode: 1 })).toBe("Init:Error");
      expect(failed({ reason: "OOMKilled", exitCode: 137 })).toBe("Init:OOMKilled");
      expect(failed({ exitCode: 137, signal: 9 })).toBe("Init:Signal:9");
      expect(failed({ exitCode: 3 })).toBe("Init:ExitCode:3");
    });

    it("ignores init containers once all succeeded", () => {
      const p = pod({
        initContainers: two,
        status: {
          phase: "Running",
          conditions: [initializedCondition, readyCondition],
          initContainerStatuses: two.map((n) => terminated(n, { reason: "Completed", exitCode: 0 }, 1)),
          containerStatuses: [running("app")],
        },
      });
      // Restarts of regular init containers no longer count once initialized.
      expect(row(p)).toMatchObject({ READY: "1/1", STATUS: "Running", RESTARTS: "0" });
    });

    it("counts restartable (sidecar) init containers in READY and RESTARTS", () => {
      const p = pod({
        initContainers: ["init", { name: "proxy", restartPolicy: "Always" }],
        status: {
          phase: "Running",
          conditions: [initializedCondition, readyCondition],
          initContainerStatuses: [
            terminated("init", { reason: "Completed", exitCode: 0 }),
            running("proxy", 2, { lastState: { terminated: { exitCode: 1, finishedAt: ago(1 * D) } } }),
          ],
          containerStatuses: [running("app", 1, { lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * D) } } })],
        },
      });
      expect(row(p)).toMatchObject({ READY: "2/2", STATUS: "Running", RESTARTS: "3 (24h ago)" });
    });

    it("waits on a sidecar that has not started", () => {
      const p = pod({
        initContainers: [{ name: "proxy", restartPolicy: "Always" }],
        status: { phase: "Pending", initContainerStatuses: [{ ...running("proxy"), started: false, ready: false }] },
      });
      expect(row(p)).toMatchObject({ READY: "0/2", STATUS: "Init:0/1" });
    });
  });

  it("prints readiness gates as true/total", () => {
    const p = pod({
      spec: { readinessGates: [{ conditionType: "example.com/lb" }, { conditionType: "example.com/dns" }] },
      status: {
        phase: "Running",
        conditions: [readyCondition, { type: "example.com/lb", status: "True" }, { type: "example.com/dns", status: "False" }],
        containerStatuses: [running("app")],
      },
    });
    expect(row(p)["READINESS GATES"]).toBe("1/2");
  });

  it("prints a list of pods row by row with their AGE", () => {
    const pods = [
      pod({ name: "a", metadata: { creationTimestamp: ago(5 * S) }, status: { phase: "Pending" } }),
      pod({ name: "b", metadata: { creationTimestamp: ago(4 * 365 * D + 12 * D) }, status: { phase: "Pending" } }),
    ] as KubeObject[];
    const t = tableFor("", "Pod", pods, { now: NOW, includeObject: "None" });
    expect(t.rows.map((r) => [r.cells[0], r.cells[4]])).toEqual([
      ["a", "5s"],
      ["b", "4y12d"],
    ]);
  });
});
