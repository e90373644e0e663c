import { describe, expect, it } from "vitest";
import { H, M, S, ago, kubectlHeaders, one, rowByHeader } from "./test-helpers.js";

type Obj = Record<string, unknown>;

const coreEvent = (fields: Obj): Obj => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "web-1.17f0a1b2c3d4e5f6", namespace: "default", creationTimestamp: ago(10 * M) },
  involvedObject: { kind: "Pod", namespace: "default", name: "web-1", fieldPath: "spec.containers{app}" },
  reason: "Pulled",
  message: 'Successfully pulled image "nginx:1.27" in 1.2s\n',
  type: "Normal",
  source: { component: "kubelet", host: "node-a" },
  firstTimestamp: ago(10 * M),
  lastTimestamp: ago(2 * M),
  count: 3,
  ...fields,
});

describe("core events", () => {
  it("have kubectl get events' headers", () => {
    const t = one("", "Event", coreEvent({}));
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual([
      "LAST SEEN",
      "TYPE",
      "REASON",
      "OBJECT",
      "SUBOBJECT",
      "SOURCE",
      "MESSAGE",
      "FIRST SEEN",
      "COUNT",
      "NAME",
    ]);
    expect(t.columnDefinitions.find((c) => c.name === "Name")).toMatchObject({ format: "name", priority: 1 });
  });

  it("print a kubelet event", () => {
    expect(one("", "Event", coreEvent({})).rows[0].cells).toEqual([
      "2m",
      "Normal",
      "Pulled",
      "pod/web-1",
      "spec.containers{app}",
      "kubelet, node-a",
      'Successfully pulled image "nginx:1.27" in 1.2s',
      "10m",
      3,
      "web-1.17f0a1b2c3d4e5f6",
    ]);
  });

  it("fall back to eventTime, count 1 and the reporting controller for new-style events", () => {
    const e = coreEvent({
      firstTimestamp: undefined,
      lastTimestamp: undefined,
      count: undefined,
      source: {},
      eventTime: "2025-06-01T11:59:30.123456Z",
      reportingComponent: "default-scheduler",
      reportingInstance: "",
      involvedObject: { kind: "Pod", name: "web-1" },
      reason: "Scheduled",
      message: "Successfully assigned default/web-1 to node-a",
    });
    expect(rowByHeader(one("", "Event", e))).toMatchObject({
      "LAST SEEN": "29s",
      "FIRST SEEN": "29s",
      COUNT: 1,
      SOURCE: "default-scheduler",
      SUBOBJECT: "",
    });
  });

  it("use the series for last seen and count", () => {
    const e = coreEvent({ series: { count: 12, lastObservedTime: ago(15 * S) } });
    expect(rowByHeader(one("", "Event", e))).toMatchObject({ "LAST SEEN": "15s", COUNT: 12 });
  });

  it("print <unknown> without any time, and the bare kind for an unnamed object", () => {
    const e = coreEvent({ firstTimestamp: undefined, lastTimestamp: undefined, involvedObject: { kind: "Node" } });
    expect(rowByHeader(one("", "Event", e))).toMatchObject({ "LAST SEEN": "<unknown>", "FIRST SEEN": "<unknown>", OBJECT: "node" });
  });
});

describe("events.k8s.io events", () => {
  it("print as core events do", () => {
    const e: Obj = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "web.1", namespace: "default", creationTimestamp: ago(1 * H) },
      eventTime: ago(1 * H),
      series: { count: 4, lastObservedTime: ago(5 * M) },
      reportingController: "deployment-controller",
      reportingInstance: "cp-1",
      action: "Scale",
      reason: "ScalingReplicaSet",
      regarding: { kind: "Deployment", namespace: "default", name: "web" },
      note: "Scaled up replica set web-5d4f to 3 from 1",
      type: "Normal",
    };
    const t = one("events.k8s.io", "Event", e);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    expect(t.rows[0].cells).toEqual([
      "5m",
      "Normal",
      "ScalingReplicaSet",
      "deployment/web",
      "",
      "deployment-controller, cp-1",
      "Scaled up replica set web-5d4f to 3 from 1",
      "60m",
      4,
      "web.1",
    ]);
  });

  it("read the deprecated core fields", () => {
    const e: Obj = {
      metadata: { name: "x", creationTimestamp: ago(1 * H) },
      regarding: { kind: "Pod", name: "p" },
      deprecatedSource: { component: "kubelet", host: "node-b" },
      deprecatedFirstTimestamp: ago(3 * H),
      deprecatedLastTimestamp: ago(4 * M),
      deprecatedCount: 9,
      reportingController: "kubelet",
      reportingInstance: "node-b",
      note: "Back-off restarting failed container",
      type: "Warning",
      reason: "BackOff",
    };
    expect(rowByHeader(one("events.k8s.io", "Event", e))).toMatchObject({
      "LAST SEEN": "4m",
      "FIRST SEEN": "3h",
      COUNT: 9,
      SOURCE: "kubelet, node-b",
      TYPE: "Warning",
    });
  });
});
