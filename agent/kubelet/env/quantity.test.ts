import { describe, expect, it } from "vitest";
import { milliValue, parseQuantityExact, value } from "./quantity.js";

describe("parseQuantityExact", () => {
  it.each([
    ["100m", 100n, 1n],
    ["0.1", 100n, 1n], // 0.1 * 1000 in floating point would round up to 101
    ["1.5", 1500n, 2n],
    ["2k", 2_000_000n, 2000n],
    ["1Ki", 1_024_000n, 1024n],
    ["1.5Gi", 1_610_612_736_000n, 1_610_612_736n],
    ["1e3", 1_000_000n, 1000n],
    ["1E", 10n ** 21n, 10n ** 18n], // exa, not an exponent
    ["1n", 1n, 1n], // rounds up
    [".5", 500n, 1n],
    [0.25, 250n, 1n],
    [3, 3000n, 3n],
  ] as const)("%s → milli %s, value %s", (q, milli, v) => {
    const f = parseQuantityExact(q)!;
    expect(milliValue(f)).toBe(milli);
    expect(value(f)).toBe(v);
  });

  it("rejects what is not a quantity", () => {
    for (const q of ["", "abc", "1Qi", "1.2.3", "."]) expect(parseQuantityExact(q)).toBeUndefined();
  });
});
