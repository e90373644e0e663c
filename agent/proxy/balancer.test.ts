// Round robin and ClientIP affinity, without sockets.
import { describe, expect, it } from "vitest";
import { RoundRobin } from "./balancer.js";
import type { ServiceEndpoint } from "./plan.js";

const ep = (n: number): ServiceEndpoint => ({ ip: `10.244.0.${n}`, port: 80, local: true });
const names = (list: ServiceEndpoint[]) => list.map((e) => Number(e.ip.split(".")[3]));

/** Picks like a proxy whose every first candidate answers. */
function pick(rr: RoundRobin, client = "10.0.0.1"): number {
  const first = rr.candidates(client)[0];
  rr.chose(client, first);
  return names([first])[0];
}

describe("RoundRobin", () => {
  it("offers every endpoint once, starting after the last one used", () => {
    const rr = new RoundRobin();
    rr.setEndpoints([ep(1), ep(2), ep(3)]);
    expect(names(rr.candidates("c"))).toEqual([1, 2, 3]);
    // The first candidate was refused and the second used: the next connection starts after it.
    rr.chose("c", rr.candidates("c")[1]);
    expect(names(rr.candidates("c"))).toEqual([3, 1, 2]);
  });

  it("continues the rotation across endpoint changes when the next endpoint remains", () => {
    const rr = new RoundRobin();
    rr.setEndpoints([ep(1), ep(2), ep(3)]);
    expect([pick(rr), pick(rr)]).toEqual([1, 2]);
    rr.setEndpoints([ep(1), ep(3), ep(4)]);
    expect([pick(rr), pick(rr), pick(rr)]).toEqual([3, 4, 1]);
    rr.setEndpoints([ep(5)]);
    expect(pick(rr)).toBe(5);
    rr.setEndpoints([]);
    expect(rr.candidates("c")).toEqual([]);
  });

  it("puts a client's affine endpoint first, without moving the rotation, until it expires", () => {
    let now = 0;
    const rr = new RoundRobin(() => now);
    rr.setEndpoints([ep(1), ep(2), ep(3)]);
    rr.setAffinity({ timeoutSeconds: 5 });
    expect(pick(rr, "a")).toBe(1);
    expect(pick(rr, "b")).toBe(2);
    now = 4000;
    expect(pick(rr, "a")).toBe(1);
    expect(names(rr.candidates("a"))).toEqual([1, 3, 2]);
    now = 9001;
    expect(pick(rr, "a")).toBe(3);
  });

  it("forgets affinity when its endpoint leaves or the timeout changes", () => {
    const rr = new RoundRobin(() => 0);
    rr.setEndpoints([ep(1), ep(2)]);
    rr.setAffinity({ timeoutSeconds: 100 });
    expect(pick(rr, "a")).toBe(1);
    rr.setEndpoints([ep(2), ep(3)]);
    expect(pick(rr, "a")).toBe(2);
    rr.setAffinity({ timeoutSeconds: 50 });
    expect(pick(rr, "a")).toBe(3);
    rr.setAffinity(undefined);
    expect([pick(rr, "a"), pick(rr, "a")]).toEqual([2, 3]);
  });
});
