// The failure message, the adaptive number of nodes to find, and host selection among equal scores.
import { describe, expect, it } from "vitest";
import { fitErrorMessage } from "./fit-error.js";
import { numFeasibleNodesToFind, selectHost } from "./schedule.js";
import { NodeInfo } from "./node-info.js";

describe("fitErrorMessage", () => {
  it("prints one '<count> <reason>' per reason, sorted as strings", () => {
    expect(fitErrorMessage(3, { "Insufficient cpu": 2, "node(s) had untolerated taint {dedicated: gpu}": 1 })).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.",
    );
  });

  it("sorts by the whole string, count first, in byte order", () => {
    expect(fitErrorMessage(13, { "Too many pods": 2, "Insufficient memory": 10, "Insufficient cpu": 2, "node(s) were unschedulable": 1 })).toBe(
      "0/13 nodes are available: 1 node(s) were unschedulable, 10 Insufficient memory, 2 Insufficient cpu, 2 Too many pods.",
    );
  });

  it("prints the PreFilter message alone when PreFilter rejected the pod", () => {
    expect(fitErrorMessage(4, { "pod affinity terms conflict": 4 }, "pod affinity terms conflict")).toBe("0/4 nodes are available: pod affinity terms conflict.");
  });

  it("prints no histogram without reasons", () => {
    expect(fitErrorMessage(2, {})).toBe("0/2 nodes are available:");
  });
});

describe("numFeasibleNodesToFind", () => {
  it.each([
    [0, 0],
    [3, 3],
    [99, 99],
    [100, 100], // 50 - 0 = 50% of 100 = 50, raised to the minimum 100
    [150, 100],
    [250, 120], // 48%
    [500, 230], // 46%
    [1000, 420], // 42%
    [5000, 500], // 10%
    [6000, 300], // 50 - 48 = 2% -> 5%
  ])("%d nodes -> %d", (n, want) => {
    expect(numFeasibleNodesToFind(n)).toBe(want);
  });
});

describe("selectHost", () => {
  const nodes = ["a", "b", "c", "d"].map((n) => new NodeInfo(n));
  it("takes the highest total", () => {
    expect(selectHost(nodes, [1, 5, 3, 4], () => 0)).toBe("b");
  });
  it("breaks ties at random, each tied node equally likely", () => {
    const counts: Record<string, number> = {};
    let x = 0;
    const random = () => ((x = (x * 9301 + 49297) % 233280), x / 233280);
    for (let i = 0; i < 3000; i++) {
      const n = selectHost(nodes, [7, 2, 7, 7], random);
      counts[n] = (counts[n] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(["a", "c", "d"]);
    for (const k of ["a", "c", "d"]) expect(counts[k]).toBeGreaterThan(800);
  });
});
