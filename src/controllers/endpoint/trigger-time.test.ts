import { describe, expect, it } from "vitest";
import { T0, pod, service } from "../endpointslice/testing.js";
import { TriggerTimeTracker } from "./trigger-time.js";

describe("TriggerTimeTracker", () => {
  it("answers the Service's creation first, then the earliest Ready transition not seen before, else nothing", () => {
    const t = new TriggerTimeTracker();
    const svc = service("web");
    expect(t.compute("default", svc, [pod("a", { readySince: T0 + 1000 })])).toBe(T0);
    expect(t.compute("default", svc, [pod("a", { readySince: T0 + 1000 })])).toBeUndefined();
    expect(t.compute("default", svc, [pod("a", { readySince: T0 + 9000 }), pod("b", { readySince: T0 + 4000 })])).toBe(T0 + 4000);
    t.deleteService("default", "web");
    expect(t.compute("default", svc, [])).toBe(T0);
  });
});
