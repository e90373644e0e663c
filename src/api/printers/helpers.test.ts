import { describe, expect, it } from "vitest";
import { formatLabelSelector, formatLabels, labelSelectorString, layoutContainerCells } from "./helpers.js";

describe("formatLabels (labels.FormatLabels)", () => {
  it("sorts k=v pairs, <none> when empty", () => {
    expect(formatLabels({ b: "2", a: "1" })).toBe("a=1,b=2");
    expect(formatLabels({})).toBe("<none>");
    expect(formatLabels(undefined)).toBe("<none>");
  });
});

describe("formatLabelSelector (metav1.FormatLabelSelector)", () => {
  it("renders every operator, sorted by key, values sorted", () => {
    expect(
      formatLabelSelector({
        matchLabels: { tier: "fe", app: "web" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "dev"] },
          { key: "zone", operator: "NotIn", values: ["b"] },
          { key: "gpu", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=web,env in (dev,prod),gpu,!legacy,tier=fe,zone notin (b)");
  });
  it("is <none> for nil/empty and <error> for invalid selectors", () => {
    expect(formatLabelSelector(undefined)).toBe("<none>");
    expect(formatLabelSelector({})).toBe("<none>");
    expect(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] })).toBe("<error>");
    expect(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toBe("<error>");
    expect(labelSelectorString({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toBeUndefined();
  });
});

describe("layoutContainerCells", () => {
  it("joins names and images", () => {
    expect(layoutContainerCells([{ name: "a", image: "x:1" }, { name: "b", image: "y:2" }])).toEqual(["a,b", "x:1,y:2"]);
    expect(layoutContainerCells(undefined)).toEqual(["", ""]);
  });
});
