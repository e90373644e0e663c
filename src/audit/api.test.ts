import { describe, expect, it } from "vitest";
import { auditQuery, parseDuration } from "./api.js";

describe("the audit API's query", () => {
  it("durations as Go writes them", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("10")).toBeUndefined();
    expect(parseDuration("yesterday")).toBeUndefined();
  });

  it("since (a duration or a time), user, limit (capped), resourceVersion", () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(auditQuery(new URLSearchParams("since=1h&user=bob&limit=10&resourceVersion=42"), now)).toEqual({ sinceMs: now - 3_600_000, user: "bob", limit: 10, afterSeq: 42 });
    expect(auditQuery(new URLSearchParams("since=2026-01-01T00:00:00Z"), now).sinceMs).toBe(Date.UTC(2026, 0, 1));
    expect(auditQuery(new URLSearchParams("limit=999999"), now).limit).toBe(5000);
    expect(auditQuery(new URLSearchParams(""), now)).toEqual({ limit: 500 });
    for (const bad of ["since=soon", "limit=0", "limit=-1", "resourceVersion=x"]) expect(() => auditQuery(new URLSearchParams(bad), now), bad).toThrow();
  });
});
