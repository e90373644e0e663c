// Node selector operators (In, NotIn, Exists, DoesNotExist, Gt, Lt), matchFields and term logic.
import { describe, expect, it } from "vitest";
import { type NodeSelectorTerm, nodeSelectorMatches, preferredTermsScore, requiredNodeAffinityMatches, termMatches } from "./node-selector.js";

const node = { name: "n1", labels: { zone: "a", gen: "5", disk: "ssd", neg: "-3", big: "99999999999999999999" } };

describe("termMatches", () => {
  const cases: Array<[string, NodeSelectorTerm, boolean]> = [
    ["In matches", { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }, true],
    ["In misses", { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }, false],
    ["In on a missing label", { matchExpressions: [{ key: "rack", operator: "In", values: ["a"] }] }, false],
    ["NotIn excludes", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, false],
    ["NotIn on a missing label matches", { matchExpressions: [{ key: "rack", operator: "NotIn", values: ["a"] }] }, true],
    ["Exists", { matchExpressions: [{ key: "disk", operator: "Exists" }] }, true],
    ["Exists missing", { matchExpressions: [{ key: "gpu", operator: "Exists" }] }, false],
    ["DoesNotExist", { matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }, true],
    ["DoesNotExist present", { matchExpressions: [{ key: "disk", operator: "DoesNotExist" }] }, false],
    ["Gt true", { matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }, true],
    ["Gt equal is false", { matchExpressions: [{ key: "gen", operator: "Gt", values: ["5"] }] }, false],
    ["Lt true", { matchExpressions: [{ key: "gen", operator: "Lt", values: ["10"] }] }, true],
    ["Lt compares numerically, not as text", { matchExpressions: [{ key: "gen", operator: "Lt", values: ["40"] }] }, true],
    ["Gt with a negative label", { matchExpressions: [{ key: "neg", operator: "Gt", values: ["-4"] }] }, true],
    ["Gt on a non-numeric label", { matchExpressions: [{ key: "zone", operator: "Gt", values: ["1"] }] }, false],
    ["Gt on a label beyond int64", { matchExpressions: [{ key: "big", operator: "Gt", values: ["1"] }] }, false],
    ["Gt with two values is invalid", { matchExpressions: [{ key: "gen", operator: "Gt", values: ["1", "2"] }] }, false],
    ["Gt with a non-numeric value is invalid", { matchExpressions: [{ key: "gen", operator: "Gt", values: ["x"] }] }, false],
    ["In without values is invalid", { matchExpressions: [{ key: "zone", operator: "In", values: [] }] }, false],
    ["Exists with values is invalid", { matchExpressions: [{ key: "zone", operator: "Exists", values: ["a"] }] }, false],
    ["unknown operator", { matchExpressions: [{ key: "zone", operator: "Equals", values: ["a"] }] }, false],
    ["expressions are ANDed", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "disk", operator: "In", values: ["hdd"] }] }, false],
    ["matchFields metadata.name In", { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }, true],
    ["matchFields metadata.name In other", { matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }, false],
    ["matchFields metadata.name NotIn", { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] }, false],
    ["matchFields with two values is invalid", { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1", "n2"] }] }, false],
    ["matchFields Exists is invalid", { matchFields: [{ key: "metadata.name", operator: "Exists" }] }, false],
    ["fields and labels ANDed", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }], matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }, false],
    ["an empty term matches nothing", {}, false],
  ];
  it.each(cases)("%s", (_name, term, want) => {
    expect(termMatches(term, node)).toBe(want);
  });
});

describe("required node affinity", () => {
  it("ORs the terms", () => {
    const terms = [{ matchExpressions: [{ key: "zone", operator: "In", values: ["x"] }] }, { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }];
    expect(nodeSelectorMatches(terms, node)).toBe(true);
    expect(nodeSelectorMatches([], node)).toBe(false);
  });

  it("ANDs spec.nodeSelector with the terms; present but empty terms match nothing", () => {
    expect(requiredNodeAffinityMatches({ nodeSelector: { zone: "a" } }, node)).toBe(true);
    expect(requiredNodeAffinityMatches({ nodeSelector: { zone: "b" } }, node)).toBe(false);
    expect(requiredNodeAffinityMatches({ nodeSelector: { zone: "a" }, requiredNodeAffinity: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] }] }, node)).toBe(false);
    expect(requiredNodeAffinityMatches({ requiredNodeAffinity: [] }, node)).toBe(false);
    expect(requiredNodeAffinityMatches({}, node)).toBe(true);
  });

  it("sums the weights of matching preferred terms, skipping weight 0", () => {
    const terms = [
      { weight: 5, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
      { weight: 3, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
      { weight: 7, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] } },
      { weight: 0, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } },
    ];
    expect(preferredTermsScore(terms, node)).toBe(8);
  });
});
