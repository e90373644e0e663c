// DefaultTolerationSeconds: added, not duplicated, the pod's own tolerations respected.
import { describe, expect, it } from "vitest";
import type { Pod } from "../apis/core/v1/pod.js";
import type { Toleration } from "../apis/core/v1/taints.js";
import { DEFAULT_TOLERATION_SECONDS, addDefaultTolerations } from "./default-tolerations.js";

const pod = (tolerations?: Toleration[]) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [], ...(tolerations ? { tolerations } : {}) } }) as unknown as Pod;
const notReady = { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
const unreachable = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };

describe("addDefaultTolerations", () => {
  it("adds 300 s not-ready and unreachable NoExecute tolerations to a pod without any", () => {
    expect(DEFAULT_TOLERATION_SECONDS).toBe(300);
    const p = pod();
    expect(addDefaultTolerations(p)).toBe(p);
    expect(p.spec.tolerations).toEqual([notReady, unreachable]);
  });

  it("keeps the pod's own tolerations first and does not duplicate on a second run", () => {
    const p = pod([{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }]);
    addDefaultTolerations(addDefaultTolerations(p));
    expect(p.spec.tolerations).toEqual([{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, notReady, unreachable]);
  });

  it("respects the pod's own toleration of either key, with its seconds", () => {
    const p = pod([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 6000 }]);
    addDefaultTolerations(p);
    expect(p.spec.tolerations).toEqual([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 6000 }, notReady]);
  });

  it("counts an empty key with Exists, and an empty effect, as tolerating", () => {
    const all = pod([{ operator: "Exists" }]);
    addDefaultTolerations(all);
    expect(all.spec.tolerations).toEqual([{ operator: "Exists" }]);
    const anyEffect = pod([{ key: "node.kubernetes.io/not-ready", operator: "Exists" }]);
    addDefaultTolerations(anyEffect);
    expect(anyEffect.spec.tolerations).toEqual([{ key: "node.kubernetes.io/not-ready", operator: "Exists" }, unreachable]);
  });

  it("does not count a toleration of another effect", () => {
    const p = pod([{ operator: "Exists", effect: "NoSchedule" }]);
    addDefaultTolerations(p);
    expect(p.spec.tolerations).toEqual([{ operator: "Exists", effect: "NoSchedule" }, notReady, unreachable]);
  });
});
