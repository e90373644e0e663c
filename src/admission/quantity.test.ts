import { describe, expect, it } from "vitest";
import { add, canonical, cmp, format, milliValue, parseQuantity, value } from "./quantity.js";
import { addLists, fromWire, lessThanOrEqual, prettyPrint, subtractNonNegative } from "./resource-list.js";

const s = (x: string | number) => format(parseQuantity(x));

describe("Quantity", () => {
  it.each([
    ["1", "1"],
    ["0.5", "500m"],
    ["1.5", "1500m"],
    ["2000m", "2"],
    ["100m", "100m"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["128Mi", "128Mi"],
    ["1.5Gi", "1536Mi"],
    ["1024Mi", "1Gi"],
    ["1000Ki", "1000Ki"],
    ["512", "512"],
    ["1Ki", "1Ki"],
    ["0.5Ki", "512"],
    ["129M", "129M"],
    ["128974848", "128974848"],
    ["1e3", "1e3"],
    ["12e6", "12e6"],
    ["1.5e3", "1500"],
    ["1E3", "1e3"],
    ["1E", "1E"],
    ["0.1n", "1n"],
    ["0", "0"],
    ["-1", "-1"],
    ["-500m", "-500m"],
    [2, "2"],
    [0.25, "250m"],
  ])("%s prints as %s", (input, out) => {
    expect(s(input)).toBe(out);
  });

  it("refuses what does not parse", () => {
    expect(() => parseQuantity("abc")).toThrow();
    expect(() => parseQuantity("1Xi")).toThrow();
    expect(canonical("junk")).toBe("junk");
  });

  it("adds keeping the receiver's format unless it is zero", () => {
    expect(format(add(parseQuantity("128Mi"), parseQuantity("256Mi")))).toBe("384Mi");
    expect(format(add(parseQuantity("0"), parseQuantity("256Mi")))).toBe("256Mi");
    expect(format(add(parseQuantity("500m"), parseQuantity("1")))).toBe("1500m");
    expect(format(add(parseQuantity("1"), parseQuantity("1")))).toBe("2");
  });

  it("compares exactly and rounds Value/MilliValue up", () => {
    expect(cmp(parseQuantity("1"), parseQuantity("1000m"))).toBe(0);
    expect(cmp(parseQuantity("1Gi"), parseQuantity("1G"))).toBe(1);
    expect(value(parseQuantity("1500m"))).toBe(2n);
    expect(milliValue(parseQuantity("0.5m"))).toBe(1n);
  });
});

describe("ResourceList", () => {
  it("adds, subtracts without going negative, compares and prints sorted", () => {
    const a = fromWire({ "limits.cpu": "1", pods: "2" });
    const b = fromWire({ "limits.cpu": "500m", "requests.memory": "1Gi" });
    expect(prettyPrint(addLists(a, b))).toBe("limits.cpu=1500m,pods=2,requests.memory=1Gi");
    expect(prettyPrint(subtractNonNegative(b, a))).toBe("limits.cpu=0,requests.memory=1Gi");
    expect(lessThanOrEqual(a, fromWire({ pods: "1", "limits.cpu": "2" }))).toEqual({ ok: false, exceeded: ["pods"] });
  });
});
