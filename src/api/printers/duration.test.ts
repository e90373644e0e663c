import { describe, expect, it } from "vitest";
import { formatRFC3339, humanDuration, parseTime, since } from "./duration.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe("humanDuration (apimachinery util/duration.HumanDuration)", () => {
  const cases: Array<[number, string]> = [
    [-2 * S, "<invalid>"],
    [-1999, "0s"], // int(-1.999s) = -1: tolerated skew
    [-1 * S, "0s"],
    [-500, "0s"],
    [0, "0s"],
    [999, "0s"],
    [1 * S, "1s"],
    [59 * S, "59s"],
    [60 * S, "60s"],
    [119 * S, "119s"],
    [119 * S + 999, "119s"],
    [2 * M, "2m"],
    [2 * M + 1 * S, "2m1s"],
    [5 * M, "5m"],
    [9 * M + 59 * S, "9m59s"],
    [10 * M, "10m"],
    [10 * M + 59 * S, "10m"],
    [179 * M + 59 * S, "179m"],
    [3 * H, "3h"],
    [3 * H + 2 * M, "3h2m"],
    [7 * H + 59 * M + 59 * S, "7h59m"],
    [8 * H, "8h"],
    [8 * H + 30 * M, "8h"],
    [47 * H + 59 * M, "47h"],
    [48 * H, "2d"],
    [2 * D + 3 * H, "2d3h"],
    [7 * D + 23 * H + 59 * M, "7d23h"],
    [8 * D, "8d"],
    [8 * D + 23 * H, "8d"],
    [729 * D + 23 * H, "729d"],
    [2 * Y, "2y"],
    [2 * Y + 1 * D, "2y1d"],
    [4 * Y + 12 * D, "4y12d"],
    [7 * Y + 364 * D + 23 * H, "7y364d"],
    [8 * Y, "8y"],
    [8 * Y + 100 * D, "8y"],
    [30 * Y + 200 * D, "30y"],
  ];
  it.each(cases)("%d ms → %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe("parseTime", () => {
  it("reads RFC 3339 with Z, offsets and micro/nanosecond fractions", () => {
    expect(parseTime("2025-06-01T12:00:00Z")).toBe(Date.UTC(2025, 5, 1, 12));
    expect(parseTime("2025-06-01T14:00:00+02:00")).toBe(Date.UTC(2025, 5, 1, 12));
    expect(parseTime("2025-06-01T12:00:00.123456Z")).toBeCloseTo(Date.UTC(2025, 5, 1, 12) + 123.456, 6);
    expect(parseTime("2025-06-01T12:00:00.5-01:30")).toBe(Date.UTC(2025, 5, 1, 13, 30) + 500);
  });
  it("treats missing, empty, garbage and Go's zero time as zero (undefined)", () => {
    expect(parseTime(undefined)).toBeUndefined();
    expect(parseTime(null)).toBeUndefined();
    expect(parseTime("")).toBeUndefined();
    expect(parseTime("yesterday")).toBeUndefined();
    expect(parseTime("0001-01-01T00:00:00Z")).toBeUndefined();
  });
});

describe("since (translateTimestampSince)", () => {
  const now = Date.UTC(2025, 5, 1, 12);
  it("is <unknown> for a zero time", () => {
    expect(since(undefined, now)).toBe("<unknown>");
    expect(since("", now)).toBe("<unknown>");
  });
  it("is the human duration since the time", () => {
    expect(since("2025-06-01T11:55:00Z", now)).toBe("5m");
    expect(since("2025-06-01T12:00:00Z", now)).toBe("0s");
    expect(since("2025-06-01T12:00:05Z", now)).toBe("<invalid>"); // in the future beyond skew
  });
});

describe("formatRFC3339", () => {
  it("formats in UTC at second precision", () => {
    expect(formatRFC3339("2025-06-01T14:00:00.987+02:00")).toBe("2025-06-01T12:00:00Z");
    expect(formatRFC3339(undefined)).toBe("0001-01-01T00:00:00Z");
  });
});
