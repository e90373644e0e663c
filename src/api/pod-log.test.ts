// Which container instance a log request reads, from the pod's status as the kubelet's
// validateContainerLogStatus reads it.
import { describe, expect, it } from "vitest";
import type { Pod } from "../apis/core/v1/pod.js";
import { StatusError } from "../lib/status.js";
import { logContainerId } from "./pod-log.js";

const pod = (status: Record<string, unknown>): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "x" }] }, status: { containerStatuses: [{ name: "c", ...status }] } }) as unknown as Pod;

describe("logContainerId", () => {
  it("reads the running or terminated instance, and lastState's for previous", () => {
    const running = pod({ containerID: "docker://new", state: { running: {} }, lastState: { terminated: { containerID: "docker://old", exitCode: 1 } } });
    expect(logContainerId(running, "c", false)).toBe("new");
    expect(logContainerId(running, "c", true)).toBe("old");
    expect(logContainerId(pod({ containerID: "process://done", state: { terminated: { exitCode: 0 } } }), "c", false)).toBe("done");
  });

  it("reads the last terminated instance of a container waiting to restart (CrashLoopBackOff), for both", () => {
    const looping = pod({ containerID: "docker://last", state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { containerID: "docker://last", exitCode: 3 } } });
    expect(logContainerId(looping, "c", false)).toBe("last");
    expect(logContainerId(looping, "c", true)).toBe("last");
  });

  it("refuses previous when there is none, and leaves the choice to the node when the status says nothing", () => {
    let err: unknown;
    try {
      logContainerId(pod({ containerID: "docker://a", state: { running: {} }, lastState: {} }), "c", true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).status).toMatchObject({ code: 400, reason: "BadRequest", message: 'previous terminated container "c" in pod "web" not found' });
    expect(logContainerId(pod({ state: { waiting: { reason: "ContainerCreating" } } }), "c", false)).toBeUndefined();
    expect(logContainerId({ ...pod({}), status: {} } as Pod, "c", false)).toBeUndefined();
  });
});
