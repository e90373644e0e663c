import { describe, expect, it } from "vitest";
import { type LimitRange, defaultLimitRangeItem, validateLimitRange } from "../apis/core/v1/limitrange.js";
import type { PodSpec } from "../apis/core/v1/podspec.js";
import type { KubeObject } from "../apis/types.js";
import { LIMIT_RANGER_ANNOTATION, applyLimitRangeDefaults, validatePodLimits } from "./limitranger.js";

type Item = NonNullable<LimitRange["spec"]>["limits"][number];
const range = (...limits: Array<Partial<Item> & { type: string }>): LimitRange => {
  const lr = { metadata: { name: "limits" }, spec: { limits: limits as Item[] } };
  for (const item of lr.spec.limits) defaultLimitRangeItem(item);
  return lr;
};
type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
const pod = (containers: Array<[string, Res | undefined]>, init: Array<[string, Res | undefined]> = []): KubeObject & { spec: PodSpec } => ({
  metadata: { name: "p" },
  spec: {
    containers: containers.map(([name, resources]) => ({ name, image: "nginx", resources })),
    initContainers: init.length ? init.map(([name, resources]) => ({ name, image: "busybox", resources })) : undefined,
  } as unknown as PodSpec,
});

describe("LimitRange defaults (SetDefaults_LimitRangeItem)", () => {
  it("defaults a Container's limit from max, its request from the default limit, then from min", () => {
    const lr = range({ type: "Container", max: { cpu: "1", memory: "1Gi" }, min: { cpu: "100m", "ephemeral-storage": "1Gi" }, defaultRequest: { memory: "256Mi" } });
    expect(lr.spec!.limits[0]).toMatchObject({
      default: { cpu: "1", memory: "1Gi" },
      defaultRequest: { memory: "256Mi", cpu: "1", "ephemeral-storage": "1Gi" },
    });
  });

  it("stores quantities in canonical form and leaves Pod items alone", () => {
    const lr = range({ type: "Pod", max: { cpu: "1.5", memory: "2048Mi" } });
    expect(lr.spec!.limits[0]).toEqual({ type: "Pod", max: { cpu: "1500m", memory: "2Gi" } });
  });
});

describe("LimitRange validation", () => {
  const messages = (lr: LimitRange) => validateLimitRange(lr).map((e) => `${e.field}: ${e.detail}`);

  it("orders min <= defaultRequest <= default <= max", () => {
    expect(messages(range({ type: "Container", min: { cpu: "1" }, max: { cpu: "500m" } }))).toContain("spec.limits[0].min[cpu]: min value 1 is greater than max value 500m");
    expect(messages({ metadata: {}, spec: { limits: [{ type: "Container", default: { cpu: "200m" }, defaultRequest: { cpu: "300m" } }] } })).toEqual([
      "spec.limits[0].defaultRequest[cpu]: default request value 300m is greater than default limit value 200m",
    ]);
  });

  it("forbids defaults on Pod limits, unknown types, duplicate types and ratios below 1", () => {
    expect(messages({ metadata: {}, spec: { limits: [{ type: "Pod", default: { cpu: "1" } }] } })).toEqual(["spec.limits[0].default: may not be specified when `type` is 'Pod'"]);
    expect(messages({ metadata: {}, spec: { limits: [{ type: "Widget" }] } })).toEqual(["spec.limits[0].type: must be a standard limit type or fully qualified"]);
    expect(validateLimitRange({ metadata: {}, spec: { limits: [{ type: "Pod" }, { type: "Pod" }] } })[0]).toMatchObject({ type: "FieldValueDuplicate", field: "spec.limits[1].type" });
    expect(messages({ metadata: {}, spec: { limits: [{ type: "Container", maxLimitRequestRatio: { cpu: "500m" } }] } })).toEqual(["spec.limits[0].maxLimitRequestRatio[cpu]: ratio 500m is less than 1"]);
  });
});

describe("LimitRanger defaulting of pods", () => {
  const lr = range({ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } });

  it("fills missing requests and limits and says so in the annotation", () => {
    const p = pod([["nginx", undefined]], [["init", { limits: { cpu: "200m" } }]]);
    expect(applyLimitRangeDefaults([lr], p)).toBe(true);
    expect(p.spec.containers![0].resources).toEqual({ limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } });
    expect(p.spec.initContainers![0].resources).toEqual({ limits: { cpu: "200m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } });
    expect(p.metadata.annotations![LIMIT_RANGER_ANNOTATION]).toBe(
      "LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx; cpu, memory request for init container init; memory limit for init container init",
    );
  });

  it("leaves a pod that sets everything unchanged", () => {
    const p = pod([["nginx", { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }]]);
    expect(applyLimitRangeDefaults([lr], p)).toBe(false);
    expect(p.metadata.annotations).toBeUndefined();
  });
});

describe("LimitRanger validation of pods", () => {
  it("checks max per Container with upstream's message", () => {
    const lr = range({ type: "Container", max: { cpu: "500m" } });
    expect(validatePodLimits([lr], pod([["c", { limits: { cpu: "1" } }]]))).toBe("maximum cpu usage per Container is 500m, but limit is 1");
    expect(validatePodLimits([lr], pod([["c", { requests: { cpu: "100m" } }]]))).toBe("maximum cpu usage per Container is 500m.  No limit is specified");
    expect(validatePodLimits([lr], pod([["c", { limits: { cpu: "500m" } }]]))).toBeUndefined();
  });

  it("checks min and aggregates several violations once each", () => {
    const lr = range({ type: "Container", min: { memory: "64Mi", cpu: "100m" } });
    expect(validatePodLimits([lr], pod([["c", { requests: { memory: "32Mi", cpu: "50m" } }]]))).toBe(
      "[minimum memory usage per Container is 64Mi, but request is 32Mi, minimum cpu usage per Container is 100m, but request is 50m]",
    );
    expect(validatePodLimits([lr], pod([["c", { requests: { cpu: "100m" } }]]))).toBe("minimum memory usage per Container is 64Mi.  No request is specified");
  });

  it("checks maxLimitRequestRatio", () => {
    const lr = range({ type: "Container", maxLimitRequestRatio: { cpu: "2" } });
    expect(validatePodLimits([lr], pod([["c", { requests: { cpu: "100m" }, limits: { cpu: "300m" } }]]))).toBe(
      "cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000",
    );
    expect(validatePodLimits([lr], pod([["c", { limits: { cpu: "300m" } }]]))).toBe("cpu max limit to request ratio per Container is 2, but no request is specified or request is 0");
  });

  it("checks Pod limits over the sum of the containers", () => {
    const lr = range({ type: "Pod", max: { memory: "1Gi" } });
    const p = pod([
      ["a", { limits: { memory: "768Mi" } }],
      ["b", { limits: { memory: "512Mi" } }],
    ]);
    expect(validatePodLimits([lr], p)).toBe("maximum memory usage per Pod is 1Gi, but limit is 1280Mi");
  });
});
