// Zone keys, zone states, the burst-1 limiter and the all-disrupted mode.
import { describe, expect, it } from "vitest";
import { computeZoneState, handleDisruption, newZone, swapLimiter, tryAccept, zoneKey, type ZoneMember } from "./zones.js";
import { T0, makeNode } from "./testing.js";
import { DEFAULT_NODE_LIFECYCLE_OPTIONS as OPTS } from "./types.js";

describe("zoneKey", () => {
  it("is region, NUL-guarded separator, zone; beta labels first; empty without either", () => {
    expect(zoneKey(makeNode("n", { region: "eu", zone: "eu-1" }))).toBe("eu:\x00:eu-1");
    expect(zoneKey(makeNode("n", { zone: "z" }))).toBe(":\x00:z");
    expect(zoneKey(makeNode("n", { zone: "new", labels: { "failure-domain.beta.kubernetes.io/zone": "old" } }))).toBe(":\x00:old");
    expect(zoneKey(makeNode("n"))).toBe("");
  });
});

describe("computeZoneState", () => {
  it("is full with no ready node, partial with more than 2 and at least 55% not ready, else normal", () => {
    expect(computeZoneState(["Unknown"], 0.55)).toBe("FullDisruption");
    expect(computeZoneState([undefined, "False"], 0.55)).toBe("FullDisruption");
    expect(computeZoneState(["Unknown", "Unknown", "True"], 0.55)).toBe("Normal");
    expect(computeZoneState(["Unknown", "Unknown", "False", "True", "True"], 0.55)).toBe("PartialDisruption");
    expect(computeZoneState(["Unknown", "Unknown", "False", "True", "True", "True"], 0.55)).toBe("Normal");
    expect(computeZoneState([], 0.55)).toBe("Normal");
  });
});

describe("the zone limiter", () => {
  it("holds one token, refilled every 1/qps seconds", () => {
    const z = newZone(OPTS, T0);
    expect(tryAccept(z, T0)).toBe(true);
    expect(tryAccept(z, T0 + 9_999)).toBe(false);
    expect(tryAccept(z, T0 + 10_000)).toBe(true);
    expect(tryAccept(z, T0 + 60_000)).toBe(true); // no more than one saved up
    expect(tryAccept(z, T0 + 60_001)).toBe(false);
  });

  it("swaps to a full bucket when the old had its token, a drained one when not, none at 0", () => {
    const full = newZone(OPTS, T0);
    swapLimiter(full, 0.01, T0);
    expect(tryAccept(full, T0)).toBe(true);
    expect(tryAccept(full, T0 + 99_999)).toBe(false);
    const stopped = newZone(OPTS, T0);
    swapLimiter(stopped, 0, T0);
    expect(tryAccept(stopped, T0 + 1e9)).toBe(false);
    swapLimiter(stopped, 0.1, T0 + 1e9);
    expect(tryAccept(stopped, T0 + 1e9)).toBe(false);
    expect(tryAccept(stopped, T0 + 1e9 + 10_000)).toBe(true);
  });
});

describe("handleDisruption", () => {
  const members = (zone: string, ...ready: (string | undefined)[]): ZoneMember[] => ready.map((r) => ({ zone, excluded: false, ready: r }));

  it("slows a large partially disrupted zone to the secondary rate and stops a small one", () => {
    const large = [...members("a", ...Array(30).fill("Unknown")), ...members("a", ...Array(21).fill("True"))];
    const small = members("b", "Unknown", "Unknown", "Unknown", "True");
    const r = handleDisruption({}, [...large, ...small], T0, OPTS);
    expect(r.zones.a).toMatchObject({ state: "PartialDisruption", qps: 0.01 });
    expect(r.zones.b).toMatchObject({ state: "PartialDisruption", qps: 0 });
    expect(r.allDisrupted).toBe(false);
  });

  it("enters the all-disrupted mode once, stops every zone, and leaves it with fresh drained limiters", () => {
    const down = [...members("a", "Unknown"), ...members("b", "False")];
    const entered = handleDisruption({}, down, T0, OPTS);
    expect(entered).toMatchObject({ allDisrupted: true, exited: false, zones: { a: { state: "FullDisruption", qps: 0 }, b: { state: "FullDisruption", qps: 0 } } });
    const stayed = handleDisruption(entered.zones, down, T0 + 5_000, OPTS);
    expect(stayed).toMatchObject({ allDisrupted: true, exited: false });
    const left = handleDisruption(stayed.zones, [...members("a", "True"), ...members("b", "False")], T0 + 10_000, OPTS);
    expect(left).toMatchObject({ allDisrupted: false, exited: true, zones: { a: { state: "Normal", qps: 0.1 }, b: { state: "FullDisruption", qps: 0.1, tokenAt: T0 + 20_000 } } });
  });

  it("does not count nodes excluded from disruption checks and forgets empty zones", () => {
    const r = handleDisruption({ gone: newZone(OPTS, T0) }, [{ zone: "a", excluded: true, ready: "Unknown" }, ...members("a", "True")], T0, OPTS);
    expect(Object.keys(r.zones)).toEqual(["a"]);
    expect(r.zones.a.state).toBe("Normal");
    expect(r.allDisrupted).toBe(false);
  });
});
