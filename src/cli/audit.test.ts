import { describe, expect, it } from "vitest";
import { TABLE_HEADERS, formatTable, latency, tableRow } from "./audit.js";

describe("edgeplane audit's table", () => {
  it("a row per event: time, user, verb, resource/subresource, namespace, name, code, latency", () => {
    const e = {
      verb: "update",
      user: { username: "alice" },
      objectRef: { resource: "deployments", subresource: "scale", namespace: "ns", name: "web" },
      responseStatus: { code: 200 },
      requestReceivedTimestamp: "2026-01-02T03:04:05.100000Z",
      stageTimestamp: "2026-01-02T03:04:05.112000Z",
    };
    expect(tableRow(e)).toEqual(["2026-01-02T03:04:05Z", "alice", "update", "deployments/scale", "ns", "web", "200", "12ms"]);
    // A 401 has no user; a non-resource request shows its path.
    expect(tableRow({ verb: "get", user: {}, requestURI: "/version?x=1", responseStatus: { code: 401 }, requestReceivedTimestamp: "2026-01-02T03:04:05.000000Z", stageTimestamp: "2026-01-02T03:04:06.500000Z" })).toEqual([
      "2026-01-02T03:04:05Z",
      "<none>",
      "get",
      "/version",
      "<none>",
      "<none>",
      "401",
      "1.5s",
    ]);
  });

  it("columns three spaces apart, as kubectl's", () => {
    expect(formatTable([TABLE_HEADERS, ["t", "u", "get", "pods", "ns", "p", "200", "1ms"]])).toBe("TIME   USER   VERB   RESOURCE   NAMESPACE   NAME   CODE   LATENCY\nt      u      get    pods       ns          p      200    1ms\n");
    expect([5, 1500, 125_000].map(latency)).toEqual(["5ms", "1.5s", "2m5s"]);
  });
});
